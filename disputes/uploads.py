"""Everything about an uploaded evidence file before it is stored.

- `HashingUploadHandler` computes the SHA-256 while the request body streams
  in, and stops writing a file to disk once it passes the size limit.
- `inspect_upload()` decides the file's type from its bytes (never its name),
  refuses markup and scripts, and checks an image's declared pixel count
  before anything decodes it.
- `make_thumbnail()` re-encodes an image: orientation applied, metadata
  (EXIF, GPS) and any trailing bytes gone.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

CHUNK = 64 * 1024
THUMBNAIL_SIZE = (480, 480)

# Detected MIME type -> (extension, is an image we thumbnail).
ALLOWED_TYPES: dict[str, tuple[str, bool]] = {
    "image/jpeg": (".jpg", True),
    "image/png": (".png", True),
    "image/gif": (".gif", True),
    "image/webp": (".webp", True),
    "application/pdf": (".pdf", False),
    "text/plain": (".txt", False),
    "application/zip": (".zip", False),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx", False),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx", False),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx", False),
    "application/vnd.oasis.opendocument.text": (".odt", False),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods", False),
    "application/vnd.oasis.opendocument.presentation": (".odp", False),
    "application/msword": (".doc", False),
    "application/vnd.ms-excel": (".xls", False),
    "application/vnd.ms-powerpoint": (".ppt", False),
    "application/rtf": (".rtf", False),
}

ALLOWED_DESCRIPTION = "images (JPEG, PNG, GIF, WebP), PDF, plain text, office documents and ZIP archives"

# Text that a browser could run or render as a page is refused even though it
# is "plain text": HTML, SVG/XML, and scripts with a shebang.
_MARKUP_PREFIXES = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe", b"#!")
_MARKUP_ANYWHERE = (b"<script", b"<svg", b"<html", b"<iframe", b"javascript:", b"<object", b"<embed")


class UploadRefused(Exception):
    """The file cannot be kept; the message is fit to show the user."""


class HashingUploadHandler(TemporaryFileUploadHandler):
    """Stream uploads to a temporary file, hashing as the bytes arrive.

    Past EVIDENCE_MAX_FILE_BYTES the handler stops writing (the rest of the
    body is read and dropped) and marks the file as oversize, so the form can
    say so clearly instead of the file silently going missing.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._sha256 = hashlib.sha256()
        self._received = 0
        self._oversize = False

    def _limit(self) -> int:
        # The case-file verification page takes whole case files, imports whole mailboxes; the rest is evidence.
        match = getattr(self.request, "resolver_match", None)
        if match is not None and match.view_name == "disputes:casefile_verify":
            return settings.CASEFILE_VERIFY_MAX_MB * 1024 * 1024
        if match is not None and match.view_name == "disputes:mail_import":
            return settings.IMPORT_MAX_BYTES
        return settings.EVIDENCE_MAX_FILE_BYTES

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._received > self._limit():
            self._oversize = True
        if self._oversize:
            return None
        self._sha256.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(self._received if self._oversize else file_size)
        uploaded.sha256 = None if self._oversize else self._sha256.hexdigest()
        uploaded.oversize = self._oversize
        uploaded.received_bytes = self._received
        return uploaded


@dataclass(frozen=True)
class Inspection:
    content_type: str
    extension: str
    is_image: bool
    size: int
    sha256: str


def _read_head(upload: UploadedFile, length: int = 8192) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head


def file_sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(CHUNK), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(head) - 4:
            return False
    return True


def _is_markup(head: bytes) -> bool:
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return lowered.startswith(_MARKUP_PREFIXES) or any(marker in lowered for marker in _MARKUP_ANYWHERE)


def detect_type(head: bytes) -> str | None:
    """The MIME type of a file from its first bytes, or None if not allowed."""
    kind = filetype.guess(head)
    if kind is not None:
        mime = kind.mime
        if mime == "application/x-rar-compressed" or mime not in ALLOWED_TYPES:
            return None
        return mime
    if head.startswith(b"{\\rtf"):
        return "application/rtf"
    if _looks_like_text(head) and not _is_markup(head):
        return "text/plain"
    return None


