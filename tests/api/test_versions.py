"""Versions API: who may list, register, read and edit versions; idempotent registration;
the card's ETag and If-Match; read-only stage; bad input refused with nothing written; tags
and filters; a query bound on the list."""

import pytest

from governance.cards import CARD_FIELDS
from governance.models import ModelVersion, Stage, VersionTag
from governance.services.tags import version_tags_set
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import ModelVersionFactory
from tests.workflows import promote

VERSIONS = "/api/v1/models/customer-churn-predictor/versions/"
VERSION = VERSIONS + "2.4.1/"
SHA = "a" * 64
CARD = {
    "intended_use": "Score churn risk for retention offers.",
    "training_date": "2026-11-02",
    "evaluation_metrics": {"accuracy": 0.92},
    "known_limitations": ["New customers"],
    "artifact_uri": "s3://models/churn/2.5.0.pkl",
    "artifact_sha256": SHA,
}
NEW = {"version": "2.5.0", "card": CARD, "tags": {"domain": "payments"}}
PERSONAS = [
    "anonymous",
    "no_role",
    "other_team_lead",
    "engineer",
    "lead",
    "risk_officer",
    "legal",
    "admin",
    "auditor",
    "global_risk",
    "superuser",
]


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


# --- permissions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 200),
        ("lead", 200),
        ("risk_officer", 200),
        ("legal", 200),
        ("admin", 200),
        ("auditor", 200),
        ("global_risk", 200),
        ("superuser", 200),
    ],
)
@pytest.mark.parametrize("path", [VERSIONS, VERSION])
def test_read_permissions(api_as, version, path, persona, status):
    assert api_as(persona).get(path).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 201),
        ("lead", 201),
        ("risk_officer", 403),
        ("legal", 403),
        ("admin", 403),
        ("auditor", 403),
        ("global_risk", 403),
        ("superuser", 403),
    ],
)
def test_register_permissions(api_as, model, persona, status):
    response = api_as(persona).post(VERSIONS, NEW)

    assert response.status_code == status
    assert ModelVersion.objects.filter(version="2.5.0").exists() == (status == 201)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 200),
        ("lead", 200),
        ("risk_officer", 403),
        ("legal", 403),
        ("admin", 403),
        ("auditor", 403),
        ("global_risk", 403),
        ("superuser", 403),
    ],
)
def test_edit_permissions(api_as, version, persona, status):
    response = api_as(persona).patch(VERSION, {"intended_use": "Edited."})

    assert response.status_code == status
    version.refresh_from_db()
    assert (version.intended_use == "Edited.") == (status == 200)


def test_anonymous_is_told_how_to_authenticate(api_as, version):
    response = api_as("anonymous").get(VERSION)

    assert _problem(response, 401)["title"] == "Not authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


# --- registration --------------------------------------------------------------------


def test_engineer_registers_a_version_with_card_and_tags(api_as, personas, model):
    client = api_as("engineer")
    mark = audit_mark()

    response = client.post(VERSIONS, NEW)

    assert response.status_code == 201
    assert response["Location"] == "http://testserver" + VERSIONS + "2.5.0/"
    assert response["ETag"] == '"card-1"'
    body = response.json()
    assert {key: body[key] for key in CARD} == CARD
    assert (body["model"], body["version"], body["stage"], body["created_by"]) == (
        "customer-churn-predictor",
        "2.5.0",
        "development",
        "engineer",
    )
    assert (body["tags"], body["card_revision"], body["approved_by"]) == (
        {"domain": "payments"},
        1,
        "PENDING",
    )
    # One event for the registration; it records the tags it was registered with.
    [(event_type, actor, *_ids, details)] = new_events(mark)
    assert (event_type, actor) == ("model.version_registered", "engineer")
    assert (details["version"], details["tags"]) == ("2.5.0", {"domain": "payments"})


