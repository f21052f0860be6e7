"""Every template keeps to the strict CSP (script-src and style-src 'self'): no inline
<script>, no <style> block, no style="" attribute, no on* or hx-on* handler attribute, no
javascript: URL. Each finding names the file and the line, so nobody adds one unnoticed."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", Path(settings.BASE_DIR) / "governance"]

TAG = re.compile(r"<[a-zA-Z][^<>]*>")  # one HTML start tag, template tags inside it included
SCRIPT = re.compile(r"<script\b(?P<attributes>[^>]*)>", re.IGNORECASE)
DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']?application/(ld\+)?json""", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
# Attribute names at the start of a tag's attribute: on* handlers, htmx's hx-on* (it needs
# eval), inline styles.
HANDLER = re.compile(r"(?<=[\s\"'%}])((?:data-)?hx-on[\w:.-]*|on[a-z]+)\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"(?<=[\s\"'%}])style\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.IGNORECASE)
TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\b.*?{%\s*endcomment\s*%}", re.DOTALL)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def csp_findings(text: str) -> list[tuple[int, str]]:
    """(line, what) for every construct the CSP would block or that would need a relaxation."""
    # Template comments never reach the browser; keep their line breaks for the line numbers.
    text = TEMPLATE_COMMENT.sub(lambda comment: "\n" * comment[0].count("\n"), text)
    found = []
    for script in SCRIPT.finditer(text):
        attributes = script["attributes"]
        if not re.search(r"\bsrc\s*=", attributes) and not DATA_BLOCK.search(attributes):
            found.append((_line(text, script.start()), "inline <script> (use a static .js file)"))
    for block in STYLE_BLOCK.finditer(text):
        found.append((_line(text, block.start()), "<style> block (use static/css)"))
    for tag in TAG.finditer(text):
        for handler in HANDLER.finditer(tag[0]):
            where = _line(text, tag.start() + handler.start())
            found.append((where, f"{handler[1]}= handler attribute (use static .js)"))
        for style in STYLE_ATTRIBUTE.finditer(tag[0]):
            found.append(
                (_line(text, tag.start() + style.start()), "style= attribute (use a class)")
            )
        for url in JAVASCRIPT_URL.finditer(tag[0]):
            found.append((_line(text, tag.start() + url.start()), "javascript: URL"))
    return sorted(found)


def templates() -> list[Path]:
    return sorted(
        path
        for folder in TEMPLATE_DIRS
        for path in folder.rglob("*.html")
        if folder.name == "templates" or "templates" in path.parts
    )


def test_there_are_templates_to_check():
    names = {path.name for path in templates()}
    assert {"base.html", "login.html", "403.html"} <= names


def test_no_template_needs_inline_script_or_style():
    findings = [
        f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}"
        for path in templates()
        for line, what in csp_findings(path.read_text(encoding="utf-8"))
    ]

    assert findings == [], "Templates break the CSP:\n" + "\n".join(findings)


@pytest.mark.parametrize(
    ("snippet", "what"),
    [
        ("<script>alert(1)</script>", "inline <script>"),
        ('<script type="module">import "/x.js"</script>', "inline <script>"),
        ("<style>p { color: red }</style>", "<style> block"),
        ('<p style="color: red">', "style= attribute"),
        ('<button onclick="go()">', "onclick= handler"),
        ("<body onload=start()>", "onload= handler"),
        ('<form hx-on:submit="x()">', "hx-on:submit= handler"),
        ('<div hx-on::after-request="x()">', "hx-on::after-request= handler"),
        ('<a href="javascript:go()">', "javascript: URL"),
        ('<input {% if x %}onchange="y()"{% endif %}>', "onchange= handler"),
    ],
)
def test_the_scan_finds_what_the_csp_blocks(snippet, what):
    findings = csp_findings(f"<div>\n{snippet}\n</div>")

    assert [line for line, _ in findings] == [2]
    assert findings[0][1].startswith(what)


def test_a_finding_in_a_tag_over_several_lines_names_the_attribute_line():
    text = '<div>\n<p\n  class="x"\n  style="color: red">\n</div>'

    assert csp_findings(text) == [(4, "style= attribute (use a class)")]


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{% static 'js/review.js' %}\" defer></script>",
        '<script id="series" type="application/json">{"a": 1}</script>',
        '<p class="online" data-stylesheet="x">Sign on = log in; the style = calm.</p>',
        '<a href="/models/?q=onload=1" hx-get="/reviews/" hx-target="#queue">',
        '<svg viewBox="0 0 10 10"><polyline class="series" points="0,1 2,3"></polyline></svg>',
        "{# the guardian page's <style> block is dropped #}",
        '{% comment %}\nNo <script>x()</script> or style="" here.\n{% endcomment %}',
    ],
)
def test_the_scan_leaves_csp_safe_markup_alone(snippet):
    assert csp_findings(snippet) == []


def test_lines_after_a_template_comment_keep_their_numbers():
    text = '{% comment %}\nTwo lines.\n{% endcomment %}\n<p style="color: red">'

    assert csp_findings(text) == [(4, "style= attribute (use a class)")]
