"""version_register, version_update_card and every move of the lifecycle: the allowed ones
with their audit events and history rows, the refused ones with their message and nothing
written."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance.actors import RETIREMENT
from governance.exceptions import Conflict, DomainError, InvalidTransition
from governance.models import (
    ApprovalRequest,
    AuditEvent,
    ModelVersion,
    RegisteredModel,
    Stage,
)
from governance.services.approvals import approval_decide
from governance.services.versions import (
    version_deprecate,
    version_register,
    version_retire,
    version_rollback,
    version_transition,
    version_update_card,
)
from tests.db_state import audit_mark, history, new_events, nothing_written
from tests.factories import COMPLETE_CARD, ModelVersionFactory
from tests.workflows import approve_all, promote, request_promotion

NAME = "customer-churn-predictor 2.4.1"
SHA = "a" * 64


def _set_stage(version: ModelVersion, stage: str, days_ago: float = 0) -> None:
    """Test set-up only: put a version in a stage without going through the lifecycle."""
    ModelVersion.objects.filter(pk=version.pk).update(
        stage=stage, stage_changed_at=timezone.now() - timedelta(days=days_ago)
    )
    version.refresh_from_db()


def _stage_of(version: ModelVersion) -> str:
    return ModelVersion.objects.values_list("stage", flat=True).get(pk=version.pk)


# --- version_register ----------------------------------------------------------------


def test_engineer_registers_a_version_in_development(personas, model):
    mark = audit_mark()
    card = {"intended_use": "Churn scores.", "evaluation_metrics": {"auc": 0.93}}

    new = version_register(
        actor=personas["engineer"], model_id=model.pk, version="3.0.0", card=card
    )

    new = ModelVersion.objects.get(pk=new.pk)
    assert (new.model, new.version, new.stage, new.created_by) == (
        model,
        "3.0.0",
        "development",
        personas["engineer"],
    )
    assert (new.intended_use, new.evaluation_metrics, new.card_revision) == (
        "Churn scores.",
        {"auc": 0.93},
        1,
    )
    assert new_events(mark) == [
        (
            "model.version_registered",
            "engineer",
            model.pk,
            new.pk,
            None,
            {"version": "3.0.0", "card_hash": new.card_hash()},
        )
    ]
    assert AuditEvent.objects.get(sequence=mark + 1).actor_user == personas["engineer"]
    assert history(new) == [("+", "engineer", "registered")]


def test_version_registered_without_a_card_gets_the_default_retirement_criteria(personas, model):
    new = version_register(actor=personas["lead"], model_id=model.pk, version="1.0rc1")

    new.refresh_from_db()
    assert new.retirement_criteria == {
        "max_age_days": 90,
        "metric_floors": [{"metric": "accuracy", "min": 0.88, "days": 7}],
        "drift_ceiling": 0.3,
        "retire_on_replacement": True,
    }
    assert (new.review_schedule, new.intended_use) == ("quarterly", "")


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("engineer", True),
        ("lead", True),
        ("risk_officer", False),
        ("legal", False),
        ("admin", False),
        ("global_risk", False),
        ("other_team_lead", False),
        ("no_role", False),
        ("superuser", False),
    ],
)
def test_who_may_register_a_version(personas, model, persona, allowed):
    def call() -> ModelVersion:
        return version_register(actor=personas[persona], model_id=model.pk, version="3.0.0")

    if allowed:
        assert call().created_by == personas[persona]
        return
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        call()
    assert str(refused.value) == (
        "To register a version you need one of these roles on customer-churn-predictor: "
        "ml_engineer, ml_lead."
    )


def test_system_cannot_register_a_version(model):
    with nothing_written(), pytest.raises(PermissionDenied):
        version_register(actor=RETIREMENT, model_id=model.pk, version="3.0.0")


def test_duplicate_version_is_a_conflict(personas, version):
    with nothing_written(), pytest.raises(Conflict) as refused:
        version_register(actor=personas["engineer"], model_id=version.model_id, version="2.4.1")

    assert str(refused.value) == "Version 2.4.1 of customer-churn-predictor already exists."


@pytest.mark.parametrize(
    ("card", "errors"),
    [
        ({"accuracy": 0.9}, {"accuracy": ["Not a model card field (see CARD_FIELDS)."]}),
        ({"stage": "production"}, {"stage": ["Not a model card field (see CARD_FIELDS)."]}),
        (
            {"risk_level": "low", "approved_by": "me"},
            {
                "approved_by": ["Not a model card field (see CARD_FIELDS)."],
                "risk_level": ["Not a model card field (see CARD_FIELDS)."],
            },
        ),
        (["intended_use"], {"card": ["Expected an object of card fields."]}),
    ],
)
def test_register_refuses_what_is_not_a_card_field(personas, model, card, errors):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        version_register(actor=personas["engineer"], model_id=model.pk, version="3.0.0", card=card)

    assert refused.value.message_dict == errors


@pytest.mark.parametrize(
    ("version", "card", "field"),
    [
        ("1.0/2", {}, "version"),
        ("two", {}, "version"),
        (" 1.0.0", {}, "version"),
        ("1.0.0\n", {}, "version"),
        ("1.0.0\x00", {}, "version"),
        ("1" * 65, {}, "version"),
        ("3.0.0", {"evaluation_metrics": {"auc": float("nan")}}, "evaluation_metrics"),
        ("3.0.0", {"evaluation_metrics": {"auc": float("inf")}}, "evaluation_metrics"),
        ("3.0.0", {"evaluation_metrics": {"auc": "high"}}, "evaluation_metrics"),
        ("3.0.0", {"evaluation_metrics": [0.9]}, "evaluation_metrics"),
        ("3.0.0", {"out_of_scope_uses": "Pricing"}, "out_of_scope_uses"),
        ("3.0.0", {"primary_users": [""]}, "primary_users"),
        ("3.0.0", {"performance_by_group": {"age<30": 0.9}}, "performance_by_group"),
        ("3.0.0", {"hyperparameters": {"a": {"b": {"c": 1}}}}, "hyperparameters"),
        ("3.0.0", {"fairness_assessment": {"verdict": "fair"}}, "fairness_assessment"),
        ("3.0.0", {"artifact_sha256": "abc"}, "artifact_sha256"),
        ("3.0.0", {"artifact_uri": "no scheme"}, "artifact_uri"),
        ("3.0.0", {"artifact_uri": "javascript:alert(1)"}, "artifact_uri"),
        ("3.0.0", {"intended_use": "x" * 10_001}, "intended_use"),
        ("3.0.0", {"intended_use": "nul\x00"}, "intended_use"),
        ("3.0.0", {"training_pipeline": "a\nb"}, "training_pipeline"),
        ("3.0.0", {"training_date": "yesterday"}, "training_date"),
        ("3.0.0", {"review_schedule": "weekly"}, "review_schedule"),
        ("3.0.0", {"retirement_criteria": {"max_age_days": 0}}, "retirement_criteria"),
        ("3.0.0", {"retirement_criteria": {"forever": True}}, "retirement_criteria"),
    ],
)
def test_register_refuses_bad_values_naming_the_field(personas, model, version, card, field):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        version_register(actor=personas["engineer"], model_id=model.pk, version=version, card=card)

    assert list(refused.value.message_dict) == [field]


# --- version_update_card -------------------------------------------------------------


def test_card_edit_records_before_and_after_and_bumps_the_revision(personas, model, version):
    mark = audit_mark()
    before = timezone.now()

    updated = version_update_card(
        actor=personas["lead"],
        version_id=version.pk,
        changes={
            "intended_use": "Churn scores, monthly.",
            "evaluation_metrics": {"accuracy": 0.92, "auc": 0.94},
            "training_date": date(2026, 11, 1),
            "hyperparameters": {"max_depth": 6, "learning_rate": 0.1},  # unchanged
        },
        expected_revision=1,
    )

    version.refresh_from_db()
    assert updated.card_revision == version.card_revision == 2
    assert version.card_updated_at >= before
    assert version.intended_use == "Churn scores, monthly."
    assert version.training_date == date(2026, 11, 1)
    assert new_events(mark) == [
        (
            "model.card_updated",
            "lead",
            model.pk,
            version.pk,
            None,
            {
                "version": "2.4.1",
                "revision": 2,
                "card_hash": version.card_hash(),
                "changes": {
                    "intended_use": {
                        "before": COMPLETE_CARD["intended_use"],
                        "after": "Churn scores, monthly.",
                    },
                    "training_date": {"before": "2026-10-01", "after": "2026-11-01"},
                    "evaluation_metrics": {
                        "before": {"accuracy": 0.91, "auc": 0.94},
                        "after": {"accuracy": 0.92, "auc": 0.94},
                    },
                },
            },
        )
    ]
    assert history(version)[-1] == ("~", "lead", "card updated")
    assert len(history(version)) == 2


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("engineer", True),
        ("lead", True),
        ("risk_officer", False),
        ("legal", False),
        ("admin", False),
        ("global_risk", False),
        ("other_team_lead", False),
        ("no_role", False),
        ("superuser", False),
    ],
)
def test_who_may_edit_a_card(personas, version, persona, allowed):
    def call() -> ModelVersion:
        return version_update_card(
            actor=personas[persona], version_id=version.pk, changes={"intended_use": "New."}
        )

    if allowed:
        assert call().card_revision == 2
        return
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        call()
    assert str(refused.value) == (
        "To edit a model card you need one of these roles on customer-churn-predictor: "
        "ml_engineer, ml_lead."
    )


def test_stale_expected_revision_is_a_conflict_and_saves_nothing(personas, version):
    version_update_card(
        actor=personas["lead"],
        version_id=version.pk,
        changes={"intended_use": "Lead's words."},
        expected_revision=1,
    )
    version.refresh_from_db()

    with nothing_written(), pytest.raises(Conflict) as refused:
        version_update_card(
            actor=personas["engineer"],
            version_id=version.pk,
            changes={"intended_use": "Engineer's words."},
            expected_revision=1,
        )

    assert str(refused.value) == (
        f"The card of {NAME} was changed by lead at {version.card_updated_at:%Y-%m-%d %H:%M} UTC "
        "since you opened it (revision 1, now 2). Reload to see their change; nothing was saved."
    )
    version.refresh_from_db()
    assert (version.intended_use, version.card_revision) == ("Lead's words.", 2)


@pytest.mark.parametrize("field", ["code_revision", "artifact_uri", "artifact_sha256"])
@pytest.mark.parametrize("new_value", ["changed", ""])
def test_artefact_identity_is_fixed_once_set(personas, model, field, new_value):
    original = {"code_revision": "3f2c9a1", "artifact_uri": "s3://models/churn.pkl"}
    original["artifact_sha256"] = SHA
    version = ModelVersionFactory(model=model, **original)
    replacement = {
        "code_revision": "9e8d7c6",
        "artifact_uri": "s3://x/y",
        "artifact_sha256": "b" * 64,
    }
    value = replacement[field] if new_value == "changed" else ""

    with nothing_written(), pytest.raises(ValidationError) as refused:
        version_update_card(actor=personas["lead"], version_id=version.pk, changes={field: value})

    assert refused.value.message_dict == {
        field: [f"{field} is fixed once set; register a new version for a different artefact."]
    }


def test_artefact_identity_can_be_set_once_when_empty(personas, model):
    version = ModelVersionFactory(model=model)
    changes = {"code_revision": "3f2c9a1", "artifact_uri": "s3://m/c.pkl", "artifact_sha256": SHA}

    version_update_card(actor=personas["engineer"], version_id=version.pk, changes=changes)

    version.refresh_from_db()
    assert (version.code_revision, version.artifact_uri, version.artifact_sha256) == (
        "3f2c9a1",
        "s3://m/c.pkl",
        SHA,
    )


def test_repeating_the_same_artefact_identity_is_allowed(personas, version):
    updated = version_update_card(
        actor=personas["lead"],
        version_id=version.pk,
        changes={"code_revision": "3f2c9a1", "intended_use": "Other."},
    )

    assert (updated.code_revision, updated.card_revision) == ("3f2c9a1", 2)


def test_retired_card_is_frozen(personas, version):
    _set_stage(version, Stage.RETIRED)

    with nothing_written(), pytest.raises(DomainError) as refused:
        version_update_card(
            actor=personas["lead"], version_id=version.pk, changes={"intended_use": "Later."}
        )

    assert str(refused.value) == f"{NAME} is retired; its card is kept as it was."


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"intended_use": COMPLETE_CARD["intended_use"]},
        {"training_date": "2026-10-01", "evaluation_metrics": {"auc": 0.94, "accuracy": 0.91}},
    ],
)
def test_edit_that_changes_nothing_writes_nothing(personas, version, changes):
    with nothing_written():
        unchanged = version_update_card(
            actor=personas["lead"], version_id=version.pk, changes=changes, expected_revision=1
        )

    assert unchanged.card_revision == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"stage": "production"}, "stage"),
        ({"card_revision": 9}, "card_revision"),
        ({"evaluation_metrics": {"auc": float("nan")}}, "evaluation_metrics"),
        ({"known_limitations": "One string"}, "known_limitations"),
        ({"review_schedule": "daily"}, "review_schedule"),
    ],
)
def test_card_edit_refuses_bad_input_naming_the_field(personas, version, changes, field):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        version_update_card(actor=personas["lead"], version_id=version.pk, changes=changes)

    assert list(refused.value.message_dict) == [field]


def test_system_cannot_edit_a_card(version):
    with nothing_written(), pytest.raises(PermissionDenied):
        version_update_card(actor=RETIREMENT, version_id=version.pk, changes={"intended_use": "X"})


# --- the lifecycle: moves through approval -------------------------------------------


def test_development_to_staging_goes_through_approval(personas, model, version):
    mark = audit_mark()

    request = promote(version, personas, "staging")

    assert _stage_of(version) == "staging"
    assert [e[0] for e in new_events(mark)] == [
        "approval.requested",
        "approval.decision",
        "approval.approved",
        "model.stage_changed",
    ]
    assert new_events(mark)[-1] == (
        "model.stage_changed",
        "engineer2",
        model.pk,
        version.pk,
        request.pk,
        {
            "version": "2.4.1",
            "from": "development",
            "to": "staging",
            "reason": f"approval request #{request.pk}",
        },
    )
    assert history(version)[-1] == ("~", "engineer2", "development -> staging")


def test_whole_life_of_a_version(personas, model, version):
    """development -> staging -> production -> deprecated -> production (rollback) ->
    deprecated -> retired, each step through its service."""
    mark = audit_mark()

    promote(version, personas, "staging")
    promote(version, personas, "production")
    version_deprecate(actor=personas["risk_officer"], version_id=version.pk, reason="Drift.")
    rollback = version_rollback(actor=personas["lead"], version_id=version.pk, justification="Ok")
    approve_all(rollback, personas)
    version_deprecate(actor=RETIREMENT, version_id=version.pk, reason="accuracy < 0.88 for 7 days")
    version_retire(actor=personas["lead"], version_id=version.pk, reason="Replaced for good.")

    stage_events = [
        (e[0], e[1], e[5]["from"], e[5]["to"])
        for e in new_events(mark)
        if e[0].startswith("model.")
    ]
    assert stage_events == [
        ("model.stage_changed", "engineer2", "development", "staging"),
        ("model.stage_changed", "risk_officer", "staging", "production"),
        ("model.deprecated", "risk_officer", "production", "deprecated"),
        ("model.rolled_back", "risk_officer", "deprecated", "production"),
        ("model.deprecated", "system:retirement", "production", "deprecated"),
        ("model.retired", "lead", "deprecated", "retired"),
    ]
    assert _stage_of(version) == "retired"
    assert [row[2] for row in history(version)] == [
        None,  # created by the factory
        "development -> staging",
        "staging -> production",
        "production -> deprecated",
        "deprecated -> production",
        "production -> deprecated",
        "deprecated -> retired",
    ]


# --- production -> deprecated --------------------------------------------------------


def test_lead_deprecates_a_production_version(personas, model, version):
    _set_stage(version, Stage.PRODUCTION, days_ago=10)
    mark = audit_mark()
    before = timezone.now()

    moved = version_deprecate(actor=personas["lead"], version_id=version.pk, reason="Drifting.")

    moved.refresh_from_db()
    assert moved.stage == "deprecated"
    assert moved.stage_changed_at >= before
    assert new_events(mark) == [
        (
            "model.deprecated",
            "lead",
            model.pk,
            version.pk,
            None,
            {"version": "2.4.1", "from": "production", "to": "deprecated", "reason": "Drifting."},
        )
    ]
    assert history(moved)[-1] == ("~", "lead", "production -> deprecated")


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("lead", True),
        ("lead2", True),
        ("risk_officer", True),
        ("global_risk", True),
        ("engineer", False),
        ("legal", False),
        ("admin", False),
        ("other_team_lead", False),
        ("no_role", False),
        ("superuser", False),
    ],
)
def test_who_may_deprecate_a_production_version(personas, version, persona, allowed):
    _set_stage(version, Stage.PRODUCTION)

    if allowed:
        version_deprecate(actor=personas[persona], version_id=version.pk, reason="Old.")
        assert _stage_of(version) == "deprecated"
        return
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        version_deprecate(actor=personas[persona], version_id=version.pk, reason="Old.")
    assert str(refused.value) == (
        "To move a version to deprecated you need one of these roles on "
        "customer-churn-predictor: ml_lead, risk_officer."
    )


def test_system_deprecates_on_a_retirement_trigger(model, version):
    _set_stage(version, Stage.PRODUCTION)
    mark = audit_mark()

    version_deprecate(actor=RETIREMENT, version_id=version.pk, reason="drift 0.41 > 0.3")

    assert _stage_of(version) == "deprecated"
    assert new_events(mark) == [
        (
            "model.deprecated",
            "system:retirement",
            model.pk,
            version.pk,
            None,
            {
                "version": "2.4.1",
                "from": "production",
                "to": "deprecated",
                "reason": "drift 0.41 > 0.3",
            },
        )
    ]
    assert AuditEvent.objects.get(sequence=mark + 1).actor_user is None
    assert history(version)[-1] == ("~", None, "production -> deprecated")


def test_person_must_say_why_they_deprecate(personas, version):
    _set_stage(version, Stage.PRODUCTION)

    with nothing_written(), pytest.raises(ValidationError) as refused:
        version_deprecate(actor=personas["lead"], version_id=version.pk, reason="")

    assert refused.value.message_dict == {"reason": ["Say why; this is kept in the audit trail."]}


@pytest.mark.parametrize(
    ("stage", "allowed_moves"),
    [
        ("development", "retired, staging"),
        ("staging", "production, retired"),
        ("deprecated", "production, retired"),
        ("retired", "none (retired is final)"),
    ],
)
@pytest.mark.parametrize("actor", ["lead", "system"])
def test_only_production_versions_can_be_deprecated(personas, version, stage, allowed_moves, actor):
    _set_stage(version, stage)
    who = RETIREMENT if actor == "system" else personas["lead"]

    with nothing_written(), pytest.raises(InvalidTransition) as refused:
        version_deprecate(actor=who, version_id=version.pk, reason="Why.")

    assert str(refused.value) == (
        f"{NAME} is {stage}; it cannot move to deprecated. Allowed from {stage}: {allowed_moves}."
    )


# --- deprecated / development / staging -> retired -----------------------------------


@pytest.mark.parametrize("stage", ["development", "staging", "deprecated"])
def test_lead_retires_at_once(personas, model, version, stage):
    _set_stage(version, stage, days_ago=1)
    mark = audit_mark()

    version_retire(actor=personas["lead"], version_id=version.pk, reason="Not needed.")

    assert _stage_of(version) == "retired"
    assert new_events(mark) == [
        (
            "model.retired",
            "lead",
            model.pk,
            version.pk,
            None,
            {"version": "2.4.1", "from": stage, "to": "retired", "reason": "Not needed."},
        )
    ]
    assert history(version)[-1] == ("~", "lead", f"{stage} -> retired")


@pytest.mark.parametrize(
    ("stage", "persona", "allowed"),
    [
        ("development", "lead2", True),
        ("development", "engineer", False),
        ("development", "risk_officer", False),
        ("staging", "engineer", False),
        ("staging", "legal", False),
        ("deprecated", "lead2", True),
        ("deprecated", "engineer", False),
        ("deprecated", "risk_officer", False),
        ("deprecated", "global_risk", False),
        ("deprecated", "legal", False),
        ("deprecated", "admin", False),
        ("deprecated", "other_team_lead", False),
        ("deprecated", "no_role", False),
        ("deprecated", "superuser", False),
    ],
)
def test_who_may_retire_a_version(personas, version, stage, persona, allowed):
    _set_stage(version, stage)

    if allowed:
        version_retire(actor=personas[persona], version_id=version.pk, reason="Done.")
        assert _stage_of(version) == "retired"
        return
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        version_retire(actor=personas[persona], version_id=version.pk, reason="Done.")
    assert str(refused.value) == (
        "To move a version to retired you need one of these roles on customer-churn-predictor: "
        "ml_lead."
    )


@pytest.mark.parametrize(("grace_days", "days_ago"), [(30, 31), (30, 30.01), (7, 8)])
def test_system_retires_after_the_grace_period(model, version, grace_days, days_ago):
    model.grace_period_days = grace_days
    model.save()
    _set_stage(version, Stage.DEPRECATED, days_ago=days_ago)
    mark = audit_mark()

    version_retire(actor=RETIREMENT, version_id=version.pk, reason="")

    assert _stage_of(version) == "retired"
    assert new_events(mark) == [
        (
            "model.retired",
            "system:retirement",
            model.pk,
            version.pk,
            None,
            {"version": "2.4.1", "from": "deprecated", "to": "retired", "reason": ""},
        )
    ]
    assert history(version)[-1] == ("~", None, "deprecated -> retired")


@pytest.mark.parametrize(("grace_days", "days_ago"), [(30, 0), (30, 29.99), (7, 6)])
def test_system_does_not_retire_within_the_grace_period(model, version, grace_days, days_ago):
    model.grace_period_days = grace_days
    model.save()
    _set_stage(version, Stage.DEPRECATED, days_ago=days_ago)
    ends = version.stage_changed_at + timedelta(days=grace_days)

    with nothing_written(), pytest.raises(InvalidTransition) as refused:
        version_retire(actor=RETIREMENT, version_id=version.pk, reason="")

    assert str(refused.value) == f"{NAME} is in its grace period until {ends:%Y-%m-%d}."


def test_grace_period_is_measured_against_the_clock(model, version):
    _set_stage(version, Stage.DEPRECATED)
    later = version.stage_changed_at + timedelta(days=30, seconds=1)

    with nothing_written(), pytest.raises(InvalidTransition):
        version_retire(actor=RETIREMENT, version_id=version.pk, reason="")
    with mock.patch("django.utils.timezone.now", return_value=later):
        version_retire(actor=RETIREMENT, version_id=version.pk, reason="")

    version.refresh_from_db()
    assert (version.stage, version.stage_changed_at) == ("retired", later)


@pytest.mark.parametrize("stage", ["development", "staging"])
def test_system_does_not_abandon_versions(version, stage):
    _set_stage(version, stage)

    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        version_retire(actor=RETIREMENT, version_id=version.pk, reason="")

    assert str(refused.value) == f"The system cannot move {NAME} to retired."


@pytest.mark.parametrize(
    ("stage", "allowed_moves"),
    [("production", "deprecated"), ("retired", "none (retired is final)")],
)
@pytest.mark.parametrize("actor", ["lead", "system"])
def test_production_and_retired_versions_cannot_be_retired(
    personas, version, stage, allowed_moves, actor
):
    _set_stage(version, stage, days_ago=400)
    who = RETIREMENT if actor == "system" else personas["lead"]

    with nothing_written(), pytest.raises(InvalidTransition) as refused:
        version_retire(actor=who, version_id=version.pk, reason="Why.")

    assert str(refused.value) == (
        f"{NAME} is {stage}; it cannot move to retired. Allowed from {stage}: {allowed_moves}."
    )


def test_abandoning_a_version_rejects_its_open_requests(personas, model):
    version = ModelVersionFactory(model=model, version="2.4.1", stage=Stage.STAGING, complete=True)
    request = request_promotion(version, personas, "production")
    approval_decide(actor=personas["lead2"], request_id=request.pk, approve=True, note="")
    mark = audit_mark()

    version_retire(actor=personas["lead"], version_id=version.pk, reason="Abandoned.")

    request.refresh_from_db()
    assert request.status == "rejected"
    assert request.decided_at is not None
    assert new_events(mark)[1] == (
        "approval.rejected",
        "lead",
        model.pk,
        version.pk,
        request.pk,
        {
            "reason": "the version moved to retired; the request no longer applies",
            "target_stage": "production",
        },
    )
    assert [e[0] for e in new_events(mark)] == ["model.retired", "approval.rejected"]
    assert history(request)[-1] == ("~", "lead", "version left the stage")


def test_retiring_after_the_grace_period_rejects_an_open_rollback(personas, model, version):
    _set_stage(version, Stage.DEPRECATED, days_ago=29)
    request = version_rollback(actor=personas["lead"], version_id=version.pk, justification="J")
    _set_stage(version, Stage.DEPRECATED, days_ago=31)

    version_retire(actor=RETIREMENT, version_id=version.pk, reason="")

    request.refresh_from_db()
    assert request.status == "rejected"
    assert history(request)[-1] == ("~", None, "version left the stage")


# --- deprecated -> production (rollback) ---------------------------------------------


def test_rollback_within_the_grace_period_restores_production(personas, model, version):
    _set_stage(version, Stage.DEPRECATED, days_ago=29)
    current = ModelVersionFactory(model=model, version="2.5.0", stage=Stage.PRODUCTION)
    mark = audit_mark()

    request = version_rollback(
        actor=personas["lead"], version_id=version.pk, justification="2.5.0 misbehaves."
    )
    approve_all(request, personas)

    assert (_stage_of(version), _stage_of(current)) == ("production", "deprecated")
    events = new_events(mark)
    assert events[0] == (
        "approval.requested",
        "lead",
        model.pk,
        version.pk,
        request.pk,
        {
            "version": "2.4.1",
            "from": "deprecated",
            "to": "production",
            "required_roles": ["ml_lead", "risk_officer"],
            "card_hash": version.card_hash(),
            "justification": "2.5.0 misbehaves.",
        },
    )
    assert [(e[0], e[3]) for e in events[-2:]] == [
        ("model.deprecated", current.pk),
        ("model.rolled_back", version.pk),
    ]
    assert events[-1][5] == {
        "version": "2.4.1",
        "from": "deprecated",
        "to": "production",
        "reason": f"approval request #{request.pk}",
    }
    assert history(version)[-1] == ("~", "risk_officer", "deprecated -> production")


@pytest.mark.parametrize(("grace_days", "days_ago"), [(30, 31), (7, 8)])
def test_rollback_refused_after_the_grace_period(personas, model, version, grace_days, days_ago):
    model.grace_period_days = grace_days
    model.save()
    _set_stage(version, Stage.DEPRECATED, days_ago=days_ago)
    ends = version.stage_changed_at + timedelta(days=grace_days)

    with nothing_written(), pytest.raises(InvalidTransition) as refused:
        version_rollback(actor=personas["lead"], version_id=version.pk, justification="J")

    assert str(refused.value) == (
        f"The grace period of {NAME} ended on {ends:%Y-%m-%d}; it can no longer be rolled back "
        "to production."
    )


def test_rollback_allowed_until_the_grace_period_ends(personas, model, version):
    model.grace_period_days = 7
    model.save()
    _set_stage(version, Stage.DEPRECATED, days_ago=6)

    request = version_rollback(actor=personas["lead"], version_id=version.pk, justification="J")

    assert isinstance(request, ApprovalRequest)
    assert request.status == "pending"


@pytest.mark.parametrize("stage", ["development", "staging", "production", "retired"])
def test_only_deprecated_versions_can_be_rolled_back(personas, version, stage):
    _set_stage(version, stage)

    with nothing_written(), pytest.raises(InvalidTransition) as refused:
        version_rollback(actor=personas["lead"], version_id=version.pk, justification="J")

    assert (
        str(refused.value) == f"Only deprecated versions can be rolled back; this one is {stage}."
    )


@pytest.mark.parametrize("persona", ["engineer", "risk_officer", "legal", "admin", "superuser"])
def test_only_a_lead_asks_for_a_rollback(personas, version, persona):
    _set_stage(version, Stage.DEPRECATED)

    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        version_rollback(actor=personas[persona], version_id=version.pk, justification="J")

    assert str(refused.value) == (
        "To request production you need one of these roles on customer-churn-predictor: ml_lead."
    )


def test_rollback_needs_a_complete_card(personas, model):
    version = ModelVersionFactory(model=model, stage=Stage.DEPRECATED, intended_use="")

    with nothing_written(), pytest.raises(DomainError, match="^Card incomplete: intended_use, "):
        version_rollback(actor=personas["lead"], version_id=version.pk, justification="J")


# --- retired is terminal -------------------------------------------------------------


def test_retired_is_terminal(personas, version):
    _set_stage(version, Stage.RETIRED)
    lead = personas["lead"]
    attempts = [
        lambda: version_deprecate(actor=lead, version_id=version.pk, reason="R"),
        lambda: version_retire(actor=lead, version_id=version.pk, reason="R"),
        lambda: version_rollback(actor=lead, version_id=version.pk, justification="J"),
        lambda: request_promotion(version, personas, "staging"),
        lambda: request_promotion(version, personas, "production"),
        lambda: version_update_card(
            actor=lead, version_id=version.pk, changes={"primary_users": []}
        ),
    ]

    for attempt in attempts:
        with nothing_written(), pytest.raises(DomainError):
            attempt()

    assert _stage_of(version) == "retired"


def test_unknown_model_version_is_not_found(personas):
    with pytest.raises(ModelVersion.DoesNotExist):
        version_deprecate(actor=personas["lead"], version_id=999_999, reason="R")


def test_versions_of_other_teams_models_are_out_of_reach(personas, other_team):
    foreign_model = RegisteredModel.objects.create(
        name="campaign-uplift", team=other_team, owner=personas["other_team_lead"]
    )
    foreign = ModelVersionFactory(model=foreign_model, stage=Stage.PRODUCTION, complete=True)

    with nothing_written(), pytest.raises(PermissionDenied):
        version_deprecate(actor=personas["lead"], version_id=foreign.pk, reason="Not mine.")
    version_deprecate(actor=personas["other_team_lead"], version_id=foreign.pk, reason="Mine.")

    assert _stage_of(foreign) == "deprecated"


def test_registered_card_hash_is_the_hash_of_the_card_as_stored(personas, model):
    mark = audit_mark()
    card = {"hyperparameters": {"n_samples": 1e20, "shrink": -0.0}}

    new = version_register(
        actor=personas["engineer"], model_id=model.pk, version="3.0.0", card=card
    )

    stored = ModelVersion.objects.get(pk=new.pk)
    assert new_events(mark)[0][5]["card_hash"] == stored.card_hash()


# --- version_transition: which service a requested move goes to ----------------------


@pytest.mark.parametrize(
    ("stage", "target", "outcome"),
    [
        (Stage.DEVELOPMENT, Stage.STAGING, "request"),
        (Stage.STAGING, Stage.PRODUCTION, "request"),
        (Stage.DEPRECATED, Stage.PRODUCTION, "rollback request"),
        (Stage.PRODUCTION, Stage.DEPRECATED, "deprecated"),
        (Stage.DEVELOPMENT, Stage.RETIRED, "retired"),
    ],
)
def test_a_transition_takes_the_path_the_policy_sets(personas, version, stage, target, outcome):
    ModelVersion.objects.filter(pk=version.pk).update(**COMPLETE_CARD)
    _set_stage(version, stage, days_ago=1)
    version.refresh_from_db()

    result = version_transition(
        actor=personas["lead"], version=version, target_stage=target, justification="Because."
    )

    if outcome.endswith("request"):
        assert isinstance(result, ApprovalRequest)
        assert (result.from_stage, result.target_stage) == (stage, target)
        assert result.justification == "Because."
    else:
        assert _stage_of(version) == outcome


def test_a_transition_outside_the_lifecycle_is_refused_by_the_request_policy(personas, version):
    with nothing_written(), pytest.raises(InvalidTransition) as refused:
        version_transition(
            actor=personas["lead"],
            version=version,
            target_stage=Stage.PRODUCTION,
            justification="Skip.",
        )

    assert str(refused.value).startswith(f"{NAME} is development; it cannot move to production.")


def test_a_transition_rechecks_the_stage_on_the_locked_version(personas, version):
    """The caller read the version in production; it was deprecated since: the direct move
    is refused on the locked row instead of deprecating twice."""
    _set_stage(version, Stage.PRODUCTION)
    version.refresh_from_db()
    _set_stage(version, Stage.DEPRECATED)

    with nothing_written(), pytest.raises(InvalidTransition):
        version_transition(
            actor=personas["lead"],
            version=version,
            target_stage=Stage.DEPRECATED,
            justification="Old.",
        )
