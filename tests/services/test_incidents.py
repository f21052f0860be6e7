"""services.incidents: record, report to the authority, update the corrective action and
close a serious incident; who may, which states allow what, what is stored and recorded
(history row, audit event), and that nothing is written when a call is refused."""

import datetime

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import timezone

from governance.actors import RETIREMENT
from governance.exceptions import DomainError
from governance.models import SeriousIncident
from governance.services.incidents import (
    incident_close,
    incident_record,
    incident_report_to_authority,
    incident_update_corrective_action,
)
from tests.db_state import audit_mark, history, new_events, nothing_written
from tests.factories import SeriousIncidentFactory

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def record(personas: dict, version, persona: str = "engineer", **fields) -> SeriousIncident:  # noqa: ANN001
    values = {
        "description": "Payments of 1,200 customers were held for two days.",
        "aware_at": today() - 2 * DAY,
        "severity": "death",
        **fields,
    }
    return incident_record(actor=personas[persona], version_id=version.pk, **values)


@pytest.fixture
def incident(version, personas) -> SeriousIncident:
    return SeriousIncidentFactory(version=version, reported_by=personas["engineer"])


@pytest.fixture
def reported(incident, personas) -> SeriousIncident:
    return incident_report_to_authority(
        actor=personas["risk_officer"], incident_id=incident.pk, reported_at=today(), reference="R1"
    )


# --- record ---------------------------------------------------------------------------


def test_engineer_records_an_incident_with_its_deadline_history_and_audit_event(personas, version):
    mark = audit_mark()
    aware = today() - 2 * DAY

    made = record(personas, version, occurred_at=aware - DAY, corrective_action="Rolled back.")

    stored = SeriousIncident.objects.get()
    assert stored.pk == made.pk
    assert (stored.version, stored.severity, stored.status) == (version, "death", "open")
    assert (stored.aware_at, stored.occurred_at) == (aware, aware - DAY)
    assert stored.report_deadline == aware + 10 * DAY  # Art. 73(4)
    assert (stored.reported_by, stored.corrective_action) == (personas["engineer"], "Rolled back.")
    assert (stored.reported_at, stored.authority_reference, stored.closed_at) == (None, "", None)
    assert stored.revoked_request is None
    assert history(stored) == [("+", "engineer", "recorded")]
    assert new_events(mark) == [
        (
            "incident.recorded",
            "engineer",
            version.model_id,
            version.pk,
            None,
            {
                "incident": stored.pk,
                "version": "2.4.1",
                "severity": "death",
                "aware_at": aware.isoformat(),
                "report_deadline": (aware + 10 * DAY).isoformat(),
                "status": "open",
                "occurred_at": (aware - DAY).isoformat(),
                "suspended": False,
                "revoked_request": None,
            },
        )
    ]


def test_dates_may_come_as_iso_text(personas, version):
    made = record(personas, version, aware_at="2026-01-05", severity="widespread_infringement")

    assert (made.aware_at, made.report_deadline) == (
        datetime.date(2026, 1, 5),
        datetime.date(2026, 1, 7),
    )


def test_awareness_today_is_accepted_and_not_tomorrow(personas, version):
    assert record(personas, version, aware_at=today()).aware_at == today()

    with nothing_written(), pytest.raises(ValidationError) as refused:
        record(personas, version, aware_at=today() + DAY)

    assert refused.value.message_dict == {
        "aware_at": ["The date of awareness cannot be in the future."]
    }


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"description": "  "}, {"description": ["Describe what happened."]}),
        ({"description": "bell\x07"}, {"description": ["Control characters are not allowed."]}),
        ({"description": 42}, {"description": ["Expected text."]}),
        (
            {"description": "x" * 10_001},
            {"description": ["Ensure this value has at most 10000 characters (it has 10001)."]},
        ),
        (
            {"severity": "minor"},
            {
                "severity": [
                    "Choose one of: death, serious_harm_to_health, critical_infrastructure, "
                    "widespread_infringement, other."
                ]
            },
        ),
        ({"aware_at": "yesterday"}, {"aware_at": ["Give a date as YYYY-MM-DD."]}),
        ({"aware_at": "2026-02-30"}, {"aware_at": ["Give a date as YYYY-MM-DD."]}),
        ({"aware_at": None}, {"aware_at": ["Give a date as YYYY-MM-DD."]}),
        (
            {"aware_at": datetime.datetime(2026, 1, 5, 10, 0, tzinfo=datetime.UTC)},
            {"aware_at": ["Give a date as YYYY-MM-DD."]},
        ),
        (
            {"occurred_at": "2026-13-01"},
            {"occurred_at": ["Give a date as YYYY-MM-DD."]},
        ),
        ({"corrective_action": None}, {"corrective_action": ["Expected text."]}),
        ({"suspend": "yes"}, {"suspend": ["Answer true or false."]}),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(personas, version, fields, errors):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        record(personas, version, **fields)

    assert refused.value.message_dict == errors


def test_every_bad_field_is_named_at_once(personas, version):
    with pytest.raises(ValidationError) as refused:
        record(personas, version, description="", severity="", aware_at="")

    assert set(refused.value.message_dict) == {"description", "severity", "aware_at"}


def test_it_cannot_have_occurred_after_awareness_or_in_the_future(personas, version):
    with nothing_written(), pytest.raises(ValidationError) as after:
        record(personas, version, aware_at=today() - 3 * DAY, occurred_at=today() - DAY)
    with nothing_written(), pytest.raises(ValidationError) as future:
        record(personas, version, occurred_at=today() + DAY)

    assert after.value.message_dict == {
        "occurred_at": ["It cannot have occurred after you became aware of it."]
    }
    assert future.value.message_dict == {"occurred_at": ["It cannot have occurred in the future."]}


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("engineer", True),
        ("lead", True),
        ("risk_officer", True),
        ("global_risk", True),
        ("legal", False),
        ("admin", False),
        ("auditor", False),
        ("no_role", False),
        ("other_team_lead", False),
        ("superuser", False),
    ],
)
def test_who_may_record_an_incident(personas, version, persona, allowed):
    if allowed:
        assert record(personas, version, persona=persona).reported_by == personas[persona]
        return
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        record(personas, version, persona=persona)
    assert str(refused.value) == (
        "To record a serious incident you need one of these roles on customer-churn-predictor: "
        "ml_engineer, ml_lead, risk_officer."
    )


def test_the_system_records_no_incident(version):
    with nothing_written(), pytest.raises(PermissionDenied):
        incident_record(
            actor=RETIREMENT,
            version_id=version.pk,
            description="x",
            aware_at=today(),
            severity="other",
        )


def test_a_forbidden_actor_learns_nothing_about_its_bad_input(personas, version):
    with nothing_written(), pytest.raises(PermissionDenied):
        record(personas, version, persona="legal", aware_at="not a date")


def test_an_unknown_version_is_not_found(personas):
    with pytest.raises(ObjectDoesNotExist):
        incident_record(
            actor=personas["engineer"],
            version_id=987654,
            description="x",
            aware_at=today(),
            severity="other",
        )


# --- report to the authority ----------------------------------------------------------


def test_risk_officer_records_the_report_with_history_and_audit_event(personas, incident):
    mark = audit_mark()

    done = incident_report_to_authority(
        actor=personas["risk_officer"],
        incident_id=incident.pk,
        reported_at=today() - DAY,
        reference="MSA-2026-0042",
    )

    stored = SeriousIncident.objects.get(pk=incident.pk)
    assert (done.status, stored.status) == ("reported", "reported")
    assert (stored.reported_at, stored.authority_reference) == (today() - DAY, "MSA-2026-0042")
    assert history(stored)[-1] == ("~", "risk_officer", "reported")
    [event] = new_events(mark)
    assert event[:5] == (
        "incident.reported",
        "risk_officer",
        incident.version.model_id,
        incident.version_id,
        None,
    )
    assert event[5] == {
        "incident": incident.pk,
        "version": "2.4.1",
        "severity": "other",
        "aware_at": incident.aware_at.isoformat(),
        "report_deadline": incident.report_deadline.isoformat(),
        "status": "reported",
        "reported_at": (today() - DAY).isoformat(),
        "reference": "MSA-2026-0042",
        "days_late": 0,
    }


