from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction

from governance import audit, policies
from governance.actors import Actor
from governance.enqueue import enqueue_on_commit
from governance.models import AuditEventType, MetricObservation
from governance.services.common import aware_datetime, lock_version
from governance.validators import is_finite_number, validate_metric_name, validate_single_line

MAX_POINTS = 10_000


def _point(raw: Any, index: int) -> tuple[str, float, datetime]:
    try:
        if not isinstance(raw, dict):
            raise ValidationError("expected an object with name, value and observed_at")
        unknown = sorted(set(raw) - {"name", "value", "observed_at"})
        if unknown:
            raise ValidationError(f"unknown fields {', '.join(unknown)}")
        validate_metric_name(raw.get("name"))
        if not is_finite_number(raw.get("value")):
            raise ValidationError(f"value must be a finite number, got {raw.get('value')!r}")
        return raw["name"], float(raw["value"]), aware_datetime(raw.get("observed_at"))
    except ValidationError as error:
        raise ValidationError({f"points[{index}]": error.messages}) from None


@transaction.atomic
def metrics_record(
    *, actor: Actor, version_id: int, points: list[dict], source: str = ""
) -> list[MetricObservation]:
    """Store a batch of observations (all or none; never NaN) with one audit event."""
    if not isinstance(points, list) or not points:
        raise ValidationError({"points": "Send a non-empty list of observations."})
    if len(points) > MAX_POINTS:
        raise ValidationError({"points": f"At most {MAX_POINTS} observations per call."})
    try:
        if not isinstance(source, str):
            raise ValidationError("Expected text.")
        validate_single_line(source)
        MaxLengthValidator(200)(source)
    except ValidationError as error:
        raise ValidationError({"source": error.messages}) from None
    parsed = [_point(raw, index) for index, raw in enumerate(points)]
    version = lock_version(version_id)
    policies.require_can_report(actor, version.model)
    # bulk_create is fine here: observations keep no simple-history (a time series, not a
    # governed record), each point was validated above, and one audit event covers the batch.
    observations = MetricObservation.objects.bulk_create(
        MetricObservation(version=version, name=name, value=value, observed_at=at, source=source)
        for name, value, at in parsed
    )
    moments = [at for _, _, at in parsed]
    audit.record(
        event_type=AuditEventType.METRICS_RECORDED,
        actor=actor,
        model=version.model,
        version=version,
        details={
            "version": version.version,
            "count": len(parsed),
            "names": sorted({name for name, _, _ in parsed}),
            "from": min(moments).isoformat(),
            "until": max(moments).isoformat(),
            "source": source,
        },
    )
    enqueue_on_commit("governance.tasks.evaluate_retirement_batch", [version.pk])
    return observations
