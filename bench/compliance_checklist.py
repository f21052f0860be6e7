"""The checklist part of bench/compliance.py: seed N versions in bulk (seed_scale, then the
records the checks read: classifications, approvals with their decisions, daily metrics,
deployments, alerts and incidents), then time governance.compliance.checklists_for over
the first 1,000 and over all N versions, counting its queries (they must not grow)."""

import datetime
import io
import time
import tracemalloc
from dataclasses import dataclass

CHECKLIST_TARGET_SECONDS = 10.0
METRIC_DAYS = 30
BATCH = 2_000


@dataclass
class Run:
    versions: int
    seconds: float
    queries: int
    peak_mib: float
    statuses: dict[str, int]


def _classifications(models: list, confirmer: object) -> None:
    """A third of the models high-risk providers, a third high-risk provider-and-deployer
    (Annex III 5(b): Art. 27 too), a third not high-risk."""
    from simple_history.utils import bulk_create_with_history

    from governance.models import RiskClassification

    answers = [
        ("provider", "4(a)", True, "high"),
        ("both", "5(b)", True, "high"),
        ("provider", "none", False, "low"),
    ]
    rows = []
    for number, model in enumerate(models):
        role, point, high, level = answers[number % 3]
        rows.append(
            RiskClassification(
                model=model,
                organisation_role=role,
                intended_purpose="Benchmark purpose.",
                annex_i_safety_component=False,
                annex_iii_point=point,
                profiles_natural_persons=high,
                art6_3_exemption="none",
                general_purpose_ai=False,
                proposed_risk_level=level,
                is_high_risk=high,
                proposal_reasons=["Benchmark."],
                confirmed_by=confirmer,
                confirmed_at=datetime.datetime.now(datetime.UTC),
            )
        )
    bulk_create_with_history(rows, RiskClassification, batch_size=BATCH)


def _approvals(versions: list, people: dict) -> None:
    """Each version past staging: an approved staging request (ml_engineer) and, past
    production, an approved production request (ml_lead, risk_officer, legal)."""
    from governance.models import ApprovalDecision, ApprovalRequest, Stage

    now = datetime.datetime.now(datetime.UTC)
    paths = {
        Stage.STAGING: [(Stage.STAGING, ["ml_engineer"])],
        Stage.PRODUCTION: [
            (Stage.STAGING, ["ml_engineer"]),
            (Stage.PRODUCTION, ["ml_lead", "risk_officer", "legal"]),
        ],
    }
    paths[Stage.DEPRECATED] = paths[Stage.PRODUCTION]
    requests, roles = [], []
    for version in versions:
        card_hash = version.card_hash()
        for target, needed in paths.get(version.stage, []):
            requests.append(
                ApprovalRequest(
                    version=version,
                    target_stage=target,
                    from_stage=Stage.DEVELOPMENT if target == Stage.STAGING else Stage.STAGING,
                    requester=people["lead"],
                    justification="Benchmark.",
                    status="approved",
                    required_roles=sorted(needed),
                    card_hash=card_hash,
                    decided_at=now,
                )
            )
            roles.append((needed, card_hash))
    ApprovalRequest.objects.bulk_create(requests, batch_size=BATCH)
    approver = {
        "ml_engineer": "engineer",
        "ml_lead": "lead",
        "risk_officer": "risk",
        "legal": "legal",
    }
    decisions = [
        ApprovalDecision(
            request=request,
            approver=people[approver[role]],
            role=role,
            decision="approved",
            card_hash=card_hash,
        )
        for request, (needed, card_hash) in zip(requests, roles, strict=True)
        for role in needed
    ]
    ApprovalDecision.objects.bulk_create(decisions, batch_size=BATCH)


