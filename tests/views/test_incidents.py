"""The serious-incident register pages: who sees and who may record, report, update and close
(literal persona tables), errors shown with nothing saved, suspend through the revoke path,
CSRF, and the link from the version page."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from governance.models import ApprovalStatus, SeriousIncident, Stage
from governance.services.incidents import incident_report_to_authority
from tests.db_state import nothing_written
from tests.factories import ModelVersionFactory, SeriousIncidentFactory
from tests.web import sign_in, text
from tests.workflows import promote

VERSION_PAGE = "/models/customer-churn-predictor/versions/2.4.1/"
REGISTER = VERSION_PAGE + "incidents/"
RECORD = REGISTER + "record/"
DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def form(**fields: str) -> dict[str, str]:
    return {
        "description": "Payments of 1,200 customers were held for two days.",
        "severity": "other",
        "aware_at": (today() - DAY).isoformat(),
        "occurred_at": "",
        "corrective_action": "",
        **fields,
    }


@pytest.fixture
def incident(version, personas) -> SeriousIncident:
    return SeriousIncidentFactory(
        version=version, reported_by=personas["engineer"], aware_at=today() - 14 * DAY
    )


@pytest.fixture
def reported(incident, personas) -> SeriousIncident:
    return incident_report_to_authority(
        actor=personas["legal"], incident_id=incident.pk, reported_at=today(), reference="R-1"
    )


def detail(incident: SeriousIncident, action: str = "") -> str:
    return f"{REGISTER}{incident.pk}/{action}"


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "record_form"),
    [
        ("anonymous", 302, False),
        ("no_role", 404, False),
        ("other_team_lead", 404, False),
        ("engineer", 200, True),
        ("lead", 200, True),
        ("risk_officer", 200, True),
        ("global_risk", 200, True),
        ("legal", 200, False),
        ("admin", 200, False),
        ("auditor", 200, False),
    ],
)
def test_register_permissions(client, personas, incident, persona, status, record_form):
    response = sign_in(client, personas, persona).get(REGISTER)

    assert response.status_code == status
    if status != 200:
        return
    page = text(response)
    assert f'href="{detail(incident)}"' in page
    assert ('action="' + RECORD + '"' in page) is record_form


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("auditor", 403),
        ("legal", 403),
        ("admin", 403),
        ("engineer", 302),
        ("lead", 302),
        ("risk_officer", 302),
    ],
)
def test_record_permissions(client, personas, version, persona, status):
    response = sign_in(client, personas, persona).post(RECORD, form())

    assert response.status_code == status
    recorded = SeriousIncident.objects.first()
    if persona != "anonymous" and status == 302:
        assert response["Location"] == detail(recorded)
        assert recorded.reported_by == personas[persona]
    else:
        assert recorded is None


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("auditor", 200),
        ("engineer", 200),
        ("legal", 200),
    ],
)
def test_incident_page_permissions(client, personas, incident, persona, status):
    assert sign_in(client, personas, persona).get(detail(incident)).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("auditor", 403),
        ("admin", 403),
        ("engineer", 403),
        ("lead", 403),
        ("risk_officer", 302),
        ("legal", 302),
    ],
)
def test_report_permissions(client, personas, incident, persona, status):
    data = {"reported_at": today().isoformat(), "reference": "MSA-7"}

    response = sign_in(client, personas, persona).post(detail(incident, "report/"), data)

    assert response.status_code == status
    incident.refresh_from_db()
    assert incident.status == ("reported" if persona in ("risk_officer", "legal") else "open")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("auditor", 403),
        ("admin", 403),
        ("engineer", 403),
        ("lead", 403),
        ("risk_officer", 302),
        ("legal", 302),
    ],
)
def test_close_permissions(client, personas, reported, persona, status):
    data = {"corrective_action": "Retrained on corrected labels."}

    response = sign_in(client, personas, persona).post(detail(reported, "close/"), data)

    assert response.status_code == status
    reported.refresh_from_db()
    assert reported.status == ("closed" if persona in ("risk_officer", "legal") else "reported")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("auditor", 403),
        ("admin", 403),
        ("engineer", 302),
        ("lead", 302),
        ("risk_officer", 302),
        ("legal", 302),
    ],
)
def test_corrective_action_permissions(client, personas, incident, persona, status):
    data = {"corrective_action": "Threshold raised."}

    response = sign_in(client, personas, persona).post(detail(incident, "corrective-action/"), data)

    assert response.status_code == status
    incident.refresh_from_db()
    assert (incident.corrective_action == "Threshold raised.") is (
        status == 302 and persona != "anonymous"
    )


@pytest.mark.parametrize(
    ("persona", "report", "update", "close"),
    [
        ("engineer", False, True, False),
        ("risk_officer", False, True, True),
        ("legal", False, True, True),
        ("auditor", False, False, False),
    ],
)
def test_the_incident_page_offers_what_the_policy_allows(
    client, personas, reported, persona, report, update, close
):
    page = text(sign_in(client, personas, persona).get(detail(reported)))

    assert ('action="' + detail(reported, "report/") + '"' in page) is report
    assert ('action="' + detail(reported, "corrective-action/") + '"' in page) is update
    assert ('formaction="' + detail(reported, "close/") + '"' in page) is close


def test_an_open_incident_offers_the_report_form_to_legal(client, personas, incident):
    page = text(sign_in(client, personas, "legal").get(detail(incident)))

    assert 'action="' + detail(incident, "report/") + '"' in page
    assert "formaction=" not in page  # closing waits for the report


# --- what the pages say ---------------------------------------------------------------------


def test_the_register_lists_class_deadline_and_status(client, personas, incident, reported):
    overdue = SeriousIncidentFactory(
        version=incident.version, severity="death", aware_at=today() - 12 * DAY
    )

    page = text(sign_in(client, personas, "lead").get(REGISTER))

    assert "Death of a person" in page and "overdue by 2 days" in page
    assert f"{overdue.report_deadline:%Y-%m-%d}" in page
    assert "ref. R-1" in page
    assert "product guidance, not legal advice" in page
    assert "Art. 73" in page


def test_the_incident_page_says_where_the_deadline_stands(client, personas, incident):
    page = text(sign_in(client, personas, "lead").get(detail(incident)))

    assert f"{incident.report_deadline:%Y-%m-%d}" in page
    assert "due in 1 day" in page
    assert "product guidance, not legal advice" in page


def test_incident_text_is_escaped(client, personas, version):
    SeriousIncidentFactory(version=version, description="<script>alert(1)</script>")

    response = sign_in(client, personas, "lead").get(detail(SeriousIncident.objects.get()))

    assert "<script>alert(1)</script>" not in text(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text(response)


def test_the_version_page_links_to_its_register(client, personas, version):
    page = text(sign_in(client, personas, "auditor").get(VERSION_PAGE))

    assert f'href="{REGISTER}"' in page


def test_an_incident_of_another_version_is_not_found_here(client, personas, incident, model):
    ModelVersionFactory(model=model, version="3.0.0")

    response = sign_in(client, personas, "lead").get(
        f"/models/customer-churn-predictor/versions/3.0.0/incidents/{incident.pk}/"
    )

    assert response.status_code == 404


# --- errors: shown, nothing saved -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"aware_at": (today() + DAY).isoformat()},
            "The date of awareness cannot be in the future.",
        ),
        ({"aware_at": "31/12/2026"}, "Give a date as YYYY-MM-DD."),
        ({"description": ""}, "This field is required."),
        ({"severity": "minor"}, "Select a valid choice."),
        ({"description": "bell\x07"}, "Control characters are not allowed."),
    ],
)
def test_bad_input_is_shown_and_nothing_is_recorded(client, personas, version, fields, message):
    sign_in(client, personas, "engineer")

    with nothing_written():
        response = client.post(RECORD, form(**fields))

    assert response.status_code == 400
    assert message in text(response)
    assert "Nothing was recorded" in text(response)


def test_a_bad_report_is_shown_and_nothing_is_saved(client, personas, incident):
    sign_in(client, personas, "legal")
    data = {"reported_at": (incident.aware_at - DAY).isoformat(), "reference": "R"}

    with nothing_written():
        response = client.post(detail(incident, "report/"), data)

    assert response.status_code == 400
    assert "The report cannot predate the date of awareness" in text(response)


def test_an_illegal_state_is_a_conflict_with_its_reason(client, personas, incident):
    sign_in(client, personas, "legal")

    with nothing_written():
        response = client.post(detail(incident, "close/"), {"corrective_action": "Done."})

    assert response.status_code == 409
    assert "has not been reported to the authority yet" in text(response)


def test_get_on_a_form_target_is_not_allowed(client, personas, incident):
    sign_in(client, personas, "legal")

    assert client.get(RECORD).status_code == 405
    assert client.get(detail(incident, "report/")).status_code == 405


def test_posts_need_the_csrf_token(personas, version):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["engineer"])

    with nothing_written():
        response = client.post(RECORD, form())

    assert response.status_code == 403


# --- suspend ------------------------------------------------------------------------------


@pytest.fixture
def live(version, personas):  # noqa: ANN201
    promote(version, personas, Stage.STAGING)
    promote(version, personas, Stage.PRODUCTION)
    return version


def test_the_suspend_box_is_offered_to_those_who_may_revoke(client, personas, live):
    risk = text(sign_in(client, personas, "risk_officer").get(REGISTER))
    client.logout()
    engineer = text(sign_in(client, personas, "engineer").get(REGISTER))

    assert 'name="suspend"' in risk
    assert 'name="suspend"' not in engineer
    assert "Suspending this version (revoking its production approval) needs" in engineer


def test_recording_with_suspend_takes_the_version_out_of_production(client, personas, live):
    response = sign_in(client, personas, "risk_officer").post(RECORD, form(suspend="on"))

    assert response.status_code == 302
    live.refresh_from_db()
    assert live.stage == Stage.DEPRECATED
    approval = live.approval_requests.get(target_stage=Stage.PRODUCTION)
    assert approval.status == ApprovalStatus.REVOKED
    page = text(client.get(response["Location"]))
    assert "The version was suspended: it left production." in page
    assert f'href="/reviews/{approval.pk}/"' in page


def test_a_suspend_by_someone_who_may_not_revoke_records_nothing(client, personas, live):
    sign_in(client, personas, "engineer")

    with nothing_written():
        response = client.post(RECORD, form(suspend="on"))

    assert response.status_code == 403
    assert "To suspend a version you need one of these roles" in text(response)
    live.refresh_from_db()
    assert live.stage == Stage.PRODUCTION


# --- queries --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_register_queries_do_not_grow_with_incidents(
    client, personas, live, count, django_assert_max_num_queries
):
    for number in range(count):
        SeriousIncidentFactory(version=live, severity="death", aware_at=today() - number * DAY)
    sign_in(client, personas, "risk_officer")

    with django_assert_max_num_queries(12):
        response = client.get(REGISTER)

    assert response.status_code == 200
    assert len(response.context["page"].rows) == count
