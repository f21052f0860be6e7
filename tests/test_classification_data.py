"""The classification's reference data and surroundings: the regulatory dates migration 0009
fills, who the policy lets classify, and the admin (classifications view only, dates
edited by superusers only)."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from governance import policies
from governance.actors import RETIREMENT
from governance.models import RegulatoryDate, Role
from governance.selectors.classification import regulatory_dates
from governance.services.classification import classification_confirm
from tests.admin_support import governance_admin, login, superuser, url
from tests.factories import UserFactory, grant

MIGRATION = importlib.import_module("governance.migrations.0009_classification")


def test_migration_fills_the_dates_in_force_after_the_omnibus(db):
    rows = {(row.applies_from.isoformat(), row.status) for row in regulatory_dates()}
    assert rows == {
        ("2024-08-01", "certain"),
        ("2025-02-02", "certain"),
        ("2025-08-02", "certain"),
        ("2026-07-27", "pending"),
        ("2026-08-02", "certain"),
        ("2026-08-02", "pending"),
        ("2026-12-02", "certain"),
        ("2027-12-02", "certain"),
        ("2028-08-02", "certain"),
        ("2030-08-02", "certain"),
    }
    annex_iii = RegulatoryDate.objects.get(applies_from=datetime.date(2027, 12, 2))
    assert "Annex III" in annex_iii.obligation and "Art 6(2)" in annex_iii.articles
    assert "Regulation (EU) 2026/1744" in annex_iii.source
    assert all(row.source for row in regulatory_dates())


def test_dates_come_in_date_order(db):
    days = [row.applies_from for row in regulatory_dates()]
    assert days == sorted(days) and len(days) == 10


def test_running_the_data_step_again_adds_no_duplicate(db):
    MIGRATION.add_regulatory_dates(apps, None)
    assert RegulatoryDate.objects.count() == 10


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("risk_officer", True),
        ("lead", True),
        ("admin", True),
        ("global_risk", True),
        ("model_risk_officer", True),
        ("engineer", False),
        ("legal", False),
        ("other_team_lead", False),
        ("no_role", False),
        ("auditor", False),
        ("superuser", False),
        ("system", False),
    ],
)
def test_who_may_classify(personas, model, persona, allowed):
    personas["model_risk_officer"] = UserFactory(username="model_risk_officer")
    grant(personas["model_risk_officer"], Role.RISK_OFFICER, model)
    personas["system"] = RETIREMENT
    assert policies.can(policies.require_can_classify, personas[persona], model) is allowed


def test_superuser_edits_the_regulatory_dates(client, db):
    row = RegulatoryDate.objects.get(applies_from=datetime.date(2028, 8, 2))
    login(client, superuser())
    form = {
        "obligation": row.obligation,
        "applies_from": "2028-08-03",
        "articles": row.articles,
        "status": "pending",
        "source": "Corrigendum, to verify.",
    }

    response = client.post(url("regulatorydate", "change", row.pk), form)

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.applies_from, row.status) == (datetime.date(2028, 8, 3), "pending")


def test_a_governance_admin_reads_but_cannot_change_the_dates(client, db):
    row = RegulatoryDate.objects.first()
    login(client, governance_admin())

    assert client.get(url("regulatorydate", "changelist")).status_code == 200
    assert client.get(url("regulatorydate", "add")).status_code == 403
    assert (
        client.post(url("regulatorydate", "change", row.pk), {"status": "pending"}).status_code
        == 403
    )
    assert client.post(url("regulatorydate", "delete", row.pk), {"post": "yes"}).status_code == 403
    assert RegulatoryDate.objects.filter(pk=row.pk, status=row.status).exists()


def test_classifications_are_view_only_in_the_admin_even_for_a_superuser(client, personas, model):
    answers = {
        "organisation_role": "provider",
        "intended_purpose": "Churn ranking.",
        "annex_i_safety_component": False,
        "annex_iii_point": "none",
        "profiles_natural_persons": True,
        "general_purpose_ai": False,
    }
    row = classification_confirm(actor=personas["risk_officer"], model_id=model.pk, answers=answers)
    login(client, superuser())

    assert client.get(url("riskclassification", "changelist")).status_code == 200
    assert client.get(url("riskclassification", "change", row.pk)).status_code == 200
    assert client.get(url("riskclassification", "history", row.pk)).status_code == 200
    assert client.get(url("riskclassification", "add")).status_code == 403
    assert client.post(url("riskclassification", "change", row.pk), {}).status_code == 403


def test_people_without_model_access_do_not_see_classifications_in_the_admin(client, db):
    staff = UserFactory(username="staff-only", is_staff=True)
    staff.groups.add(Group.objects.get(name=Role.LEGAL))
    outsider = UserFactory(username="outsider", is_staff=True)

    assert login(client, staff).get(url("riskclassification", "changelist")).status_code == 200
    assert login(client, outsider).get(url("riskclassification", "changelist")).status_code == 403
