import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection

from governance.audit_guard import install_triggers, remove_triggers
from governance.bootstrap import AUDITORS_GROUP, create_chain_head, create_role_groups
from governance.models import Role
from tests.factories import (
    ModelVersionFactory,
    RegisteredModelFactory,
    TeamFactory,
    UserFactory,
    grant,
)


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    marked = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    names = request.fixturenames
    return marked or "transactional_db" in names or "live_server" in names


@pytest.fixture(autouse=True)
def _append_only_audit_survives_flush(request: pytest.FixtureRequest):
    """Transactional tests commit for real and end with a table flush, which the audit
    table's append-only triggers refuse. pytest-django runs these tests last; each one
    starts from the rows the migrations create and lifts the triggers only to flush."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    install_triggers(connection)
    create_chain_head(apps)
    create_role_groups(apps)
    yield
    remove_triggers(connection)


@pytest.fixture
def team(db):
    return TeamFactory(slug="fraud", name="Fraud")


@pytest.fixture
def other_team(db):
    return TeamFactory(slug="marketing", name="Marketing")


@pytest.fixture
def personas(db, team, other_team):
    """People with roles on the "fraud" team, plus outsiders (STYLE.md personas)."""
    people = {
        "engineer": Role.ML_ENGINEER,
        "engineer2": Role.ML_ENGINEER,
        "lead": Role.ML_LEAD,
        "lead2": Role.ML_LEAD,
        "risk_officer": Role.RISK_OFFICER,
        "legal": Role.LEGAL,
        "admin": Role.GOVERNANCE_ADMIN,
    }
    users = {}
    for name, role in people.items():
        users[name] = UserFactory(username=name)
        grant(users[name], role, team)
    users["other_team_lead"] = UserFactory(username="other_team_lead")
    grant(users["other_team_lead"], Role.ML_LEAD, other_team)
    users["no_role"] = UserFactory(username="no_role")
    users["superuser"] = UserFactory(username="superuser", is_superuser=True, is_staff=True)
    users["global_risk"] = UserFactory(username="global_risk")
    grant(users["global_risk"], Role.RISK_OFFICER)
    users["auditor"] = UserFactory(username="auditor")
    users["auditor"].groups.add(Group.objects.get(name=AUDITORS_GROUP))
    return users


@pytest.fixture
def model(team, personas):
    return RegisteredModelFactory(
        name="customer-churn-predictor", team=team, owner=personas["lead"]
    )


@pytest.fixture
def version(model):
    return ModelVersionFactory(model=model, version="2.4.1", complete=True)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """PBKDF2's deliberate slowness buys nothing in tests."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield
