"""The documents' stylesheet (static/css/documents.css): a static URL for served pages, a
data: URL for standalone ones (PDF, bundle), read from disk through the staticfiles
finders, never fetched."""

import base64

from django.contrib.staticfiles import finders
from django.templatetags.static import static

STYLESHEET = "css/documents.css"


def stylesheet_text() -> str:
    path = finders.find(STYLESHEET)
    if path is None:
        raise FileNotFoundError(f"Static file {STYLESHEET} not found")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def stylesheet_href(*, standalone: bool) -> str:
    """The served page's CSP allows only 'self' styles; a standalone page has no server."""
    if not standalone:
        return static(STYLESHEET)
    encoded = base64.b64encode(stylesheet_text().encode()).decode("ascii")
    return f"data:text/css;base64,{encoded}"