def test_card_fields_may_also_sit_at_the_top_level(api_as, model):
    response = api_as("lead").post(VERSIONS, {"version": "2.5.0", **CARD})

    assert response.status_code == 201
    assert ModelVersion.objects.get(version="2.5.0").artifact_sha256 == SHA


def test_a_field_given_twice_is_refused(api_as, model):
    client = api_as("lead")

    with nothing_written():
        response = client.post(VERSIONS, {**NEW, "intended_use": "Other."})

    assert "Given both" in _problem(response, 400)["errors"]["intended_use"][0]


def test_retrying_a_registration_returns_the_version_and_writes_nothing(api_as, model):
    client = api_as("engineer")
    first = client.post(VERSIONS, NEW)

    with nothing_written():
        again = client.post(VERSIONS, {**NEW, "tags": {"other": "tag"}})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert "Location" not in again
    assert again["ETag"] == '"card-1"'


@pytest.mark.parametrize("checksum", ["b" * 64, ""])
def test_another_checksum_for_a_registered_version_is_a_conflict(api_as, model, checksum):
    client = api_as("engineer")
    client.post(VERSIONS, NEW)

    with nothing_written():
        response = client.post(VERSIONS, {**NEW, "card": {**CARD, "artifact_sha256": checksum}})

    assert "register the new artefact as a new version" in _problem(response, 409)["detail"]


def test_registering_under_an_unknown_model_is_not_found(api_as, model):
    response = api_as("lead").post("/api/v1/models/no-such-model/versions/", NEW)

    assert _problem(response, 404)["detail"] == "No such model, or you may not see it."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": "v2.5.0"}, "version"),
        ({"version": "2.5.0 "}, "version"),
        ({"version": "1." + "0" * 100}, "version"),
        ({"version": "2.5.0\x00"}, "version"),
        ({"version": 2.5}, "version"),
        ([NEW], "non_field_errors"),
        ({}, "version"),
        ({**NEW, "stage": "production"}, "stage"),
        ({**NEW, "approved_by": ["lead"]}, "approved_by"),
        ({**NEW, "risk_level": "low"}, "risk_level"),
        ({**NEW, "intended_us": "typo"}, "intended_us"),
        ({**NEW, "card": "not an object"}, "card"),
        ({**NEW, "card": {"intended\x00use": "x"}}, "intended\x00use"),
        ({**NEW, "tags": {"bad key!": "x"}}, "tags"),
        ({**NEW, "tags": {"key": "nul\x00"}}, "tags"),
        ({**NEW, "tags": {"key\x00": "x"}}, "tags"),
        ({**NEW, "tags": {"key": "v" * 5001}}, "tags"),
        ({**NEW, "tags": ["not", "an", "object"]}, "tags"),
    ],
)
def test_bad_registrations_are_refused(api_as, model, body, field):
    client = api_as("engineer")

    with nothing_written():
        response = client.post(VERSIONS, body)

    # Nested input reports "field.key" (tags.ticket); the field is what we check.
    assert field in {key.split(".")[0] for key in _problem(response, 400)["errors"]}


def test_stage_in_a_registration_points_to_transitions(api_as, model):
    response = api_as("engineer").post(VERSIONS, {**NEW, "stage": "production"})

    assert "transitions/" in _problem(response, 400)["errors"]["stage"][0]


BAD_CARDS = [
    ("training_date", "yesterday"),
    ("training_date", "2026-11-02T10:00:00"),
    ("intended_use", {"nested": "object"}),
    ("intended_use", 5),
    ("intended_use", "x" * 10_001),
    ("intended_use", "nul\x00"),
    ("review_schedule", "weekly"),
    ("artifact_sha256", "not-a-checksum"),
    ("artifact_uri", "javascript:alert(1)"),
    ("evaluation_metrics", {"accuracy": "high"}),
    ("evaluation_metrics", [0.9]),
    ("known_limitations", "one string, not a list"),
    ("known_limitations", ["nul\x00"]),
    ("known_limitations", ["x" * 2_001]),
    ("hyperparameters", {"depth\x00": 6}),
    ("retirement_criteria", {"max_age_days": 0}),
    ("fairness_assessment", {"verdict": "fine"}),
    ("out_of_scope_uses", None),
]


