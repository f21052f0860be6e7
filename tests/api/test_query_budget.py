"""Queries per API call on the paths pipelines hit hardest (bench/api.py measures their
speed). Each budget is what the call needs today: the token and the caller's access (two),
the lookups, the locks, the rows written with their history and audit event, and the
answer built from what the service returned. A change that adds a query per call shows up
here before it shows up in the benchmark."""

import hashlib

import pytest

from governance.models import ApprovalRequest, Stage
from tests.factories import COMPLETE_CARD, ModelVersionFactory
from tests.workflows import request_promotion

MODELS = "/api/v1/models/"


@pytest.fixture
def warm(api_as):
    """A client whose token's last-used time is fresh: later calls write no bookkeeping."""

    def make(persona: str):  # noqa: ANN202
        client = api_as(persona)
        assert client.get(MODELS).status_code == 200
        return client

    return make


def _card(seed: str) -> dict:
    fields = {key: value for key, value in COMPLETE_CARD.items() if key != "artifact_sha256"}
    fields["training_date"] = str(fields["training_date"])
    return {**fields, "artifact_sha256": hashlib.sha256(seed.encode()).hexdigest()}


def test_registering_a_model(warm, team, django_assert_max_num_queries) -> None:
    client = warm("lead")
    body = {"name": "churn", "team": team.slug, "tags": {"domain": "retail", "ticket": "T-1"}}

    with django_assert_max_num_queries(15):
        assert client.post(MODELS, body).status_code == 201


def test_registering_a_version(warm, model, django_assert_max_num_queries) -> None:
    client = warm("lead")
    body = {"version": "3.0.0", "card": _card("3.0.0"), "tags": {"run": "r-1"}}

    with django_assert_max_num_queries(14):
        response = client.post(f"{MODELS}{model.name}/versions/", body)

    assert response.status_code == 201


def test_pushing_metrics(warm, version, django_assert_max_num_queries) -> None:
    client = warm("lead")
    points = [
        {"name": "accuracy", "value": 0.9, "observed_at": f"2026-11-{day:02d}T00:00:00Z"}
        for day in range(1, 31)
    ]

    with django_assert_max_num_queries(11):
        response = client.post(f"{MODELS}{version.model.name}/versions/2.4.1/metrics/", points)

    assert response.status_code == 201


def test_asking_for_staging(warm, version, django_assert_max_num_queries) -> None:
    client = warm("lead")
    body = {"target_stage": "staging", "justification": "Evaluation passed."}

    with django_assert_max_num_queries(13):
        response = client.post(f"{MODELS}{version.model.name}/versions/2.4.1/transitions/", body)

    assert response.status_code == 201


@pytest.mark.parametrize(("persona", "budget"), [("lead2", 15), ("risk_officer", 23)])
def test_deciding(warm, personas, model, persona, budget, django_assert_max_num_queries) -> None:
    """The first approval puts the request in review; the last one also moves the version
    to production, deprecating the one there."""
    ModelVersionFactory(model=model, version="2.3.0", stage=Stage.PRODUCTION, complete=True)
    staged = ModelVersionFactory(model=model, version="2.4.1", stage=Stage.STAGING, complete=True)
    request = request_promotion(staged, personas, Stage.PRODUCTION)
    if persona == "risk_officer":
        warm("lead2").post(f"/api/v1/approvals/{request.pk}/decisions/", {"decision": "approved"})
    client = warm(persona)

    with django_assert_max_num_queries(budget):
        response = client.post(
            f"/api/v1/approvals/{request.pk}/decisions/", {"decision": "approved"}
        )

    assert response.status_code == 201
    request = ApprovalRequest.objects.get(pk=request.pk)
    assert request.status == ("in_review" if persona == "lead2" else "approved")


@pytest.mark.parametrize(
    ("path", "budget"),
    [
        ("{model}/versions/?stage=production", 4),  # none: no tags, but is the model there?
        ("{model}/versions/", 4),
        ("{model}/versions/2.4.1/", 4),
        ("?search=churn", 5),
        ("?tag=domain:retail", 5),
    ],
)
def test_reads(warm, version, path, budget, django_assert_max_num_queries) -> None:
    client = warm("lead")

    with django_assert_max_num_queries(budget):
        response = client.get(MODELS + path.format(model=version.model.name))

    assert response.status_code == 200
