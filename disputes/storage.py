"""Reading stored files as streams, on local disk or on S3-compatible object storage.

Settle's files (evidence, letters, mail as sent, imports) go through
Django's default storage: the local file system by default, or a bucket
through django-storages when `FILE_STORAGE=s3` (see config/settings.py).
`open_stream` opens a stored file for reading in chunks without holding it
whole: a local file as it is; an object in a bucket as the HTTP body of its
GET, read as it arrives (django-storages' own file object would first copy
the whole object into a temporary file). A file that is not there raises
FileNotFoundError on both.
"""

from __future__ import annotations

from typing import BinaryIO

from django.db.models.fields.files import FieldFile


def _s3_storage(storage) -> bool:
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # django-storages not installed: local files only
        return False
    return isinstance(storage, S3Storage)


def open_stream(stored: FieldFile) -> BinaryIO:
    """The stored file, open for `read(n)`; close it when done (it is a context manager)."""
    storage = stored.storage
    if not _s3_storage(storage):
        return stored.open("rb")
    from botocore.exceptions import ClientError
    from storages.utils import clean_name

    try:
        return storage.bucket.Object(storage._normalize_name(clean_name(stored.name))).get()["Body"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
            raise FileNotFoundError(f"{stored.name} is not in the bucket.") from None
        raise
