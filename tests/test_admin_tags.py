"""Tags on the model and version admin pages: key=value lines saved through the services
with the logged-in user as actor; refusals become form errors and nothing is written."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from governance.models import AuditEventType, ModelVersion, RegisteredModel, Role
from governance.services.tags import model_tags_set, version_tags_set
from tests.admin_support import events, governance_admin, login, staff, url
from tests.db_state import nothing_written
from tests.factories import ModelVersionFactory, RegisteredModelFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead() -> User:
    return staff("lead", Role.ML_LEAD)


@pytest.fixture
def model(lead: User) -> RegisteredModel:
    found = RegisteredModelFactory(name="fraud-scorer", owner=lead)
    model_tags_set(actor=lead, model_id=found.pk, tags={"domain": "payments", "tier": "1"})
    return found


@pytest.fixture
def version(model: RegisteredModel, lead: User) -> ModelVersion:
    found = ModelVersionFactory(model=model, version="1.0.0", complete=True)
    version_tags_set(actor=lead, version_id=found.pk, tags={"run": "7"})
    return found


def _posted(client: Client, path: str, **changes: Any) -> dict[str, Any]:
    """What the browser would post from the page's form, with the given fields changed."""
    form = client.get(path).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
        if field.show_hidden_initial:  # a callable default's hidden "initial-" input
            data[form.add_initial_prefix(name)] = data[name]
    return {**data, **changes}


def _field_errors(response: Any, field: str) -> str:
    return " ".join(response.context["adminform"].form.errors.get(field, []))


def _tags(owner: RegisteredModel | ModelVersion) -> dict[str, str]:
    return dict(owner.tags.values_list("key", "value"))


# --- registered models ----------------------------------------------------------------


def test_model_change_form_shows_the_tags_as_lines(client, lead, model):
    login(client, lead)

    page = client.get(url("registeredmodel", "change", model.pk))

    assert page.context["adminform"].form["tags"].value() == "domain=payments\ntier=1"
    assert "One tag a line, as key=value" in page.content.decode()


def test_governance_admin_replaces_model_tags_through_the_service(client, model):
    admin_user = governance_admin()
    login(client, admin_user)
    path = url("registeredmodel", "change", model.pk)

    response = client.post(path, _posted(client, path, tags="domain=cards\r\nticket=GOV-9"))

    assert response.status_code == 302
    assert _tags(model) == {"domain": "cards", "ticket": "GOV-9"}
    [*_, event] = events(AuditEventType.TAGS_CHANGED)
    assert (event.actor_user, event.details_data) == (
        admin_user,
        {
            "version": None,
            "before": {"domain": "payments", "ticket": None, "tier": "1"},
            "after": {"domain": "cards", "ticket": "GOV-9", "tier": None},
        },
    )


def test_lead_changes_settings_and_tags_in_one_save(client, lead, model):
    login(client, lead)
    path = url("registeredmodel", "change", model.pk)

    client.post(path, _posted(client, path, description="Scores payments.", tags="tier=2"))

    model.refresh_from_db()
    assert (model.description, _tags(model)) == ("Scores payments.", {"tier": "2"})


def test_lead_registers_a_model_with_tags(client, lead):
    team = TeamFactory(slug="payments")
    login(client, lead)
    data = {
        "name": "fraud-ranker",
        "team": team.pk,
        "owner": lead.pk,
        "risk_level": "high",
        "description": "",
        "grace_period_days": 30,
        "tags": "domain=payments",
    }

    response = client.post(url("registeredmodel", "add"), data)

    assert response.status_code == 302
    model = RegisteredModel.objects.get(name="fraud-ranker")
    assert _tags(model) == {"domain": "payments"}
    [event] = events(AuditEventType.MODEL_REGISTERED)
    assert event.details_data["tags"] == {"domain": "payments"}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("domain=cards\nno equals sign", "Line 2: write the tag as key=value."),
        ("a=1\na=2", "Line 2: the key a is already set above."),
        ("bad key=x", "bad key: Use 1-250 letters, digits"),
        ("k=" + "x" * 5001, "k: Ensure this value has at most 5000 characters"),
        ("k=esc\x1b", "k: Control characters are not allowed."),
    ],
)
def test_bad_tags_are_an_error_on_the_field_and_nothing_is_saved(
    client, lead, model, lines, message
):
    login(client, lead)
    path = url("registeredmodel", "change", model.pk)
    data = _posted(client, path, description="Changed too.", tags=lines)

    with nothing_written():
        response = client.post(path, data)

    assert response.status_code == 200
    assert message in _field_errors(response, "tags")
    model.refresh_from_db()
    assert (model.description, _tags(model)) == ("", {"domain": "payments", "tier": "1"})


