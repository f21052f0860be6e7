"""Recording an incident with suspend: the version leaves production through the revoke path
(the approval that put it there is revoked) in the same transaction; a person who may not
revoke is refused altogether, and a version out of production has nothing to suspend."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance.exceptions import DomainError
from governance.models import ApprovalStatus, ModelVersion, SeriousIncident, Stage
from governance.services.incidents import incident_record
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import ModelVersionFactory
from tests.workflows import promote


def record(personas: dict, version: ModelVersion, persona: str, **fields) -> SeriousIncident:
    values = {
        "description": "The model denied cover to every applicant over 60.",
        "aware_at": timezone.localdate() - datetime.timedelta(days=1),
        "severity": "widespread_infringement",
        "suspend": True,
        **fields,
    }
    return incident_record(actor=personas[persona], version_id=version.pk, **values)


@pytest.fixture
def live(version, personas) -> ModelVersion:
    """2.4.1 in production through a real approval."""
    promote(version, personas, Stage.STAGING)
    promote(version, personas, Stage.PRODUCTION)
    version.refresh_from_db()
    return version


def production_approval(version: ModelVersion):  # noqa: ANN201
    return version.approval_requests.get(target_stage=Stage.PRODUCTION)


def test_suspending_revokes_the_production_approval_and_the_version_leaves_production(
    personas, live
):
    approval = production_approval(live)
    mark = audit_mark()

    incident = record(personas, live, "risk_officer")

    live.refresh_from_db()
    approval.refresh_from_db()
    assert (live.stage, incident.version.stage) == (Stage.DEPRECATED, Stage.DEPRECATED)
    assert (approval.status, approval.revoked_by) == (
        ApprovalStatus.REVOKED,
        personas["risk_officer"],
    )
    assert approval.revoke_reason == (
        f"Suspended on serious incident #{incident.pk} (Widespread infringement)."
    )
    assert SeriousIncident.objects.get().revoked_request == approval
    events = new_events(mark)
    assert [event[0] for event in events] == [
        "incident.recorded",
        "approval.revoked",
        "model.deprecated",
    ]
    assert (events[0][5]["suspended"], events[0][5]["revoked_request"]) == (True, approval.pk)


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("risk_officer", "suspended"),
        ("global_risk", "suspended"),
        ("engineer", 403),  # may record, may not revoke
        ("lead", 403),  # may record, may not revoke
        ("legal", 403),  # may revoke, may not record
        ("auditor", 403),
    ],
)
def test_who_may_suspend_while_recording(personas, live, persona, outcome):
    if outcome == "suspended":
        record(personas, live, persona)
        live.refresh_from_db()
        assert live.stage == Stage.DEPRECATED
        return
    with nothing_written(), pytest.raises(PermissionDenied):
        record(personas, live, persona)
    live.refresh_from_db()
    assert live.stage == Stage.PRODUCTION
    assert production_approval(live).status == ApprovalStatus.APPROVED


def test_a_non_revoker_is_told_why_and_nothing_is_recorded(personas, live):
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        record(personas, live, "engineer")

    assert str(refused.value) == (
        "To suspend a version you need one of these roles on customer-churn-predictor: legal, "
        "risk_officer."
    )


def test_the_same_person_records_without_suspending(personas, live):
    incident = record(personas, live, "engineer", suspend=False)

    live.refresh_from_db()
    assert (live.stage, incident.revoked_request) == (Stage.PRODUCTION, None)


@pytest.mark.parametrize("stage", [Stage.DEVELOPMENT, Stage.STAGING, Stage.DEPRECATED])
def test_a_version_out_of_production_has_nothing_to_suspend(personas, model, stage):
    version = ModelVersionFactory(model=model, version="3.0.0", stage=stage)

    with nothing_written(), pytest.raises(DomainError) as refused:
        record(personas, version, "risk_officer")

    assert refused.value.message == (
        f"customer-churn-predictor 3.0.0 is {stage}, not in production: there is nothing to "
        "suspend. Record the incident without suspending it."
    )


def test_bad_input_with_suspend_suspends_nothing(personas, live):
    with nothing_written(), pytest.raises(ValidationError):
        record(personas, live, "risk_officer", aware_at="tomorrow")

    live.refresh_from_db()
    assert live.stage == Stage.PRODUCTION


def test_a_production_version_without_an_approval_cannot_be_suspended(personas, model):
    seeded = ModelVersionFactory(model=model, version="1.0.0", stage=Stage.PRODUCTION)

    with nothing_written(), pytest.raises(DomainError) as refused:
        record(personas, seeded, "risk_officer")

    assert refused.value.message == (
        "No approved production request of customer-churn-predictor 1.0.0 was found to revoke."
    )
