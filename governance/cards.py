"""The model card: its field list, its content hash and its JSON and Markdown renderings."""

import hashlib
import json
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from governance.models import ModelVersion

PENDING = "PENDING"

# The card fields a person or pipeline edits (DESIGN.md names). Identity fields and
# approved_by/approval_date are derived from the registered model and its approvals.
CARD_FIELDS = (
    "intended_use",
    "out_of_scope_uses",
    "primary_users",
    "training_data_description",
    "training_data_version",
    "training_date",
    "training_pipeline",
    "hyperparameters",
    "code_revision",
    "artifact_uri",
    "artifact_sha256",
    "evaluation_metrics",
    "performance_by_group",
    "known_limitations",
    "ethical_considerations",
    "fairness_assessment",
    "review_schedule",
    "retirement_criteria",
)

# A different artefact is a different version: once set these never change.
IMMUTABLE_ONCE_SET = ("code_revision", "artifact_uri", "artifact_sha256")

SECTIONS = (
    ("purpose", "Purpose", ("intended_use", "out_of_scope_uses", "primary_users")),
    (
        "training",
        "Training",
        (
            "training_data_description",
            "training_data_version",
            "training_date",
            "training_pipeline",
            "hyperparameters",
            "code_revision",
            "artifact_uri",
            "artifact_sha256",
        ),
    ),
    (
        "performance",
        "Performance",
        ("evaluation_metrics", "performance_by_group", "known_limitations"),
    ),
    (
        "risk_and_ethics",
        "Risk and ethics",
        ("risk_level", "ethical_considerations", "fairness_assessment"),
    ),
    (
        "governance",
        "Governance",
        ("approved_by", "approval_date", "review_schedule", "retirement_criteria"),
    ),
)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no spaces, UTF-8; used for every hash we keep."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )


def card_hash(values: dict) -> str:
    return hashlib.sha256(canonical_json(values).encode()).hexdigest()


def _approval(version: "ModelVersion") -> tuple[list[str] | str, str]:
    """approved_by and approval_date: from the approval that put the version in production."""
    from governance.models import Decision
    from governance.policies import current_production_approval

    request = current_production_approval(version)
    if request is None:
        return PENDING, PENDING
    decisions = request.decisions.filter(
        superseded_at__isnull=True, decision=Decision.APPROVED
    ).select_related("approver")
    approvers = [f"{d.approver.get_username()} ({d.role})" for d in decisions]
    return approvers, request.decided_at.isoformat()


def card_to_dict(version: "ModelVersion") -> dict:
    """The whole card, section by section, with PENDING where approval is missing."""
    model = version.model
    approved_by, approval_date = _approval(version)
    values = {field: _plain(getattr(version, field)) for field in CARD_FIELDS}
    values |= {
        "risk_level": model.risk_level,
        "approved_by": approved_by,
        "approval_date": approval_date,
    }
    card = {
        "identity": {
            "name": model.name,
            "version": version.version,
            "owner": model.owner.get_username(),
            "team": model.team.slug,
            "stage": version.stage,
            "card_revision": version.card_revision,
        }
    }
    for key, _title, fields in SECTIONS:
        card[key] = {field: values[field] for field in fields}
    return card


def _markdown_value(value: Any) -> str:
    if value in ("", None, [], {}):
        return "_not provided_"
    if isinstance(value, list):
        return "\n" + "\n".join(f"  - {_inline(item)}" for item in value)
    if isinstance(value, dict):
        return "\n" + "\n".join(f"  - {key}: {_inline(item)}" for key, item in value.items())
    text = str(value)
    if "\n" in text:  # keep paragraphs inside the list item
        return "\n\n" + "\n".join(f"  {line}" for line in text.splitlines())
    return text


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}={_inline(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_inline(item) for item in value)
    return str(value)


def card_to_markdown(version: "ModelVersion") -> str:
    card = card_to_dict(version)
    identity = card["identity"]
    lines = [
        f"# Model card: {identity['name']} {identity['version']}",
        "",
        "## Identity",
        "",
    ]
    lines += [f"- **{key}**: {value}" for key, value in identity.items()]
    for key, title, fields in SECTIONS:
        lines += ["", f"## {title}", ""]
        lines += [f"- **{field}**: {_markdown_value(card[key][field])}" for field in fields]
    return "\n".join(lines) + "\n"
