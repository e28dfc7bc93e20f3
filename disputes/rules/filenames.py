"""What an uploaded file probably is, from its name: a starting point the person corrects.

Several files uploaded at once each get their own kind and caption; these guesses fill them in
so that "invoice-0042.pdf" and "Screenshot 2026-11-30 at 10.12.png" do not share one label.
"""

import re
from pathlib import PurePath

# Words in a name, checked in this order (a "contract screenshot" is a screenshot of a contract).
_KIND_WORDS = (
    ("screenshot", ("screenshot", "screen shot", "bildschirmfoto", "capture", "snip")),
    ("invoice", ("invoice", "rechnung", "receipt", "bill", "payment")),
    ("contract", ("contract", "agreement", "estimate", "quote", "proposal", "sow", "vertrag", "angebot")),
    ("chat", ("chat", "whatsapp", "slack", "telegram", "messenger", "signal", "discord")),
    ("email", ("email", "e-mail", "mail")),
    ("deliverable", ("final", "deliverable", "delivery", "export", "render", "draft")),
)
_CAMERA = re.compile(r"^(img|dsc|dscn|pxl|photo|foto)[\W_]*\d", re.IGNORECASE)
_IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".heic"}


def _words(name: str) -> str:
    return " " + re.sub(r"[\W_]+", " ", PurePath(name).stem.lower()) + " "


def guess_kind(name: str) -> str:
    """One of Evidence.Kind's values for a file called `name`."""
    words, suffix = _words(name), PurePath(name).suffix.lower()
    if suffix == ".eml":
        return "email"
    for kind, needles in _KIND_WORDS:
        if any(f" {needle} " in words or (len(needle) > 4 and needle in words) for needle in needles):
            return kind
    if suffix in _IMAGE_EXTENSIONS:
        return "photo" if _CAMERA.match(PurePath(name).stem) else "screenshot"
    if suffix == ".zip":
        return "deliverable"
    return "other"


def caption_from(name: str, *, limit: int = 300) -> str:
    """A readable caption from a file name: "client_feedback-v2.pdf" → "Client feedback v2"."""
    stem = PurePath(name).stem
    stem = re.sub(r"\s*\(\d+\)$", "", stem)  # "logo (1)" is the second download of "logo"
    text = re.sub(r"[_\s]+", " ", stem.replace("-", " ")).strip()
    return (text[:1].upper() + text[1:])[:limit]


def hints() -> dict:
    """The same guesses' data for the upload page's script, which fills in each file's row as the
    files are picked (the server guesses again for any left blank)."""
    return {
        "words": [[kind, list(needles)] for kind, needles in _KIND_WORDS],
        "camera": _CAMERA.pattern,
        "images": sorted(_IMAGE_EXTENSIONS),
    }
