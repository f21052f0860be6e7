"""Reviewers deciding and promoting at the same moment, each on its own database connection:
the locks keep one production version per model, one live decision per role, one role per
person, and a single gap-free audit chain. PostgreSQL only (SQLite serializes writers)."""

import random
import re
import threading
import traceback
from collections import Counter
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from governance.audit import verify_chain
from governance.exceptions import DomainError
from governance.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    AuditEvent,
    ModelVersion,
    Role,
    Stage,
)
from governance.services.approvals import approval_create, approval_decide
from tests.factories import ModelVersionFactory, RegisteredModelFactory, UserFactory, grant
from tests.workflows import REVIEWER_FOR_ROLE, request_promotion

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
EXPECTED_REFUSALS = (
    r"^The (ml_lead|risk_officer) decision on this request has already been made\.$",
    r"^Request #\d+ is approved; it takes no more decisions\.$",
    r"^You already decided on this request; one person fills at most one role\.$",
)


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "Concurrency needs row locks between connections: PostgreSQL only (SQLite "
            "serializes whole-database writes)."
        )


def run_together(tasks: list[Callable[[], object]]) -> tuple[list, list[str]]:
    """Start every task at the same moment on its own thread and database connection.

    Returns each task's outcome ("ok", value) or ("refused", error) for domain errors and
    permission refusals, and the tracebacks of anything else (deadlocks and integrity
    errors are bugs)."""
    barrier = threading.Barrier(len(tasks))
    outcomes: list = [None] * len(tasks)
    unexpected: list[str] = []

    def work(index: int, task: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = ("ok", task())
        except (DomainError, PermissionDenied) as error:
            outcomes[index] = ("refused", error)
        except BaseException:  # noqa: BLE001 - every other failure is reported
            unexpected.append(traceback.format_exc())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=item) for item in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (lock wait?)"
    return outcomes, unexpected


def assert_chain_intact() -> None:
    report = verify_chain()
    assert report.ok, f"chain broken at #{report.broken_at}: {report.problem}"
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1))
    assert report.count == len(sequences)


def assert_one_role_per_person_and_one_decision_per_role() -> None:
    live = ApprovalDecision.objects.filter(superseded_at__isnull=True)
    per_role = Counter(live.values_list("request_id", "role"))
    per_person = Counter(live.values_list("request_id", "approver_id"))
    assert max(per_role.values(), default=1) == 1
    assert max(per_person.values(), default=1) == 1
    requesters = dict(ApprovalRequest.objects.values_list("pk", "requester_id"))
    assert not [d for d in live if d.approver_id == requesters[d.request_id]]


def test_eight_reviewers_approving_many_requests_at_once_leave_one_production_version(
    personas, model
):
    versions = [
        ModelVersionFactory(model=model, version=f"3.{n}.0", stage=Stage.STAGING, complete=True)
        for n in range(4)
    ]
    requests = [request_promotion(version, personas, Stage.PRODUCTION) for version in versions]
    reviewers = []
    for n in range(THREADS):
        reviewer = UserFactory(username=f"reviewer{n}")
        grant(reviewer, Role.ML_LEAD, model.team)
        grant(reviewer, Role.RISK_OFFICER, model.team)
        reviewers.append(reviewer.pk)
    refusals: list[str] = []

    def review_everything(user_id: int, seed: int) -> int:
        """Approve every request in both roles, in a random order; count what was taken."""
        actor = get_user_model().objects.get(pk=user_id)
        order = random.Random(seed)
        decided = 0
        for request in order.sample(requests, len(requests)):
            for role in order.sample([Role.ML_LEAD, Role.RISK_OFFICER], 2):
                try:
                    approval_decide(
                        actor=actor, request_id=request.pk, approve=True, note="", role=role
                    )
                    decided += 1
                except (DomainError, PermissionDenied) as error:
                    refusals.append(str(error))
        return decided

    outcomes, unexpected = run_together(
        [
            lambda u=user_id, s=seed: review_everything(u, s)
            for seed, user_id in enumerate(reviewers)
        ]
    )

    assert unexpected == []
    assert sum(value for _, value in outcomes) == 8  # two roles on each of four requests
    assert [m for m in refusals if not any(re.match(p, m) for p in EXPECTED_REFUSALS)] == []
    stages = Counter(ModelVersion.objects.filter(model=model).values_list("stage", flat=True))
    assert stages == {Stage.PRODUCTION: 1, Stage.DEPRECATED: 3}
    assert set(ApprovalRequest.objects.values_list("status", flat=True)) == {
        ApprovalStatus.APPROVED
    }
    for request in requests:
        live = request.decisions.filter(superseded_at__isnull=True)
        assert sorted(live.values_list("role", flat=True)) == ["ml_lead", "risk_officer"]
    assert_one_role_per_person_and_one_decision_per_role()
    last_approved = AuditEvent.objects.filter(event_type="approval.approved").last()
    assert ModelVersion.objects.get(stage=Stage.PRODUCTION).pk == last_approved.version_id
    assert Counter(AuditEvent.objects.values_list("event_type", flat=True)) == {
        "approval.requested": 4,
        "approval.decision": 8,
        "approval.approved": 4,
        "model.stage_changed": 4,
        "model.deprecated": 3,
    }
    assert_chain_intact()


