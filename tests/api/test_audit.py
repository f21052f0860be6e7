"""GET /api/v1/audit/events/ (paged, and ?format=jsonl streamed) and /api/v1/audit/verify/:
people read the events of the models they may see; the export carries every hashed field,
so the chain can be checked from the file alone."""

import json
import math
from base64 import b64encode
from datetime import datetime

import pytest
from django.db import connection, transaction

from governance import audit
from governance.actors import SEED
from governance.audit_guard import install_triggers, remove_triggers
from governance.models import AuditEvent, AuditEventType
from governance.models.audit import GENESIS_HASH
from governance.services.deployments import deployment_record
from tests.factories import RegisteredModelFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/events/"
VERIFY_URL = "/api/v1/audit/verify/"


def record(event_type: str, model=None, version=None, actor=SEED, **details: object):  # noqa: ANN001, ANN201
    """Append an event as a service would; details keys ending in _ lose the _ (version_)."""
    details = {key.rstrip("_"): value for key, value in details.items()}
    with transaction.atomic():
        return audit.record(
            event_type=event_type, actor=actor, model=model, version=version, details=details
        )


@pytest.fixture
def campaign_model(other_team):
    return RegisteredModelFactory(name="campaign-uplift", team=other_team)


@pytest.fixture
def trail(personas, model, version, campaign_model):
    """Events of the fraud team's model, of the marketing team's, and of no model."""
    record(AuditEventType.TEAM_CREATED, team="fraud")
    record(AuditEventType.MODEL_REGISTERED, model, name=model.name)
    record(AuditEventType.VERSION_REGISTERED, model, version, version_="2.4.1", note="Zürich ✓")
    record(AuditEventType.MODEL_REGISTERED, campaign_model, name=campaign_model.name)
    return list(AuditEvent.objects.order_by("sequence"))


def exported(response) -> list[dict]:  # noqa: ANN001
    text = b"".join(response.streaming_content).decode()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.split("\n")[:-1]]


def as_exported(event: AuditEvent) -> dict:
    return {
        "sequence": event.sequence,
        "created_at": audit.format_timestamp(event.created_at),
        "event_type": event.event_type,
        "actor": event.actor,
        "model": event.model_id,
        "version": event.version_id,
        "request": event.request_id,
        "details": event.details,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


# --- permissions and visibility --------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "models_seen"),
    [
        ("anonymous", 401, None),
        ("engineer", 200, ["customer-churn-predictor"]),
        ("lead", 200, ["customer-churn-predictor"]),
        ("risk_officer", 200, ["customer-churn-predictor"]),
        ("legal", 200, ["customer-churn-predictor"]),
        ("admin", 200, ["customer-churn-predictor"]),
        ("other_team_lead", 200, ["campaign-uplift"]),
        ("no_role", 200, []),
        ("global_risk", 200, ["-", "campaign-uplift", "customer-churn-predictor"]),
        ("auditor", 200, ["-", "campaign-uplift", "customer-churn-predictor"]),
        ("superuser", 200, ["-", "campaign-uplift", "customer-churn-predictor"]),
    ],
)
def test_list_audit_events_permissions(api_as, trail, persona, status, models_seen):
    response = api_as(persona).get(URL)

    assert response.status_code == status
    if models_seen is not None:
        results = response.json()["results"]
        assert sorted({event["model_name"] or "-" for event in results}) == models_seen


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("engineer", 403),
        ("lead", 403),
        ("risk_officer", 403),
        ("legal", 403),
        ("admin", 403),
        ("other_team_lead", 403),
        ("no_role", 403),
        ("global_risk", 200),
        ("auditor", 200),
        ("superuser", 200),
    ],
)
def test_verify_audit_permissions(api_as, trail, persona, status):
    assert api_as(persona).get(VERIFY_URL).status_code == status


# --- the list --------------------------------------------------------------------------


def test_an_event_is_listed_with_its_hashed_fields_and_readable_names(api_as, trail):
    event = trail[2]

    response = api_as("lead").get(URL + "?type=model.version_registered")

    assert response.json()["results"] == [
        {
            **as_exported(event),
            "model_name": "customer-churn-predictor",
            "version_name": "2.4.1",
            "data": {"note": "Zürich ✓", "version": "2.4.1"},
        }
    ]


def test_events_are_listed_in_chain_order_page_by_page(api_as, personas, trail):
    client = api_as("auditor")
    expected = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))

    pages, url = [], URL + "?page_size=2"
    while url:
        page = client.get(url).json()
        pages.append([event["sequence"] for event in page["results"]])
        url = page["next"]

    assert [sequence for page in pages for sequence in page] == expected
    assert all(len(page) == 2 for page in pages[:-1])