@pytest.mark.parametrize(("field", "value"), BAD_CARDS)
def test_bad_card_input_is_refused_on_registration(api_as, model, field, value):
    client = api_as("engineer")

    with nothing_written():
        response = client.post(VERSIONS, {**NEW, "card": {**CARD, field: value}})

    assert list(_problem(response, 400)["errors"]) == [field]


def test_a_body_that_is_not_json_is_bad_input(api_as, model):
    client = api_as("engineer")

    with nothing_written():
        response = client.post(VERSIONS, '{"version": "2.5.0",')

    assert _problem(response, 400)["detail"].startswith("JSON parse error")


def test_a_form_body_is_an_unsupported_media_type(api_as, model):
    client = api_as("engineer")

    with nothing_written():
        response = client.client.post(VERSIONS, {"version": "2.5.0"}, headers=client.headers)

    _problem(response, 415)


def test_a_card_over_the_size_limit_is_refused(api_as, model, settings):
    settings.TUTELA_API_MAX_BODY_BYTES = 1_000
    client = api_as("engineer")

    with nothing_written():
        response = client.post(VERSIONS, {**NEW, "card": {"intended_use": "x" * 1_000}})

    assert "over the limit of 1000 bytes" in _problem(response, 413)["detail"]


# --- reading and editing --------------------------------------------------------------


def test_a_version_shows_its_whole_card(api_as, personas, version):
    response = api_as("auditor").get(VERSION)

    body = response.json()
    assert response["ETag"] == '"card-1"'
    assert set(CARD_FIELDS) <= set(body)
    assert body["training_date"] == "2026-10-01"
    assert body["evaluation_metrics"] == {"accuracy": 0.91, "auc": 0.94}
    assert (body["team"], body["owner"], body["risk_level"]) == ("fraud", "lead", "medium")
    assert (body["approved_by"], body["approval_date"]) == ("PENDING", "PENDING")


def test_a_production_version_shows_its_approval(api_as, personas, version):
    promote(version, personas, Stage.STAGING)
    approval = promote(version, personas, Stage.PRODUCTION)

    body = api_as("auditor").get(VERSION).json()

    assert body["stage"] == "production"
    assert sorted(body["approved_by"]) == ["lead2 (ml_lead)", "risk_officer (risk_officer)"]
    assert body["approval_date"] == approval.decided_at.isoformat()


def test_etag_round_trip_refuses_a_stale_edit(api_as, version):
    client = api_as("lead")
    etag = client.get(VERSION)["ETag"]

    first = client.patch(VERSION, {"intended_use": "First edit."}, **{"If-Match": etag})
    with nothing_written():
        stale = client.patch(VERSION, {"intended_use": "Second edit."}, **{"If-Match": etag})

    assert (etag, first.status_code, first["ETag"]) == ('"card-1"', 200, '"card-2"')
    assert "revision 1, now 2" in _problem(stale, 409)["detail"]
    version.refresh_from_db()
    assert (version.intended_use, version.card_revision) == ("First edit.", 2)


@pytest.mark.parametrize("if_match", ["*", '"card-1"'])
def test_if_match_star_or_current_etag_edits(api_as, version, if_match):
    response = api_as("lead").patch(VERSION, {"known_limitations": []}, **{"If-Match": if_match})

    assert (response.status_code, response.json()["known_limitations"]) == (200, [])


@pytest.mark.parametrize(
    "if_match", ["card-1", 'W/"card-1"', '"card-x"', '"card-1", "card-2"', '"' + "9" * 20 + '"']
)
def test_an_unreadable_if_match_is_bad_input(api_as, version, if_match):
    client = api_as("lead")

    with nothing_written():
        response = client.patch(VERSION, {"intended_use": "Edit."}, **{"If-Match": if_match})

    assert "If-Match" in _problem(response, 400)["errors"]


