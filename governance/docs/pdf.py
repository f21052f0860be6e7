"""HTML to PDF with WeasyPrint, fetching nothing from the disk or the network.

Card text is user input. It reaches the HTML sanitized (governance.markdown) or escaped,
so it cannot add an image, a stylesheet or an @import; as a second wall, every URL
WeasyPrint asks for goes through RefusingFetcher, which serves only data: URLs (the
document's own stylesheet is linked as one, read from disk through Django's staticfiles
finders: governance.docs.stylesheet) and refuses file:, http:, https: and everything
else. Fonts come from the system's fontconfig (WeasyPrint needs Pango; see the README).
"""

from urllib.parse import urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError


class RefusingFetcher(URLFetcher):
    """Serves data: URLs, refuses every other URL; remembers what it was asked."""

    def __init__(self) -> None:
        super().__init__(timeout=1, allow_redirects=False, allowed_protocols=("data",))
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if urlsplit(url.strip()).scheme.lower() != "data":
            self.refused.append(url)
            raise URLFetchingError(f"Documents fetch nothing; refused {url[:200]}")
        self.served.append(url[:60])
        # urllib's data: handler decodes it in memory (allowed_protocols keeps it to data:).
        return super().fetch(url, headers)


def html_to_pdf(html: str, fetcher: RefusingFetcher | None = None) -> bytes:
    """The PDF of a standalone HTML document (base_url None: relative URLs lead nowhere)."""
    document = HTML(string=html, base_url=None, url_fetcher=fetcher or RefusingFetcher())
    return document.write_pdf()
