"""seed_scale: bulk benchmark data with history rows and a valid audit chain."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import QuerySet

from governance.audit import verify_chain
from governance.models import (
    AuditChainHead,
    AuditEvent,
    AuditEventType,
    ModelVersion,
    RegisteredModel,
    Stage,
    Team,
)
from governance.policies import missing_card_fields
from governance.services.teams import team_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SETUP_EVENTS = (AuditEventType.ROLE_GRANTED, AuditEventType.TEAM_CREATED)


def seed(models: int, per_model: int = 3, events: int = 0) -> str:
    output = StringIO()
    call_command(
        "seed_scale", models=models, versions_per_model=per_model, events=events, stdout=output
    )
    return output.getvalue()


def scale_models() -> QuerySet[RegisteredModel]:
    return RegisteredModel.objects.filter(name__startswith="scale-")


def test_creates_the_models_and_versions_asked_for_with_history_rows():
    seed(models=20, per_model=3)
    assert scale_models().count() == 20
    versions = ModelVersion.objects.filter(model__in=scale_models())
    assert versions.count() == 60
    assert RegisteredModel.history.filter(name__startswith="scale-").count() == 20
    assert ModelVersion.history.filter(model__name__startswith="scale-").count() == 60
    assert set(
        ModelVersion.history.filter(model__name__startswith="scale-").values_list(
            "history_change_reason", flat=True
        )
    ) == {"seed_scale"}


def test_most_models_have_one_production_version_and_complete_cards():
    seed(models=20, per_model=3)
    versions = ModelVersion.objects.filter(model__in=scale_models()).select_related("model")
    in_production = versions.filter(stage=Stage.PRODUCTION)
    assert in_production.count() == 18  # nine in ten
    assert in_production.values("model").distinct().count() == 18
    assert set(versions.values_list("stage", flat=True)) == {
        Stage.DEVELOPMENT,
        Stage.STAGING,
        Stage.PRODUCTION,
        Stage.DEPRECATED,
    }
    assert all(missing_card_fields(version) == [] for version in versions)
    assert Team.objects.filter(slug__startswith="scale-").count() == 2


def test_events_chain_on_from_the_existing_head():
    seed(models=0)  # the personas and teams first, so the next run only bulk-appends
    team_create(actor=UserFactory(is_superuser=True), slug="before", name="Before")
    head = AuditChainHead.objects.get(pk=1)
    seed(models=5, events=40)
    new = AuditEvent.objects.filter(sequence__gt=head.sequence).order_by("sequence")
    assert new.count() == 40
    assert new.first().sequence == head.sequence + 1
    assert new.first().prev_hash == head.hash
    assert verify_chain().ok
    last, head = AuditEvent.objects.order_by("sequence").last(), AuditChainHead.objects.get(pk=1)
    assert (head.sequence, head.hash) == (last.sequence, last.hash)
    call_command("verify_audit", stdout=StringIO())


def test_events_beyond_the_story_of_the_rows_are_metric_reports():
    seed(models=2, per_model=3, events=100)
    bulk = AuditEvent.objects.exclude(event_type__in=SETUP_EVENTS)
    assert bulk.count() == 100
    assert bulk.filter(event_type=AuditEventType.MODEL_REGISTERED).count() == 2
    assert bulk.filter(event_type=AuditEventType.VERSION_REGISTERED).count() == 6
    assert bulk.filter(event_type=AuditEventType.METRICS_RECORDED).exists()
    assert verify_chain().ok


def test_a_second_run_adds_new_models_and_keeps_the_chain_valid():
    seed(models=3, events=10)
    seed(models=3, events=10)
    assert scale_models().count() == 6
    assert AuditEvent.objects.exclude(event_type__in=SETUP_EVENTS).count() == 20
    assert verify_chain().ok


def test_prints_its_throughput():
    assert "events/s" in seed(models=2, events=5)


def test_refuses_events_without_models_to_describe():
    with pytest.raises(CommandError, match="--models"):
        seed(models=0, events=5)
    assert not AuditEvent.objects.exclude(event_type__in=SETUP_EVENTS).exists()