def test_a_bad_tag_on_the_add_page_registers_no_model(client, lead):
    team = TeamFactory(slug="payments")
    login(client, lead)
    data = {"name": "fraud-ranker", "team": team.pk, "owner": lead.pk, "risk_level": "low"}

    with nothing_written():
        response = client.post(
            url("registeredmodel", "add"), {**data, "grace_period_days": 30, "tags": "a b=c"}
        )

    assert "a b: Use 1-250 letters" in _field_errors(response, "tags")


def test_risk_officer_opens_the_settings_page_but_may_not_change_tags(client, model):
    login(client, staff("officer", Role.RISK_OFFICER))
    path = url("registeredmodel", "change", model.pk)

    with nothing_written():
        response = client.post(path, _posted(client, path, tags="domain=cards"))

    assert response.status_code == 200
    assert "To change tags you need one of these roles" in _field_errors(response, "__all__")


def test_post_without_the_tags_field_leaves_them_alone(client, lead, model):
    login(client, lead)
    path = url("registeredmodel", "change", model.pk)
    data = _posted(client, path, description="New words.")
    del data["tags"]

    assert client.post(path, data).status_code == 302
    model.refresh_from_db()
    assert (model.description, _tags(model)) == ("New words.", {"domain": "payments", "tier": "1"})


# --- versions -------------------------------------------------------------------------


def test_lead_replaces_version_tags_without_a_card_revision(client, lead, version):
    login(client, lead)
    path = url("modelversion", "change", version.pk)

    response = client.post(path, _posted(client, path, tags="run=8\ngpu=a100"))

    assert response.status_code == 302
    version.refresh_from_db()
    assert (_tags(version), version.card_revision) == ({"gpu": "a100", "run": "8"}, 1)


def test_card_and_tags_saved_together(client, lead, version):
    login(client, lead)
    path = url("modelversion", "change", version.pk)

    client.post(path, _posted(client, path, intended_use="Rank payments.", tags=""))

    version.refresh_from_db()
    assert (version.intended_use, version.card_revision, _tags(version)) == (
        "Rank payments.",
        2,
        {},
    )


def test_bad_version_tag_saves_no_card_change(client, lead, version):
    login(client, lead)
    path = url("modelversion", "change", version.pk)
    data = _posted(client, path, intended_use="Rank payments.", tags="run=7\n/=ok\nx y=z")

    with nothing_written():
        response = client.post(path, data)

    assert "x y: Use 1-250 letters" in _field_errors(response, "tags")


def test_version_registered_with_tags_from_the_add_page(client, lead, model):
    login(client, lead)
    data = _posted(client, url("modelversion", "add"), model=model.pk, version="2.0.0")

    response = client.post(url("modelversion", "add"), {**data, "tags": "run=9"})

    assert response.status_code == 302
    assert _tags(ModelVersion.objects.get(model=model, version="2.0.0")) == {"run": "9"}


def test_those_who_may_only_view_see_the_tags_read_only(client, version):
    login(client, governance_admin())  # views versions, edits no card
    version_tags_set(
        actor=staff("eng", Role.ML_ENGINEER),
        version_id=version.pk,
        tags={"run": "7", "x": "<b>bold</b>"},
    )

    page = client.get(url("modelversion", "change", version.pk))

    content = page.content.decode()
    assert "tag_list" in page.context["adminform"].readonly_fields
    assert 'name="tags"' not in content
    assert "run=7<br>x=&lt;b&gt;bold&lt;/b&gt;" in content
