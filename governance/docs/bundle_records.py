"""The records of the auditor's bundle as JSON: the rows of a model's requests, decisions,
deployments, incidents and classification, and simple-history's records of each, read in
chunks and written as they are read, so a model with a long history never sits in memory.

Each row carries every column of its table (foreign keys as ids) and, for each column
naming a person, their username next to it (`requester_id` and `requester_username`).
"""

import datetime
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, Model, QuerySet

from governance.audit import format_timestamp
from governance.models import (
    ApprovalDecision,
    ApprovalRequest,
    Deployment,
    ModelVersion,
    RegisteredModel,
    RiskClassification,
    SeriousIncident,
)

CHUNK = 2000  # rows per database fetch


def _plain(value: Any) -> Any:
    """JSON for what the database returns beyond JSON's types: moments as the audit trail
    writes them (UTC, microseconds, "Z"), days as ISO dates."""
    if isinstance(value, datetime.datetime):
        return format_timestamp(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json(value: Any) -> str:
    return json.dumps(value, default=_plain, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def json_array(rows: Iterable[dict]) -> Iterator[str]:
    """A JSON array written one row a line, as the rows come."""
    separator = "[\n"
    for row in rows:
        yield separator + json.dumps(row, default=_plain, ensure_ascii=False, sort_keys=True)
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"


def rows(queryset: QuerySet, order: str, **extra: F) -> Iterator[dict]:
    """Every column of the queryset's table, people's usernames next to their ids."""
    user_model = get_user_model()
    fields = queryset.model._meta.concrete_fields
    people = {
        f"{field.name}_username": F(f"{field.name}__{user_model.USERNAME_FIELD}")
        for field in fields
        if field.is_relation and field.related_model is user_model
    }
    columns = [field.attname for field in fields]
    values = queryset.order_by(order).values(*columns, **people, **extra)
    return values.iterator(chunk_size=CHUNK)


def _history(model: type[Model]) -> QuerySet:
    return model.history.all()


def record_files(model: RegisteredModel) -> list[tuple[str, Iterator[dict]]]:
    """(file name, rows) of every record file, in the bundle's order. The rows are lazy:
    each query runs when its file is written."""
    version_ids = ModelVersion.objects.filter(model=model).values("pk")
    request_ids = ApprovalRequest.objects.filter(version__model=model).values("pk")
    of_version = {"version_label": F("version__version")}
    return [
        ("approvals/requests.json", rows(_of(ApprovalRequest, version_ids), "pk", **of_version)),
        (
            "approvals/decisions.json",
            rows(ApprovalDecision.objects.filter(request_id__in=request_ids), "pk"),
        ),
        ("deployments.json", rows(_of(Deployment, version_ids), "pk", **of_version)),
        ("incidents.json", rows(_of(SeriousIncident, version_ids), "pk", **of_version)),
        (
            "history/registered-model.json",
            rows(_history(RegisteredModel).filter(id=model.pk), "history_id"),
        ),
        ("history/versions.json", rows(_history(ModelVersion).filter(model=model), "history_id")),
        (
            "history/approval-requests.json",
            rows(_history(ApprovalRequest).filter(version_id__in=version_ids), "history_id"),
        ),
        (
            "history/approval-decisions.json",
            rows(_history(ApprovalDecision).filter(request_id__in=request_ids), "history_id"),
        ),
        (
            "history/deployments.json",
            rows(_history(Deployment).filter(version_id__in=version_ids), "history_id"),
        ),
        (
            "history/incidents.json",
            rows(_history(SeriousIncident).filter(version_id__in=version_ids), "history_id"),
        ),
        (
            "classification/history.json",
            rows(_history(RiskClassification).filter(model=model), "history_id"),
        ),
    ]


def _of(model: type[Model], version_ids: QuerySet) -> QuerySet:
    return model.objects.filter(version_id__in=version_ids)


def model_record(model: RegisteredModel) -> dict:
    """The registered model as it is now, with its team's slug and its tags."""
    found = next(rows(RegisteredModel.objects.filter(pk=model.pk), "pk", team_slug=F("team__slug")))
    found["tags"] = dict(model.tags.order_by("key").values_list("key", "value"))
    return found


def classification_record(model: RegisteredModel) -> dict | None:
    """The current risk classification (None when the model was never classified)."""
    current = RiskClassification.objects.filter(model=model)
    return next(rows(current, "pk"), None)