@pytest.mark.parametrize("field", ["stage", "stage_changed_at", "approved_by", "approval_date"])
def test_stage_and_approval_are_read_only_here(api_as, version, field):
    client = api_as("lead")

    with nothing_written():
        response = client.patch(VERSION, {"intended_use": "Edit.", field: "production"})

    message = _problem(response, 400)["errors"][field][0]
    assert message.startswith("Read-only here") and "transitions/" in message


@pytest.mark.parametrize(("field", "value"), BAD_CARDS)
def test_bad_card_input_is_refused_on_edit(api_as, version, field, value):
    client = api_as("lead")

    with nothing_written():
        response = client.patch(VERSION, {field: value})

    assert list(_problem(response, 400)["errors"]) == [field]


def test_the_artefact_of_a_version_is_fixed(api_as, version):
    client = api_as("lead")
    client.patch(VERSION, {"artifact_sha256": SHA})

    with nothing_written():
        response = client.patch(VERSION, {"artifact_sha256": "b" * 64})

    assert "register a new version" in _problem(response, 400)["errors"]["artifact_sha256"][0]


def test_a_retired_card_is_kept_as_it_was(api_as, model):
    ModelVersionFactory(model=model, version="2.4.1", stage=Stage.RETIRED)
    client = api_as("lead")

    with nothing_written():
        response = client.patch(VERSION, {"intended_use": "Edited."})

    assert "retired" in _problem(response, 409)["detail"]


def test_edit_merges_tags_and_null_removes_one(api_as, personas, version):
    version_tags_set(
        actor=personas["lead"], version_id=version.pk, tags={"team": "fraud", "ticket": "ML-1"}
    )
    client = api_as("engineer")
    mark = audit_mark()

    response = client.patch(VERSION, {"tags": {"ticket": None, "domain": "payments"}})

    assert response.json()["tags"] == {"domain": "payments", "team": "fraud"}
    assert response["ETag"] == '"card-1"'  # tags are not part of the card
    assert [event[0] for event in new_events(mark)] == ["model.tags_changed"]


def test_edit_of_card_and_tags_is_one_change(api_as, version):
    client = api_as("lead")
    body = {"intended_use": "Edited.", "tags": {"bad key!": "x"}}

    with nothing_written():
        response = client.patch(VERSION, body)

    assert "tags" in _problem(response, 400)["errors"]


# --- lists and filters ----------------------------------------------------------------


def _versions(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["version"] for row in response.json()["results"]]


def test_an_empty_list_is_told_apart_from_a_model_not_there(api_as, model):
    client = api_as("lead")

    empty = client.get(VERSIONS + "?stage=production")
    unknown = client.get("/api/v1/models/no-such-model/versions/")
    hidden = api_as("other_team_lead").get(VERSIONS + "?stage=production")

    assert (empty.status_code, empty.json()["results"]) == (200, [])
    assert (unknown.status_code, hidden.status_code) == (404, 404)


def test_list_is_newest_first_with_tags(api_as, personas, model):
    for number in ("1.0.0", "1.1.0", "2.0.0"):
        ModelVersionFactory(model=model, version=number)
    newest = ModelVersion.objects.get(version="2.0.0")
    version_tags_set(actor=personas["lead"], version_id=newest.pk, tags={"domain": "payments"})

    response = api_as("auditor").get(VERSIONS)

    assert _versions(response) == ["2.0.0", "1.1.0", "1.0.0"]
    assert response.json()["results"][0]["tags"] == {"domain": "payments"}
    assert "intended_use" not in response.json()["results"][0]  # the card is on the version


