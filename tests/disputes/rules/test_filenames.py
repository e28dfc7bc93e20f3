"""Each uploaded file's kind and caption, guessed from its name."""

import pytest

from disputes.models import Evidence
from disputes.rules.filenames import caption_from, guess_kind


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Screenshot 2026-11-30 at 10.12.04.png", "screenshot"),
        ("Bildschirmfoto 2026-11-30.png", "screenshot"),
        ("invoice-0042.pdf", "invoice"),
        ("Rechnung_2026_11.pdf", "invoice"),
        ("signed contract v2.pdf", "contract"),
        ("Estimate for Acme.docx", "contract"),
        ("WhatsApp Chat with Anna.txt", "chat"),
        ("reply.eml", "email"),
        ("logo-final.zip", "deliverable"),
        ("IMG_2041.jpg", "photo"),
        ("PXL_20261130_101204.jpg", "photo"),
        ("kitchen.jpg", "screenshot"),
        ("notes.txt", "other"),
        ("", "other"),
        ("billboard.pdf", "other"),  # a short word inside another is not that word
    ],
)
def test_a_files_kind_comes_from_its_name(name, kind):
    assert guess_kind(name) == kind
    assert kind in Evidence.Kind.values


@pytest.mark.parametrize(
    ("name", "caption"),
    [
        ("client_feedback-v2.pdf", "Client feedback v2"),
        ("logo (1).png", "Logo"),
        ("  spaced   out .txt", "Spaced out"),
        (".hidden", ".hidden"),
        ("", ""),
    ],
)
def test_a_caption_is_the_name_made_readable(name, caption):
    assert caption_from(name) == caption


def test_a_caption_fits_the_field():
    assert len(caption_from("a" * 500 + ".pdf")) == 300