def _check_image(upload: UploadedFile) -> None:
    """Refuse images that are broken or too large, without decoding pixels."""
    upload.seek(0)
    try:
        # open() reads only the header; the declared size is known before any decoding.
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > settings.EVIDENCE_MAX_IMAGE_PIXELS:
                raise UploadRefused(
                    _(
                        "This image declares %(width)s x %(height)s pixels, over the limit of %(pixels)s. Resize "
                        "it and try again."
                    )
                    % {
                        "width": width,
                        "height": height,
                        "pixels": number_format(settings.EVIDENCE_MAX_IMAGE_PIXELS, force_grouping=True),
                    }
                )
            image.verify()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused(_("This image is too large to process safely.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UploadRefused(_("This image is damaged or not really an image.")) from None
    finally:
        upload.seek(0)


def inspect_upload(upload: UploadedFile) -> Inspection:
    """Check one uploaded file. Raises UploadRefused with a user-facing reason."""
    limit = settings.EVIDENCE_MAX_FILE_BYTES
    if getattr(upload, "oversize", False) or (upload.size or 0) > limit:
        raise UploadRefused(_("This file is larger than the %(limit)s MB limit.") % {"limit": limit // (1024 * 1024)})
    if not upload.size:
        raise UploadRefused(_("This file is empty."))
    head = _read_head(upload)
    content_type = detect_type(head)
    if content_type is None:
        raise UploadRefused(
            _("This type of file is not accepted. Allowed: %(description)s.") % {"description": ALLOWED_DESCRIPTION}
        )
    extension, is_image = ALLOWED_TYPES[content_type]
    if is_image:
        _check_image(upload)
    sha256 = getattr(upload, "sha256", None) or file_sha256(upload)
    return Inspection(
        content_type=content_type, extension=extension, is_image=is_image, size=upload.size, sha256=sha256
    )


def make_thumbnail(upload) -> bytes:
    """A JPEG thumbnail with orientation applied and no metadata at all."""
    upload.seek(0)
    with Image.open(upload) as image:
        image.seek(0)
        oriented = ImageOps.exif_transpose(image)
        oriented.thumbnail(THUMBNAIL_SIZE)
        if oriented.mode not in ("RGB", "L"):
            background = Image.new("RGB", oriented.size, "white")
            rgba = oriented.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            oriented = background
        # A fresh image carries no EXIF, GPS or ICC data from the original.
        clean = Image.new(oriented.mode, oriented.size)
        clean.paste(oriented)
        out = io.BytesIO()
        clean.save(out, format="JPEG", quality=85, optimize=True)
    upload.seek(0)
    return out.getvalue()


# What an image file may carry besides its pixels, and the name a person knows it by.
_METADATA = {
    "exif": "EXIF",
    "xmp": "XMP",
    "XML:com.adobe.xmp": "XMP",
    "photoshop": "IPTC",
    "comment": "comments",
}


def _metadata_in(image: Image.Image) -> list[str]:
    found = []
    exif = image.getexif()
    if exif:
        found.append("EXIF")
        if exif.get_ifd(0x8825) or 0x8825 in exif:  # the GPS IFD
            found.append("GPS position")
    for key, name in _METADATA.items():
        if image.info.get(key) and name not in found:
            found.append(name)
    if getattr(image, "text", None):
        found.append("text chunks")
    return found


def shared_image_copy(source) -> tuple[bytes, list[str]]:
    """The same picture without its metadata (EXIF with any GPS position, XMP, IPTC, comments, text chunks).

    Orientation is applied, so the copy looks the same without its EXIF
    orientation tag; the colour profile is kept, since it carries no personal
    data. An upright JPEG keeps its own quantisation tables ("keep"), so the
    copy is as close to the original as a re-save allows. Returns the bytes
    and the names of what was taken out.
    """
    source.seek(0)
    with Image.open(source) as image:
        image_format = image.format
        removed = _metadata_in(image)
        icc = image.info.get("icc_profile")
        orientation = image.getexif().get(0x0112, 1)
        out = io.BytesIO()
        frames = getattr(image, "n_frames", 1)
        upright = image if orientation in (None, 1) else ImageOps.exif_transpose(image)
        if image_format == "JPEG":
            quality = "keep" if upright is image else 95
            upright.save(out, "JPEG", quality=quality, icc_profile=icc, comment=b"")
        elif image_format == "PNG":
            upright.save(out, "PNG", icc_profile=icc)
        elif image_format == "GIF":
            image.save(out, "GIF", save_all=frames > 1, comment=b"")
        elif image_format == "WEBP":
            upright.save(out, "WEBP", save_all=frames > 1, quality=95, icc_profile=icc, exif=b"", xmp=b"")
        else:
            raise UploadRefused(_("Settle cannot make a shared copy of this kind of image."))
    source.seek(0)
    return out.getvalue(), removed


def safe_download_name(name: str, extension: str) -> str:
    """A file name for Content-Disposition: the user's name, tamed, with the real extension."""
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    cleaned = "".join(ch if ch.isalnum() or ch in " ._-()" else "_" for ch in stem).strip(" .") or "evidence"
    return f"{cleaned[:100]}{extension}"