def _operations(live: list, people: dict) -> None:
    """Production versions: 30 days of accuracy and drift, an active production deployment;
    one in ten an open alert, one in fifty an open serious incident."""
    from governance.models import (
        Deployment,
        MetricObservation,
        RetirementAlert,
        SeriousIncident,
    )

    now = datetime.datetime.now(datetime.UTC)
    today = now.date()
    points = [
        MetricObservation(
            version=version, name=name, value=value, observed_at=now - datetime.timedelta(days=day)
        )
        for version in live
        for day in range(METRIC_DAYS)
        for name, value in (("accuracy", 0.91), ("drift_score", 0.1))
    ]
    MetricObservation.objects.bulk_create(points, batch_size=BATCH * 5)
    Deployment.objects.bulk_create(
        [
            Deployment(
                endpoint=f"https://serving/{version.pk}",
                environment="production",
                version=version,
                reported_by=people["engineer"],
                reported_at=now,
            )
            for version in live
        ],
        batch_size=BATCH,
    )
    RetirementAlert.objects.bulk_create(
        [
            RetirementAlert(version=v, rule="max_age", reasons=[], fingerprint=f"{v.pk:064x}")
            for v in live[::10]
        ],
        batch_size=BATCH,
    )
    SeriousIncident.objects.bulk_create(
        [
            SeriousIncident(
                version=v,
                description="Benchmark incident.",
                aware_at=today,
                severity="other",
                report_deadline=today + datetime.timedelta(days=15),
                reported_by=people["risk"],
            )
            for v in live[::50]
        ],
        batch_size=BATCH,
    )


def seed(versions: int) -> None:
    """seed_scale's models (3 versions each, their stories in the audit trail), then the
    records above. Benchmark data: bulk inserts, like seed_scale."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from governance.models import ModelVersion, RegisteredModel, Stage

    models = -(-versions // 3)
    call_command(
        "seed_scale", models=models, versions_per_model=3, events=models * 8, stdout=io.StringIO()
    )
    users = get_user_model().objects
    people = {name: users.get(username=name) for name in ("engineer", "lead", "risk", "legal")}
    _classifications(list(RegisteredModel.objects.order_by("pk")), people["risk"])
    rows = list(ModelVersion.objects.order_by("pk")[:versions])
    _approvals(rows, people)
    _operations([v for v in rows if v.stage == Stage.PRODUCTION], people)


def _versions(count: int):  # noqa: ANN202 - the first `count` versions, as a queryset
    from governance.models import ModelVersion

    last = ModelVersion.objects.order_by("pk").values_list("pk", flat=True)[count - 1]
    return ModelVersion.objects.filter(pk__lte=last)


def time_checklists(count: int) -> Run:
    from collections import Counter

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from governance.compliance import checklists_for

    versions = _versions(count)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        checklists = checklists_for(versions)
        seconds = time.perf_counter() - started
    statuses = Counter(str(checklist.status) for checklist in checklists)
    return Run(len(checklists), seconds, len(queries), 0.0, dict(statuses))


def traced_peak(count: int) -> float:
    """MiB Python allocates to build the checklists (a separate, untimed pass: tracing
    slows allocation several times over)."""
    from governance.compliance import checklists_for

    versions = _versions(count)
    tracemalloc.start()
    checklists_for(versions)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def checklist_lines(runs: list[Run], seeding: float) -> list[str]:
    lines = [f"Compliance checklists (seeded {runs[-1].versions:,} versions in {seeding:.1f} s)"]
    for run in runs:
        verdict = "ok" if run.seconds < CHECKLIST_TARGET_SECONDS else "MISSED"
        target = f"< {CHECKLIST_TARGET_SECONDS:.0f} s: {verdict}" if run is runs[-1] else ""
        lines.append(
            f"  {run.versions:>6,} versions  {run.seconds:6.2f} s  {run.queries} queries  "
            f"{target}".rstrip()
        )
    fixed = len({run.queries for run in runs}) == 1
    lines.append(f"  queries independent of N: {'yes' if fixed else 'NO'}")
    lines.append(f"  statuses at {runs[-1].versions:,}: {runs[-1].statuses}")
    lines.append(f"  memory to build them: {runs[-1].peak_mib:.0f} MiB (tracemalloc peak)")
    return lines


def run_checklist(fresh_database: object, server_url: str | None, versions: int) -> list[str]:
    fresh_database(server_url)
    started = time.perf_counter()
    seed(versions)
    seeding = time.perf_counter() - started
    time_checklists(min(100, versions))  # warm: content types, first connection
    sizes = sorted({min(1_000, versions), versions})
    runs = [time_checklists(size) for size in sizes]
    runs[-1].peak_mib = traced_peak(versions)
    return checklist_lines(runs, seeding)