def test_a_late_report_is_recorded_with_the_days_it_was_late(personas, version):
    late = SeriousIncidentFactory(
        version=version, severity="critical_infrastructure", aware_at=today() - 10 * DAY
    )
    mark = audit_mark()

    incident_report_to_authority(
        actor=personas["legal"], incident_id=late.pk, reported_at=today(), reference="R-9"
    )

    assert new_events(mark)[0][5]["days_late"] == 8


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"reference": " "}, {"reference": ["Give the authority's reference."]}),
        (
            {"reference": "two\nlines"},
            {"reference": ["Control characters and line breaks are not allowed here."]},
        ),
        (
            {"reference": "r" * 201},
            {"reference": ["Ensure this value has at most 200 characters (it has 201)."]},
        ),
        ({"reported_at": "soon"}, {"reported_at": ["Give a date as YYYY-MM-DD."]}),
    ],
)
def test_a_bad_report_is_refused_and_nothing_is_written(personas, incident, fields, errors):
    values = {"reported_at": today(), "reference": "R1", **fields}
    with nothing_written(), pytest.raises(ValidationError) as refused:
        incident_report_to_authority(
            actor=personas["risk_officer"], incident_id=incident.pk, **values
        )

    assert refused.value.message_dict == errors


def test_a_report_is_dated_between_awareness_and_today(personas, incident):
    def report(day: datetime.date) -> None:
        incident_report_to_authority(
            actor=personas["risk_officer"], incident_id=incident.pk, reported_at=day, reference="R"
        )

    with nothing_written(), pytest.raises(ValidationError) as early:
        report(incident.aware_at - DAY)
    with nothing_written(), pytest.raises(ValidationError) as future:
        report(today() + DAY)

    assert early.value.message_dict == {
        "reported_at": [f"The report cannot predate the date of awareness ({incident.aware_at})."]
    }
    assert future.value.message_dict == {
        "reported_at": ["The report cannot be dated in the future."]
    }
    report(incident.aware_at)
    assert SeriousIncident.objects.get(pk=incident.pk).reported_at == incident.aware_at


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("risk_officer", True),
        ("legal", True),
        ("global_risk", True),
        ("engineer", False),
        ("lead", False),
        ("admin", False),
        ("auditor", False),
        ("no_role", False),
        ("other_team_lead", False),
    ],
)
def test_who_may_report_an_incident_to_the_authority(personas, incident, persona, allowed):
    def call() -> SeriousIncident:
        return incident_report_to_authority(
            actor=personas[persona], incident_id=incident.pk, reported_at=today(), reference="R"
        )

    if allowed:
        assert call().status == "reported"
        return
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        call()
    assert str(refused.value) == (
        "To report or close a serious incident you need one of these roles on "
        "customer-churn-predictor: legal, risk_officer."
    )


def test_a_reported_incident_is_not_reported_again(personas, reported):
    with nothing_written(), pytest.raises(DomainError) as refused:
        incident_report_to_authority(
            actor=personas["legal"], incident_id=reported.pk, reported_at=today(), reference="R2"
        )

    assert refused.value.message == (
        f"Incident #{reported.pk} was already reported to the authority on {today()}."
    )


# --- corrective action and closing ------------------------------------------------------