def test_eight_models_promoted_at_once_share_one_unforked_audit_chain(personas, team):
    """No model lock is shared: only the chain head serializes these writers."""
    versions = [
        ModelVersionFactory(
            model=RegisteredModelFactory(name=f"model-{n}", team=team, owner=personas["lead"]),
            version="1.0.0",
            complete=True,
        )
        for n in range(THREADS)
    ]
    users = {name: personas[name].pk for name in ("engineer", "lead", *REVIEWER_FOR_ROLE.values())}

    def promote_to_production(version_id: int) -> str:
        people = {name: get_user_model().objects.get(pk=pk) for name, pk in users.items()}
        for target, requester in ((Stage.STAGING, "engineer"), (Stage.PRODUCTION, "lead")):
            request = approval_create(
                actor=people[requester],
                version_id=version_id,
                target_stage=target,
                justification="Ready.",
            )
            for role in request.required_roles:
                approval_decide(
                    actor=people[REVIEWER_FOR_ROLE[role]],
                    request_id=request.pk,
                    approve=True,
                    note="",
                    role=role,
                )
        return ModelVersion.objects.get(pk=version_id).stage

    outcomes, unexpected = run_together(
        [lambda v=version.pk: promote_to_production(v) for version in versions]
    )

    assert unexpected == []
    assert outcomes == [("ok", Stage.PRODUCTION)] * THREADS
    assert ModelVersion.objects.filter(stage=Stage.PRODUCTION).count() == THREADS
    # Per model: 2 requests, 3 decisions, 2 approvals, 2 stage changes.
    assert AuditEvent.objects.count() == THREADS * 9
    assert_one_role_per_person_and_one_decision_per_role()
    assert_chain_intact()


def test_two_approvals_of_the_last_missing_role_at_once_one_wins(personas, model):
    """Four rounds, each racing two risk officers for the last role of a new request."""
    risk_officers = [personas["risk_officer"].pk, personas["global_risk"].pk]
    for round_number in range(4):
        version = ModelVersionFactory(
            model=model, version=f"4.{round_number}.0", stage=Stage.STAGING, complete=True
        )
        request = request_promotion(version, personas, Stage.PRODUCTION)
        approval_decide(
            actor=personas["lead2"], request_id=request.pk, approve=True, note="", role="ml_lead"
        )

        def approve_as(user_id: int, request_id: int = request.pk) -> str:
            actor = get_user_model().objects.get(pk=user_id)
            return approval_decide(
                actor=actor, request_id=request_id, approve=True, note="Fine."
            ).status

        outcomes, unexpected = run_together([lambda u=pk: approve_as(u) for pk in risk_officers])

        assert unexpected == []
        assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"]
        won = next(value for kind, value in outcomes if kind == "ok")
        lost = next(value for kind, value in outcomes if kind == "refused")
        assert won == ApprovalStatus.APPROVED
        assert type(lost) is DomainError
        assert lost.message == f"Request #{request.pk} is approved; it takes no more decisions."
        request.refresh_from_db()
        assert request.status == ApprovalStatus.APPROVED
        assert request.decisions.filter(role="risk_officer").count() == 1
        assert ModelVersion.objects.get(stage=Stage.PRODUCTION) == version

    assert ModelVersion.objects.filter(model=model, stage=Stage.DEPRECATED).count() == 3
    assert_one_role_per_person_and_one_decision_per_role()
    assert_chain_intact()


def test_one_person_racing_in_two_roles_fills_only_one(personas, model):
    version = ModelVersionFactory(model=model, version="5.0.0", stage=Stage.STAGING, complete=True)
    request = request_promotion(version, personas, Stage.PRODUCTION)
    both = UserFactory(username="both_roles")
    grant(both, Role.ML_LEAD, model)
    grant(both, Role.RISK_OFFICER, model)
    roles = [Role.ML_LEAD, Role.RISK_OFFICER] * (THREADS // 2)

    def decide_as(role: str) -> str:
        actor = get_user_model().objects.get(pk=both.pk)
        return approval_decide(
            actor=actor, request_id=request.pk, approve=True, note="", role=role
        ).status

    outcomes, unexpected = run_together([lambda r=role: decide_as(r) for role in roles])

    assert unexpected == []
    assert [value for kind, value in outcomes if kind == "ok"] == [ApprovalStatus.IN_REVIEW]
    refusals = [str(value) for kind, value in outcomes if kind == "refused"]
    assert len(refusals) == THREADS - 1
    assert [m for m in refusals if not any(re.match(p, m) for p in EXPECTED_REFUSALS)] == []
    request.refresh_from_db()
    assert request.status == ApprovalStatus.IN_REVIEW
    assert request.decisions.count() == 1
    version.refresh_from_db()
    assert version.stage == Stage.STAGING
    assert_one_role_per_person_and_one_decision_per_role()
    assert_chain_intact()
