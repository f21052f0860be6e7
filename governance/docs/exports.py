"""The documents of a version, one function per output; the auditor's bundle and the views
call these and nothing below them.

    annex_iv_markdown(version) -> str     Annex IV technical documentation, Markdown
    annex_iv_html(version) -> str         the same as a standalone, print-ready HTML page
    annex_iv_pdf(version) -> bytes        the same as PDF (WeasyPrint, fetches nothing)
    card_markdown(version) -> str         the model card, Markdown (cards.card_to_markdown)
    card_html(version) -> str             the model card, standalone HTML page
    card_pdf(version) -> bytes            the model card, PDF

Standalone pages link their stylesheet as a data: URL, so they read the same from a zip
file; the review UI renders the same templates with the static stylesheet instead (its
CSP allows no data: styles) through page_context().
"""

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from governance.docs.annex_iv import annex_iv_document
from governance.docs.document import MISSING
from governance.docs.markdown_text import document_markdown
from governance.docs.stylesheet import stylesheet_href
from governance.exceptions import PdfUnavailable
from governance.models import ModelVersion

ANNEX_IV_TEMPLATE = "governance/docs/annex_iv.html"
CARD_TEMPLATE = "governance/docs/card.html"


def page_context(version: ModelVersion, *, standalone: bool) -> dict[str, Any]:
    """What both document templates need: the version, the stylesheet, and whether the
    page is served (toolbar, print button) or stands alone."""
    return {
        "version": version,
        "model": version.model,
        "stylesheet": stylesheet_href(standalone=standalone),
        "standalone": standalone,
        "missing": MISSING,
    }


def annex_iv_markdown(version: ModelVersion) -> str:
    return document_markdown(annex_iv_document(version))


def annex_iv_html(
    version: ModelVersion, *, standalone: bool = True, request: HttpRequest | None = None
) -> str:
    context = {"doc": annex_iv_document(version), **page_context(version, standalone=standalone)}
    return render_to_string(ANNEX_IV_TEMPLATE, context, request=request)


def annex_iv_pdf(version: ModelVersion) -> bytes:
    return _to_pdf(annex_iv_html(version))


def card_markdown(version: ModelVersion) -> str:
    return version.to_markdown()


def card_html(
    version: ModelVersion, *, standalone: bool = True, request: HttpRequest | None = None
) -> str:
    return render_to_string(
        CARD_TEMPLATE, page_context(version, standalone=standalone), request=request
    )


def card_pdf(version: ModelVersion) -> bytes:
    return _to_pdf(card_html(version))


def _to_pdf(html: str) -> bytes:
    """WeasyPrint loads only when a PDF is made, so the app runs on a machine without
    Pango (a newcomer's); there a PDF is refused with what to install."""
    try:
        from governance.docs.pdf import html_to_pdf
    except OSError as error:  # WeasyPrint could not load Pango
        raise PdfUnavailable from error
    return html_to_pdf(html)