def test_list_pages_with_a_cursor(api_as, model):
    for number in ("1.0.0", "1.1.0", "2.0.0"):
        ModelVersionFactory(model=model, version=number)
    client = api_as("engineer")

    first = client.get(VERSIONS + "?page_size=2")
    second = client.get(first.json()["next"])

    assert (_versions(first), _versions(second)) == (["2.0.0", "1.1.0"], ["1.0.0"])


@pytest.fixture
def tagged(personas, model) -> None:
    tags = {
        "1.0.0": {"domain": "payments", "ticket": "ML-1"},
        "1.1.0": {"domain": "payments"},
        "2.0.0": {"domain": "cards"},
        "2.1.0": {},
    }
    for number, version_tags in tags.items():
        new = ModelVersionFactory(model=model, version=number)
        if version_tags:
            version_tags_set(actor=personas["lead"], version_id=new.pk, tags=version_tags)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?tag=domain:payments", ["1.1.0", "1.0.0"]),
        ("?tag=domain", ["2.0.0", "1.1.0", "1.0.0"]),
        ("?tag=domain:payments&tag=ticket", ["1.0.0"]),
        ("?tag=domain:payments&tag=domain:cards", []),
        ("?tag=domain:", []),
        ("?tag=domain:" + "x" * 6_000, []),
        ("?tag=nobody", []),
    ],
)
def test_tag_filters(api_as, tagged, query, expected):
    assert _versions(api_as("lead").get(VERSIONS + query)) == expected


def test_stage_filter(api_as, personas, model):
    staged = ModelVersionFactory(model=model, version="1.0.0", complete=True)
    ModelVersionFactory(model=model, version="1.1.0")
    promote(staged, personas, Stage.STAGING)

    assert _versions(api_as("lead").get(VERSIONS + "?stage=staging")) == ["1.0.0"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?stage=live", "stage"),
        ("?stage=%00", "stage"),
        ("?tag=bad%20key!", "tag"),
        ("?tag=%00", "tag"),
        ("?tag=" + "k" * 251, "tag"),
    ],
)
def test_bad_filters_are_refused(api_as, model, query, field):
    assert field in _problem(api_as("lead").get(VERSIONS + query), 400)["errors"]


@pytest.mark.parametrize("count", [2, 20])
def test_list_queries_do_not_grow_with_rows(
    api_as, personas, model, django_assert_max_num_queries, count
):
    for number in range(count):
        new = ModelVersionFactory(model=model, version=f"1.0.{number}")
        VersionTag.objects.create(version=new, key="domain", value="payments")
        VersionTag.objects.create(version=new, key="ticket", value=f"ML-{number}")
    client = api_as("engineer")

    with django_assert_max_num_queries(8):
        response = client.get(VERSIONS + "?tag=domain")

    assert len(_versions(response)) == count
    assert all(len(row["tags"]) == 2 for row in response.json()["results"])


# --- hostile paths ------------------------------------------------------------------


HOSTILE_MODELS = ["customer-churn-predictor%00", "x" * 5_000, "%E2%80%AEcustomer-churn-predictor"]
HOSTILE_VERSIONS = ["2.4.1%00", "9" * 5_000, "%E2%80%AE2.4.1", "2.4.1%0A"]


@pytest.mark.parametrize("name", HOSTILE_MODELS)
def test_hostile_model_names_are_not_found(api_as, version, name):
    client = api_as("lead")
    path = f"/api/v1/models/{name}/versions/"

    with nothing_written():
        responses = [client.get(path), client.post(path, NEW), client.get(path + "2.4.1/")]

    assert [response.status_code for response in responses] == [404, 404, 404]


@pytest.mark.parametrize("number", HOSTILE_VERSIONS)
def test_hostile_version_numbers_are_not_found(api_as, version, number):
    client = api_as("lead")

    with nothing_written():
        responses = [client.get(VERSIONS + number + "/"), client.patch(VERSIONS + number + "/")]

    assert [response.status_code for response in responses] == [404, 404]
