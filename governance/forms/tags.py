"""Tags as a person edits them, in the card editor and the admin: one ``key=value`` a line.

Parsing is all this module does; which keys and values are allowed is services.tags'
rule (its ValidationError comes back on the field). The text round-trips every stored
value: one that a line cannot hold as typed (line breaks, surrounding spaces, a leading
double quote) is shown as a JSON string, so saving the form unchanged changes no tag.
"""

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

TAGS_HELP = (
    "One tag a line, as key=value; remove a line to remove the tag. Keys: letters, digits, "
    "'.', '_', '-' or '/'. A value in double quotes is read as a JSON string, "
    'e.g. note="two\\nlines".'
)


def _needs_quotes(value: str) -> bool:
    return value != value.strip() or value.startswith('"') or "\n" in value or "\r" in value


def tags_to_text(tags: dict[str, str]) -> str:
    """The lines for stored tags, sorted by key."""
    lines = []
    for key in sorted(tags):
        value = tags[key]
        shown = json.dumps(value, ensure_ascii=False) if _needs_quotes(value) else value
        lines.append(f"{key}={shown}")
    return "\n".join(lines)


def _parse_line(number: int, line: str) -> tuple[str, str]:
    key, sep, value = line.partition("=")
    key, value = key.strip(), value.strip()
    if not sep or not key:
        raise ValidationError(f"Line {number}: write the tag as key=value.")
    if not value.startswith('"'):
        return key, value
    try:
        decoded = json.loads(value)
    except ValueError:
        decoded = None
    if not isinstance(decoded, str):
        raise ValidationError(
            f'Line {number}: a value starting with " must be one JSON string, e.g. "a\\nb".'
        )
    return key, decoded


def parse_tag_lines(text: str) -> dict[str, str]:
    """{key: value} from the lines; every malformed line is reported, by number."""
    tags: dict[str, str] = {}
    errors: list[ValidationError] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            key, value = _parse_line(number, line)
        except ValidationError as error:
            errors.append(error)
            continue
        if key in tags:
            errors.append(ValidationError(f"Line {number}: the key {key} is already set above."))
        tags[key] = value
    if errors:
        raise ValidationError(errors)
    return tags


def tag_changes(current: dict[str, str], wanted: dict[str, str]) -> dict[str, str | None]:
    """What turns the current tags into the wanted set, as the merge the services take
    (None removes a key): the forms replace the set, the services merge."""
    changes: dict[str, str | None] = {key: None for key in current if key not in wanted}
    changes |= {key: value for key, value in wanted.items() if current.get(key) != value}
    return changes


class TagsField(forms.Field):
    """A textarea of key=value lines; its value is the {key: value} dict."""

    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", TAGS_HELP)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return tags_to_text(value) if isinstance(value, dict) else value

    def to_python(self, value: Any) -> dict[str, str]:
        if isinstance(value, dict):
            return value
        return parse_tag_lines(value or "")

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != (initial or {})
        except ValidationError:
            return True
