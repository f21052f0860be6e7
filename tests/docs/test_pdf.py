"""PDF documents: they render (pages, extractable text), and neither card text nor anything
else in the HTML can make WeasyPrint read a local file or reach the network."""

from io import BytesIO

import pytest
from pypdf import PdfReader

from governance.docs.exports import annex_iv_html, annex_iv_pdf, card_html, card_pdf
from governance.docs.pdf import RefusingFetcher, html_to_pdf
from governance.docs.stylesheet import stylesheet_href
from tests.factories import ModelVersionFactory

PASSWD_LINE = "root:x:0:0"
HOSTILE_TEXT = (
    '<img src="file:///etc/passwd"> <link rel=stylesheet href="http://example.com/x.css">\n\n'
    "<style>@import url(http://example.com/import.css);</style>\n\n"
    "![passwd](file:///etc/passwd) [remote](http://example.com/page)"
)
HOSTILE_CARD = {
    "intended_use": HOSTILE_TEXT,
    "training_data_description": "@import url(http://example.com/import.css);",
    "known_limitations": ['<img src="file:///etc/passwd">'],
    "hyperparameters": {"css": '<link rel=stylesheet href="http://example.com/x.css">'},
}


def _text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def hostile_version(model):
    return ModelVersionFactory(model=model, version="6.6.6", complete=True, **HOSTILE_CARD)


def test_annex_iv_pdf_has_pages_and_extractable_text(version):
    pages, text = _text(annex_iv_pdf(version))

    assert pages > 0
    assert "Annex IV technical documentation: customer-churn-predictor" in text
    assert "This is product guidance, not legal advice." in text
    assert "9. Post-market monitoring plan" in text
    assert "MISSING – Annex IV 1(e)" in text


def test_card_pdf_has_pages_and_extractable_text(version):
    pages, text = _text(card_pdf(version))

    assert pages > 0
    assert "Model card: customer-churn-predictor 2.4.1" in text
    assert "Score monthly churn risk of retail customers" in text


@pytest.mark.parametrize("render", [annex_iv_html, card_html])
def test_card_text_cannot_add_images_stylesheets_or_imports(hostile_version, render):
    html = render(hostile_version)
    fetcher = RefusingFetcher()

    pdf = html_to_pdf(html, fetcher)

    assert "<img" not in html
    assert '<link rel="stylesheet" href="http' not in html
    assert "<style" not in html
    # Nothing to refuse: the only URL in the document is its own data: stylesheet.
    assert fetcher.refused == []
    assert fetcher.served == [stylesheet_href(standalone=True)[:60]]
    pages, text = _text(pdf)
    assert pages > 0
    assert PASSWD_LINE not in text


@pytest.mark.parametrize("render", [annex_iv_pdf, card_pdf])
def test_hostile_card_text_stays_visible_as_text(hostile_version, render):
    _, text = _text(render(hostile_version))

    assert "file:///etc/passwd" in text
    assert PASSWD_LINE not in text


def test_the_fetcher_refuses_files_and_the_network_even_in_raw_html():
    html = (
        "<html><head>"
        '<link rel="stylesheet" href="http://example.com/x.css">'
        "<style>@import url(http://example.com/import.css); "
        "@font-face { font-family: x; src: url(file:///etc/fonts/x.ttf) }</style>"
        "</head><body><p>Hostile</p>"
        '<img src="file:///etc/passwd"><img src="https://example.com/pixel.png">'
        '<object data="file:///etc/passwd"></object>'
        "</body></html>"
    )
    fetcher = RefusingFetcher()

    pages, text = _text(html_to_pdf(html, fetcher))

    assert set(fetcher.refused) == {
        "http://example.com/x.css",
        "http://example.com/import.css",
        "file:///etc/fonts/x.ttf",
        "file:///etc/passwd",
        "https://example.com/pixel.png",
    }
    assert fetcher.served == []
    assert pages == 1
    assert "Hostile" in text
    assert PASSWD_LINE not in text


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "FILE:///etc/passwd", " http://example.com/", "ftp://x/y"]
)
def test_the_fetcher_refuses_every_scheme_but_data(url):
    fetcher = RefusingFetcher()

    with pytest.raises(OSError, match="Documents fetch nothing"):
        fetcher.fetch(url)

    assert fetcher.refused == [url]


def test_the_fetcher_serves_data_urls_from_memory():
    response = RefusingFetcher().fetch("data:text/css;base64,cCB7IGNvbG9yOiByZWQgfQ==")

    assert response.read() == b"p { color: red }"
