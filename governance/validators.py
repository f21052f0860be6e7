"""Input validators: every field the outside world fills is checked here.

Each validator raises django.core.exceptions.ValidationError with a message that
says what is wrong; model.full_clean() attaches it to the field's name.
"""

import math
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from packaging.version import InvalidVersion, Version

MODEL_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,98}[a-z0-9])?$")
METRIC_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$")
SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
TAG_KEY_RE = re.compile(r"^[A-Za-z0-9._/-]{1,250}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
URI_RE = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s]+$")
CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAKS_RE = re.compile(r"[\r\n\t]")

MAX_LIST_ITEMS = 100
MAX_ITEM_LENGTH = 2_000
MAX_KEY_LENGTH = 200
MAX_DICT_ITEMS = 200
VERSION_MAX_LENGTH = 64


def validate_model_name(value: str) -> None:
    if not MODEL_NAME_RE.fullmatch(value or ""):
        raise ValidationError(
            "Use 1-100 lowercase letters, digits, '.', '_' or '-', starting and ending "
            "with a letter or digit (no slashes, spaces or control characters).",
            code="invalid_name",
        )


def validate_tag_key(value: str) -> None:
    if not isinstance(value, str) or not TAG_KEY_RE.fullmatch(value):
        raise ValidationError(
            "Use 1-250 letters, digits, '.', '_', '-' or '/' for a tag key.", code="invalid_tag"
        )


def validate_version_string(value: str) -> None:
    """A version is a PEP 440 or a semantic version, e.g. 2.4.1, 1.0rc1 or 1.0.0-beta.2."""
    if not value or len(value) > VERSION_MAX_LENGTH or value.strip() != value:
        raise ValidationError("Enter a PEP 440 or semantic version such as 2.4.1.")
    if value[0] in "vV":  # PEP 440 normalizes it away: v2.4.1 would duplicate 2.4.1
        raise ValidationError(
            "Write the version without a leading 'v' (e.g. 2.4.1).", code="invalid_version"
        )
    if SEMVER_RE.fullmatch(value):
        return
    try:
        Version(value)
    except InvalidVersion:
        raise ValidationError(
            f"'{value[:80]}' is not a PEP 440 or semantic version (e.g. 2.4.1).",
            code="invalid_version",
        ) from None


def validate_single_line(value: str) -> None:
    if CONTROL_CHARS_RE.search(value or "") or LINE_BREAKS_RE.search(value or ""):
        raise ValidationError("Control characters and line breaks are not allowed here.")


def validate_text(value: str) -> None:
    """Free text may hold line breaks and tabs but no other control characters."""
    if CONTROL_CHARS_RE.search(value or ""):
        raise ValidationError("Control characters are not allowed.")


def validate_sha256(value: str) -> None:
    if value and not SHA256_RE.fullmatch(value):
        raise ValidationError("Enter a SHA-256 checksum: 64 lowercase hexadecimal characters.")


def validate_artifact_uri(value: str) -> None:
    if not value:
        return
    if not URI_RE.fullmatch(value) or CONTROL_CHARS_RE.search(value):
        raise ValidationError("Enter a URI with a scheme, e.g. s3://bucket/model.pkl.")
    if value.split(":", 1)[0] in {"javascript", "data", "vbscript"}:
        raise ValidationError("This URI scheme is not allowed for artefacts.")


def validate_metric_name(value: str) -> None:
    if not isinstance(value, str) or not METRIC_NAME_RE.fullmatch(value):
        raise ValidationError(
            f"'{str(value)[:80]}' is not a metric name: use up to 100 letters, digits or "
            "'_.:/-', starting with a letter or digit."
        )


def is_finite_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float (JSON allows any length)
        return False


def _require_type(value: Any, kind: type, label: str) -> None:
    if not isinstance(value, kind):
        raise ValidationError(f"Expected {label}, got {type(value).__name__}.")


