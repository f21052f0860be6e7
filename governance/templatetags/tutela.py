"""Presentation helpers for templates: no business rules here (STYLE.md)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from governance.cards import PENDING, SECTIONS
from governance.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Card free text as sanitized HTML (governance.markdown)."""
    return mark_safe(render_markdown(text))  # noqa: S308 - nh3 has cleaned it


@register.inclusion_tag("governance/partials/_badge.html")
def badge(value: str, kind: str = "") -> dict:
    """A coloured label for a stage, risk level, status or decision."""
    return {"value": value, "kind": kind}


FREE_TEXT_FIELDS = {"intended_use", "training_data_description"}


def _value_html(value: object) -> SafeString:
    if value in ("", None, [], {}):
        return mark_safe('<span class="muted">not provided</span>')
    if value == PENDING:
        return mark_safe('<span class="badge badge-pending">PENDING</span>')
    if isinstance(value, list):
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((_value_html(v),) for v in value))
        )
    if isinstance(value, dict):
        rows = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td></tr>',
            ((k, _value_html(v)) for k, v in value.items()),
        )
        return format_html('<table class="kv"><tbody>{}</tbody></table>', rows)
    return format_html("{}", value)


@register.simple_tag
def card_value(field: str, value: object) -> SafeString:
    """One card field for reading: Markdown for free text, lists and tables for the rest."""
    if field in FREE_TEXT_FIELDS and value:
        return markdown(value)
    return _value_html(value)


@register.inclusion_tag("governance/partials/_card.html")
def model_card(version: object, missing: list[str] | None = None) -> dict:
    """The whole card of a version, section by section (cards.SECTIONS)."""
    card = version.to_dict()
    sections = [
        {"key": key, "title": title, "fields": [(f, card[key][f]) for f in fields]}
        for key, title, fields in SECTIONS
    ]
    return {"card": card, "sections": sections, "missing": set(missing or [])}
