"""Rendering Settle's own HTML templates to PDF (letters, the case summary) with WeasyPrint.

The documents are self-contained: no image, font or stylesheet is ever
fetched, from the network or the disk, whatever a template or a user's text
contains.
"""

from typing import Any

from django.template.loader import render_to_string


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError(f"Settle's PDFs load no external resources ({url!r}).")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    import weasyprint  # Imported here: its one-time font setup costs about a second, only for PDFs.

    html = render_to_string(template, context)
    return weasyprint.HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