def test_events_are_filtered_by_model_type_actor_and_time(api_as, personas, model, trail):
    first = record(AuditEventType.MODEL_UPDATED, model, actor=personas["lead"], n=1)
    second = record(AuditEventType.MODEL_UPDATED, model, actor=personas["lead"], n=2)
    third = record(AuditEventType.MODEL_UPDATED, model, actor=personas["lead"], n=3)
    client = api_as("auditor")

    def sequences(query: str) -> list[int]:
        response = client.get(URL + query)
        assert response.status_code == 200
        return [event["sequence"] for event in response.json()["results"]]

    def moment(event: AuditEvent) -> str:
        return event.created_at.isoformat().replace("+", "%2B")

    assert sequences("?model=campaign-uplift") == [trail[3].sequence]
    assert sequences("?type=model.registered") == [trail[1].sequence, trail[3].sequence]
    assert sequences("?actor=lead") == [first.sequence, second.sequence, third.sequence]
    assert sequences(f"?actor=lead&since={moment(second)}") == [second.sequence, third.sequence]
    assert sequences(f"?actor=lead&until={moment(second)}") == [first.sequence]
    assert sequences("?actor=lead&until=2000-01-01T00:00:00%2B22:41") == []
    assert sequences("?actor=system:seed&model=customer-churn-predictor") == [
        trail[1].sequence,
        trail[2].sequence,
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?type=model.exploded", "type"),
        ("?since=yesterday", "since"),
        ("?until=2026-11-27T10:00:00", "until"),
        ("?actor=" + "a" * 151, "actor"),
        ("?model=a%00b", "model"),
        ("?format=jsonl&since=yesterday", "since"),
    ],
)
def test_a_bad_filter_is_400(api_as, trail, query, field):
    response = api_as("auditor").get(URL + query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(json.loads(response.content)["errors"]) == [field]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?cursor=garbage", 404),
        ("?cursor=" + b64encode(b"p=not-a-number").decode(), 404),
        ("?cursor=" + b64encode(b"p=99999999999999999999999999").decode(), 200),
        ("?format=xml", 404),
    ],
)
def test_a_hand_made_cursor_or_unknown_format_is_not_an_error(api_as, trail, query, status):
    assert api_as("auditor").get(URL + query).status_code == status


@pytest.mark.parametrize("rows", [2, 20])
def test_listing_events_takes_a_fixed_number_of_queries(
    api_as, model, version, django_assert_max_num_queries, rows
):
    for number in range(rows):
        record(AuditEventType.CARD_UPDATED, model, version, n=number)
    client = api_as("lead")

    with django_assert_max_num_queries(6):
        response = client.get(URL)

    assert len(response.json()["results"]) == rows


# --- the JSONL export ------------------------------------------------------------------


def test_the_export_round_trips_every_event_and_its_hash_chain(api_as, personas, version, trail):
    engineer = personas["engineer"]
    deployment_record(actor=engineer, version_id=version.pk, endpoint="api", environment="staging")
    client = api_as("auditor")

    response = client.get(URL + "?format=jsonl")

    assert response.status_code == 200
    lines = exported(response)
    assert lines == [as_exported(event) for event in AuditEvent.objects.order_by("sequence")]
    previous = GENESIS_HASH
    for line in lines:
        assert line["prev_hash"] == previous
        recomputed = audit.event_hash(
            prev_hash=line["prev_hash"],
            sequence=line["sequence"],
            created_at=datetime.fromisoformat(line["created_at"]),
            event_type=line["event_type"],
            actor=line["actor"],
            model_id=line["model"],
            version_id=line["version"],
            request_id=line["request"],
            details=line["details"],
        )
        assert recomputed == line["hash"]
        previous = line["hash"]
    assert [line["event_type"] for line in lines][-3:] == [
        "model.deployed",
        "alert.opened",
        "api_token.created",
    ]


def test_the_export_is_an_attachment_of_json_lines(api_as, trail):
    response = api_as("auditor").get(URL + "?format=jsonl")

    assert response.streaming
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="audit-events.jsonl"'


def test_the_export_can_be_asked_for_with_the_accept_header(api_as, trail):
    response = api_as("auditor").get(URL, Accept="application/jsonl")

    assert [line["sequence"] for line in exported(response)] == [
        event.sequence for event in AuditEvent.objects.order_by("sequence")
    ]


def test_the_export_holds_only_the_events_one_may_see(api_as, model, trail):
    lines = exported(api_as("other_team_lead").get(URL + "?format=jsonl"))

    assert [line["sequence"] for line in lines] == [trail[3].sequence]


def test_the_export_applies_the_filters(api_as, trail):
    lines = exported(api_as("auditor").get(URL + "?format=jsonl&type=model.registered"))

    assert lines == [as_exported(trail[1]), as_exported(trail[3])]


def test_the_export_is_sent_in_chunks(api_as, trail, monkeypatch):
    monkeypatch.setattr("governance.api.audit.EXPORT_CHUNK", 2)
    client = api_as("auditor")
    total = AuditEvent.objects.count()

    chunks = list(client.get(URL + "?format=jsonl").streaming_content)

    assert len(chunks) == math.ceil(total / 2)
    assert sum(chunk.count(b"\n") for chunk in chunks) == total


def test_the_export_of_an_empty_selection_is_empty(api_as, trail):
    response = api_as("no_role").get(URL + "?format=jsonl")

    assert (response.status_code, b"".join(response.streaming_content)) == (200, b"")


# --- verification ----------------------------------------------------------------------


def test_verify_reports_an_intact_chain_with_its_head(api_as, trail):
    client = api_as("auditor")
    head = AuditEvent.objects.order_by("sequence").last()

    response = client.get(VERIFY_URL)

    assert response.json() == {
        "ok": True,
        "count": head.sequence,
        "head_sequence": head.sequence,
        "head_hash": head.hash,
        "broken_at": None,
        "problem": "",
    }


def test_verify_names_the_first_broken_event(api_as, trail):
    client = api_as("auditor")
    remove_triggers(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE governance_auditevent SET details = %s WHERE sequence = %s",
                ['{"n":99}', trail[2].sequence],
            )
    finally:
        install_triggers(connection)

    response = client.get(VERIFY_URL)

    assert response.json() == {
        "ok": False,
        "count": 2,
        "head_sequence": 2,
        "head_hash": trail[1].hash,
        "broken_at": 3,
        "problem": "content does not match its hash",
    }
