"""The pack as a tagged PDF (weasyprint, PDF/UA-1), drawn from the stored snapshot, so the PDF
of a version is the same whenever it is downloaded."""

from __future__ import annotations

from django.template.loader import render_to_string

from .models import BoardPack


def pack_pdf(*, pack: BoardPack, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("boardpacks/pack_pdf.html", context)
    # pdf/ua-1 turns on tagging (structure tree, /Lang, alt text for images, document title).
    return HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")