def _check_string(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise ValidationError(f"{where}: expected text, got {type(value).__name__}.")
    if len(value) > MAX_ITEM_LENGTH:
        raise ValidationError(f"{where}: at most {MAX_ITEM_LENGTH} characters.")
    if CONTROL_CHARS_RE.search(value):
        raise ValidationError(f"{where}: control characters are not allowed.")


def _check_key(key: Any, where: str) -> None:
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ValidationError(f"{where}: keys must be non-empty text of at most {MAX_KEY_LENGTH}.")
    validate_single_line(key)


def validate_string_list(value: Any) -> None:
    """A list of non-empty strings: out_of_scope_uses, primary_users, known_limitations, ..."""
    _require_type(value, list, "a list of text items")
    if len(value) > MAX_LIST_ITEMS:
        raise ValidationError(f"At most {MAX_LIST_ITEMS} items.")
    for index, item in enumerate(value):
        _check_string(item, f"item {index + 1}")
        if not item.strip():
            raise ValidationError(f"item {index + 1}: empty items are not allowed.")


def validate_metric_values(value: Any) -> None:
    """evaluation_metrics: metric name -> finite number."""
    _require_type(value, dict, "an object of metric name to number")
    if len(value) > MAX_DICT_ITEMS:
        raise ValidationError(f"At most {MAX_DICT_ITEMS} metrics.")
    for name, number in value.items():
        validate_metric_name(name)
        if not is_finite_number(number):
            raise ValidationError(f"{name}: expected a finite number, got {number!r}.")


def validate_performance_by_group(value: Any) -> None:
    """performance_by_group: group -> metric name -> finite number."""
    _require_type(value, dict, "an object of group to metrics")
    if len(value) > MAX_DICT_ITEMS:
        raise ValidationError(f"At most {MAX_DICT_ITEMS} groups.")
    for group, metrics in value.items():
        _check_key(group, "group")
        try:
            validate_metric_values(metrics)
        except ValidationError as error:
            raise ValidationError(f"{group}: {'; '.join(error.messages)}") from None


def _check_scalar(value: Any, where: str) -> None:
    if value is None or isinstance(value, bool) or is_finite_number(value):
        return
    if isinstance(value, str):
        _check_string(value, where)
        return
    raise ValidationError(f"{where}: expected text, a finite number, true/false or null.")


def validate_hyperparameters(value: Any) -> None:
    """hyperparameters: name -> scalar, list of scalars, or one level of name -> scalar."""
    _require_type(value, dict, "an object of parameter name to value")
    if len(value) > MAX_DICT_ITEMS:
        raise ValidationError(f"At most {MAX_DICT_ITEMS} hyperparameters.")
    for name, item in value.items():
        _check_key(name, "hyperparameter")
        if isinstance(item, list):
            if len(item) > MAX_LIST_ITEMS:
                raise ValidationError(f"{name}: at most {MAX_LIST_ITEMS} items.")
            for element in item:
                _check_scalar(element, name)
        elif isinstance(item, dict):
            for sub_name, element in item.items():
                _check_key(sub_name, name)
                _check_scalar(element, f"{name}.{sub_name}")
        else:
            _check_scalar(item, name)


FAIRNESS_KEYS = {"method", "summary", "groups", "results"}


def validate_fairness_assessment(value: Any) -> None:
    """fairness_assessment: {method, summary, groups: [..], results: {metric: number}}."""
    _require_type(value, dict, "an object with method, summary, groups and results")
    unknown = sorted(set(value) - FAIRNESS_KEYS)
    if unknown:
        raise ValidationError(
            f"Unknown keys: {', '.join(unknown)} (allowed: {', '.join(sorted(FAIRNESS_KEYS))})."
        )
    for key in ("method", "summary"):
        if key in value:
            _check_string(value[key], key)
    if "groups" in value:
        validate_string_list(value["groups"])
    if "results" in value:
        validate_metric_values(value["results"])


CRITERIA_KEYS = {"max_age_days", "metric_floors", "drift_ceiling", "retire_on_replacement"}
FLOOR_KEYS = {"metric", "min", "days"}


def _positive_int(value: Any, where: str, upper: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
        raise ValidationError(f"{where}: expected a whole number from 1 to {upper}.")


def _validate_metric_floor(floor: Any, index: int) -> None:
    where = f"metric_floors[{index}]"
    if not isinstance(floor, Mapping) or set(floor) != FLOOR_KEYS:
        raise ValidationError(f"{where}: expected {{metric, min, days}}.")
    validate_metric_name(floor["metric"])
    if not is_finite_number(floor["min"]):
        raise ValidationError(f"{where}.min: expected a finite number.")
    _positive_int(floor["days"], f"{where}.days", 365)


def validate_retirement_criteria(value: Any) -> None:
    """Structured rules: max_age_days, metric_floors[{metric, min, days}], drift_ceiling,
    retire_on_replacement. Absent or null rules do not apply."""
    _require_type(value, dict, "an object of retirement rules")
    unknown = sorted(set(value) - CRITERIA_KEYS)
    if unknown:
        raise ValidationError(
            f"Unknown rules: {', '.join(unknown)} (allowed: {', '.join(sorted(CRITERIA_KEYS))})."
        )
    if value.get("max_age_days") is not None:
        _positive_int(value["max_age_days"], "max_age_days", 3650)
    floors = value.get("metric_floors") or []
    _require_type(floors, list, "metric_floors as a list")
    if len(floors) > 20:
        raise ValidationError("At most 20 metric floors.")
    for index, floor in enumerate(floors):
        _validate_metric_floor(floor, index)
    ceiling = value.get("drift_ceiling")
    if ceiling is not None and (not is_finite_number(ceiling) or ceiling < 0):
        raise ValidationError("drift_ceiling: expected a finite number of at least 0.")
    replacement = value.get("retire_on_replacement", False)
    if not isinstance(replacement, bool):
        raise ValidationError("retire_on_replacement: expected true or false.")