def test_risk_officer_closes_a_reported_incident_with_its_corrective_action(personas, reported):
    mark = audit_mark()

    done = incident_close(
        actor=personas["risk_officer"], incident_id=reported.pk, corrective_action="Retrained."
    )

    stored = SeriousIncident.objects.get(pk=reported.pk)
    assert (done.status, stored.status, stored.corrective_action) == (
        "closed",
        "closed",
        "Retrained.",
    )
    assert stored.closed_at is not None and stored.closed_at <= timezone.now()
    assert history(stored)[-1] == ("~", "risk_officer", "closed")
    [event] = new_events(mark)
    assert event[0:2] == ("incident.closed", "risk_officer")
    assert (event[5]["status"], event[5]["corrective_action"]) == ("closed", "Retrained.")


def test_an_open_incident_is_reported_before_it_is_closed(personas, incident):
    with nothing_written(), pytest.raises(DomainError) as refused:
        incident_close(actor=personas["legal"], incident_id=incident.pk, corrective_action="x")

    assert refused.value.message == (
        f"Incident #{incident.pk} has not been reported to the authority yet; report it before "
        "closing it."
    )


def test_a_closed_incident_stays_as_it_was(personas, reported):
    incident_close(actor=personas["legal"], incident_id=reported.pk, corrective_action="Fixed.")

    with nothing_written(), pytest.raises(DomainError, match="is already closed"):
        incident_close(actor=personas["legal"], incident_id=reported.pk, corrective_action="x")
    with nothing_written(), pytest.raises(DomainError, match="is closed; its record is kept"):
        incident_update_corrective_action(
            actor=personas["engineer"], incident_id=reported.pk, corrective_action="y"
        )
    with nothing_written(), pytest.raises(DomainError, match="is closed; it was already"):
        incident_report_to_authority(
            actor=personas["legal"], incident_id=reported.pk, reported_at=today(), reference="R"
        )


def test_closing_needs_the_corrective_action(personas, reported):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        incident_close(actor=personas["legal"], incident_id=reported.pk, corrective_action=" ")

    assert refused.value.message_dict == {
        "corrective_action": ["Say what was done to correct it (Art. 20)."]
    }


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("risk_officer", True),
        ("legal", True),
        ("engineer", False),
        ("lead", False),
        ("admin", False),
        ("auditor", False),
        ("other_team_lead", False),
    ],
)
def test_who_may_close_an_incident(personas, reported, persona, allowed):
    def call() -> SeriousIncident:
        return incident_close(
            actor=personas[persona], incident_id=reported.pk, corrective_action="Fixed."
        )

    if allowed:
        assert call().status == "closed"
        return
    with nothing_written(), pytest.raises(PermissionDenied):
        call()


def test_the_corrective_action_is_kept_current_with_history_and_audit_event(personas, incident):
    mark = audit_mark()

    incident_update_corrective_action(
        actor=personas["lead"], incident_id=incident.pk, corrective_action="Threshold raised."
    )

    stored = SeriousIncident.objects.get(pk=incident.pk)
    assert (stored.status, stored.corrective_action) == ("open", "Threshold raised.")
    assert history(stored)[-1] == ("~", "lead", "corrective action")
    [event] = new_events(mark)
    assert event[0:2] == ("incident.updated", "lead")
    assert event[5]["corrective_action"] == "Threshold raised."


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("engineer", True),
        ("lead", True),
        ("risk_officer", True),
        ("legal", True),
        ("admin", False),
        ("auditor", False),
        ("no_role", False),
        ("other_team_lead", False),
    ],
)
def test_who_may_update_the_corrective_action(personas, incident, persona, allowed):
    def call() -> SeriousIncident:
        return incident_update_corrective_action(
            actor=personas[persona], incident_id=incident.pk, corrective_action="Fixed."
        )

    if allowed:
        assert call().corrective_action == "Fixed."
        return
    with nothing_written(), pytest.raises(PermissionDenied):
        call()


def test_an_unknown_incident_is_not_found(personas):
    with pytest.raises(ObjectDoesNotExist):
        incident_close(actor=personas["legal"], incident_id=424242, corrective_action="x")
