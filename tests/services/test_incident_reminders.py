"""services.incident_reminders: an open serious incident whose reporting deadline is due soon
or past reminds the model's owner and the team's ML leads and risk officers, once a day, in
the app and by e-mail after the commit; idempotent, quiet once reported, and part of the
daily review-reminder sweep and of the evaluate_retirement command."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from governance.models import Notification, Role
from governance.selectors.incidents import incident_reminder_ids
from governance.services.incident_reminders import incident_reminders_send
from governance.services.incidents import incident_report_to_authority
from governance.tasks import send_incident_reminders_batch
from tests.db_state import nothing_written
from tests.factories import RegisteredModelFactory, SeriousIncidentFactory, UserFactory, grant

DAY = datetime.timedelta(days=1)
REMINDED = ["lead", "lead2", "risk_officer"]  # owner (lead), the team's leads, risk officers


def today() -> datetime.date:
    return timezone.localdate()


def due(version, days_left: int, severity: str = "other"):  # noqa: ANN001, ANN201
    """An open incident whose deadline is days_left days away (negative: overdue)."""
    days = {"other": 15, "death": 10, "critical_infrastructure": 2}[severity]
    return SeriousIncidentFactory(
        version=version, severity=severity, aware_at=today() + (days_left - days) * DAY
    )


def remind(incidents: list, capture, **kwargs) -> list:  # noqa: ANN001
    with capture(execute=True):
        return incident_reminders_send(incident_ids=[i.pk for i in incidents], **kwargs)


def notified() -> list[tuple[str, int]]:
    rows = Notification.objects.order_by("incident_id", "recipient__username")
    return list(rows.values_list("recipient__username", "incident_id"))


def test_an_overdue_incident_reminds_the_owner_leads_and_risk_officers(
    version, django_capture_on_commit_callbacks, mailoutbox
):
    incident = due(version, -2, "death")

    findings = remind([incident], django_capture_on_commit_callbacks)

    assert notified() == [(name, incident.pk) for name in REMINDED]
    message = (
        f"customer-churn-predictor 2.4.1: serious incident #{incident.pk} (Death of a person) "
        f"must be reported to the authority by {incident.report_deadline:%Y-%m-%d} (Art. 73): "
        "overdue by 2 days."
    )
    link = reverse(
        "governance:incident-detail", args=["customer-churn-predictor", "2.4.1", incident.pk]
    )
    assert set(Notification.objects.values_list("message", "link", "key")) == {
        (message, link, f"deadline@{today().isoformat()}")
    }
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(f"{n}@example.com" for n in REMINDED)
    assert mailoutbox[0].subject == f"Tutela: {message}"
    assert link in mailoutbox[0].body
    assert [(f.rule, f.fired, f.action) for f in findings] == [
        ("incident_deadline", True, "reminded")
    ]
    assert findings[0].reasons == [{"message": message, "incident": incident.pk}]


def test_several_incidents_make_one_mail_per_person(
    version, django_capture_on_commit_callbacks, mailoutbox
):
    incidents = [due(version, 1), due(version, -1)]

    remind(incidents, django_capture_on_commit_callbacks)

    assert len(notified()) == 6
    assert len(mailoutbox) == 3
    assert mailoutbox[0].subject == "Tutela: 2 serious incidents to report"


@pytest.mark.parametrize(
    ("days_left", "reminded"),
    [(3, False), (2, True), (0, True), (-1, True), (-30, True)],
)
def test_only_incidents_due_soon_or_overdue_remind(
    version, django_capture_on_commit_callbacks, days_left, reminded
):
    incident = due(version, days_left)

    assert (incident.pk in incident_reminder_ids(today=today())) is reminded
    remind([incident], django_capture_on_commit_callbacks)
    assert bool(notified()) is reminded


def test_the_due_soon_window_is_a_setting(version, settings, django_capture_on_commit_callbacks):
    settings.TUTELA_INCIDENT_DUE_SOON_DAYS = 5
    incident = due(version, 5)

    remind([incident], django_capture_on_commit_callbacks)

    assert len(notified()) == 3


def test_reminders_go_out_once_a_day_and_a_rerun_writes_nothing(
    version, django_capture_on_commit_callbacks, mailoutbox
):
    incident = due(version, -1)
    remind([incident], django_capture_on_commit_callbacks)

    with nothing_written():
        again = remind([incident], django_capture_on_commit_callbacks)
    tomorrow = timezone.now() + DAY
    next_day = remind([incident], django_capture_on_commit_callbacks, now=tomorrow)

    assert [f.action for f in again] == ["unchanged"]
    assert [f.action for f in next_day] == ["reminded"]
    assert (Notification.objects.count(), len(mailoutbox)) == (6, 6)
    next_key = f"deadline@{(today() + DAY).isoformat()}"
    assert Notification.objects.filter(key=next_key).count() == 3


def test_a_person_added_to_the_team_later_that_day_is_reminded_alone(
    version, personas, django_capture_on_commit_callbacks, mailoutbox
):
    incident = due(version, 0)
    remind([incident], django_capture_on_commit_callbacks)
    newcomer = UserFactory(username="risk2")
    grant(newcomer, Role.RISK_OFFICER, version.model.team)

    remind([incident], django_capture_on_commit_callbacks)

    assert [m.to for m in mailoutbox[3:]] == [["risk2@example.com"]]


def test_a_reported_incident_reminds_nobody(
    version, personas, django_capture_on_commit_callbacks, mailoutbox
):
    incident = due(version, -3)
    incident_report_to_authority(
        actor=personas["legal"], incident_id=incident.pk, reported_at=today(), reference="R"
    )

    with nothing_written():
        findings = remind([incident], django_capture_on_commit_callbacks)

    assert findings == []
    assert incident_reminder_ids(today=today()) == []
    assert mailoutbox == []


def test_a_dry_run_says_what_it_would_do_and_writes_nothing(
    version, django_capture_on_commit_callbacks, mailoutbox
):
    incident = due(version, -1)

    with nothing_written():
        findings = remind([incident], django_capture_on_commit_callbacks, dry_run=True)

    assert [f.action for f in findings] == ["would remind"]
    assert mailoutbox == []


def test_reminder_queries_do_not_grow_with_incidents(
    team, personas, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    incidents = [
        due(
            RegisteredModelFactory(team=team, owner=personas["lead"]).versions.create(
                version="1.0.0", created_by=personas["lead"]
            ),
            -1,
        )
        for _ in range(12)
    ]
    remind(incidents, django_capture_on_commit_callbacks)

    with django_assert_max_num_queries(5):
        remind(incidents, django_capture_on_commit_callbacks)  # everyone reminded: a quiet run


# --- the batch task and the command -------------------------------------------------------


def test_the_batch_task_reminds(version, django_capture_on_commit_callbacks):
    incident = due(version, -1)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_incident_reminders_batch([incident.pk]) == 1

    assert len(notified()) == 3


def test_evaluate_retirement_reports_and_sends_incident_reminders(
    version, django_capture_on_commit_callbacks, mailoutbox
):
    incident = due(version, -2, "death")
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("evaluate_retirement", stdout=out)

    assert out.getvalue().splitlines()[-3:] == [
        "Incident deadlines: 1 checked, 1 to report.",
        "  customer-churn-predictor 2.4.1: incident_deadline fires, reminded",
        f"    - customer-churn-predictor 2.4.1: serious incident #{incident.pk} (Death of a "
        f"person) must be reported to the authority by {incident.report_deadline:%Y-%m-%d} "
        "(Art. 73): overdue by 2 days.",
    ]
    assert len(mailoutbox) == 3


def test_evaluate_retirement_dry_run_and_model_filter(
    version, team, django_capture_on_commit_callbacks
):
    due(version, 0)
    other = RegisteredModelFactory(name="campaign-uplift", team=team)
    due(other.versions.create(version="1.0.0", created_by=other.owner), 0)
    out = StringIO()

    with nothing_written():
        call_command("evaluate_retirement", "--dry-run", "--model", "campaign-uplift", stdout=out)

    assert "Incident deadlines: 1 checked, 1 to report." in out.getvalue()
    assert "campaign-uplift 1.0.0: incident_deadline fires, would remind" in out.getvalue()
    assert "customer-churn-predictor" not in out.getvalue()
