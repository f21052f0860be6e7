"""Retirement sweep benchmark (issue 5). Prints figures; it is not a timed test.

    .venv/bin/python bench/sweep.py --versions 10000 --days 90
    DATABASE_URL=postgres://u@host/db .venv/bin/python bench/sweep.py --bench-db my_bench

Seeds (in a child process, so the sweep's peak memory is its own) N production versions,
one per model over ten teams, each deployed in production, with a daily accuracy and
drift_score for D days (2 x N x D observations, bulk-inserted: seed data, not a governed
change), then runs the four sweeps in this process the way the scheduled tasks do (the
selectors, batches of TUTELA_SWEEP_BATCH_SIZE, the services), then the retirement sweep
again on the unchanged data. Prints wall time, queries per batch, batches, peak memory and
what the sweeps did. Every tenth version is too old, one in ten has accuracy below 0.88 for
8 days, one in ten drifts above 0.3 (their neighbours sit just at the boundaries), a quarter
of the models auto-deprecate, and about a quarter of the reviews are overdue.

The database is bench/core.py's throwaway one: SQLite under --var-dir, or the PostgreSQL
database --bench-db (created and dropped) next to DATABASE_URL's.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import core

TEAMS = 10
TARGET_SECONDS, TARGET_MB = 10.0, 300


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=10_000, help="production versions")
    parser.add_argument("--days", type=int, default=90, help="days of daily metrics")
    parser.add_argument("--bench-db", default=core.BENCH_DB, help="PostgreSQL bench database")
    parser.add_argument("--var-dir", default=str(core.BENCH_DIR / "sweep"), help="SQLite dir")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def configure(args: argparse.Namespace) -> str | None:
    core.BENCH_DB, core.BENCH_DIR = args.bench_db, Path(args.var_dir)
    server_url = core.configure_environment()
    os.environ["EMAIL_URL"] = "memorymail://"  # count the mails, send none
    import django

    django.setup()
    return server_url


# --- seeding (child process) ---------------------------------------------------------


def seed(versions: int, days: int) -> None:
    from governance.management.commands._seed_people import (
        SeedLog,
        ensure_personas,
        ensure_team_role,
        ensure_user,
    )
    from governance.models import Role
    from governance.services.teams import team_create

    log = SeedLog()
    people = ensure_personas(log, password=None)
    teams = []
    for number in range(TEAMS):
        team = team_create(actor=people["admin"], slug=f"sweep-{number}", name=f"Sweep {number}")
        lead = ensure_user(f"sweep-lead-{number}", staff=False, log=log, password=None)
        ensure_team_role(lead, Role.ML_LEAD, team, actor=people["admin"], log=log)
        teams.append(team)
    for first in range(0, versions, 2_000):
        count = min(2_000, versions - first)
        ids = _insert_versions(first, count, teams, people["lead"], people["engineer"])
        for start in range(0, count, 500):
            _insert_metrics(first + start, ids[start : start + 500], days)


def _insert_versions(first: int, count: int, teams: list, owner: object, author: object) -> list:
    import datetime

    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from governance import policies
    from governance.models import Deployment, ModelVersion, RegisteredModel, ReviewSchedule, Stage

    history = {"default_user": author, "default_change_reason": "bench sweep seed"}
    now, day = timezone.now(), datetime.timedelta(days=1)
    models = [
        RegisteredModel(
            name=f"sweep-{n:06d}", team=teams[n % TEAMS], owner=owner, auto_deprecate=n % 4 == 0
        )
        for n in range(first, first + count)
    ]
    models = bulk_create_with_history(models, RegisteredModel, batch_size=2_000, **history)
    rows = []
    for n, model in enumerate(models, start=first):
        approved = now - ((n * 7) % 121) * day
        rows.append(
            ModelVersion(
                model=model,
                version="1.0.0",
                stage=Stage.PRODUCTION,
                created_by=author,
                training_date=now.date() - (10 + (n * 37) % 90) * day,
                stage_changed_at=approved,
                last_reviewed_at=approved,
                next_review_at=policies.next_review_due(ReviewSchedule.QUARTERLY, approved),
            )
        )
    rows = bulk_create_with_history(rows, ModelVersion, batch_size=2_000, **history)
    deployments = [
        Deployment(
            endpoint=f"sweep-{n:06d}",
            environment="production",
            version=version,
            reported_by=author,
            reported_at=version.stage_changed_at,
        )
        for n, version in enumerate(rows, start=first)
    ]
    bulk_create_with_history(deployments, Deployment, batch_size=2_000, **history)
    return [version.pk for version in rows]


def _series(n: int, days: int) -> dict[str, list[float]]:
    """Daily accuracy and drift_score of version n, oldest first."""
    accuracy = [0.93 + 0.01 * ((n + day) % 3) for day in range(days)]
    drift = [0.1 + 0.01 * ((n + day) % 5) for day in range(days)]
    low = {3: 8, 4: 6}.get(n % 10, 0)  # 8 days below the floor fire; 6 do not
    accuracy[days - low :] = [0.85] * low if low else []
    drift[-1] = {5: 0.35, 6: 0.3}.get(n % 10, drift[-1])  # above the ceiling; at it
    return {"accuracy": accuracy, "drift_score": drift}


def _insert_metrics(first: int, version_ids: list[int], days: int) -> None:
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from governance.models import MetricObservation

    start = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    start -= datetime.timedelta(days=days - 1)
    moments = [start + datetime.timedelta(days=day) for day in range(days)]
    rows = [
        (version_id, name, value, moments[day] + datetime.timedelta(seconds=n % 600), "bench")
        for n, version_id in enumerate(version_ids, start=first)
        for name, values in _series(n, days).items()
        for day, value in enumerate(values)
    ]
    table = MetricObservation._meta.db_table
    columns = "version_id, name, value, observed_at, source, recorded_at"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: an order of magnitude faster
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, start))
            return
        adapt = connection.ops.adapt_datetimefield_value
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)",
            [(v, name, value, adapt(at), src, adapt(start)) for v, name, value, at, src in rows],
        )


# --- the sweep (this process) ----------------------------------------------------------


@dataclass
class SweepRun:
    label: str
    seconds: float = 0.0
    queries: list[int] = field(default_factory=list)
    actions: Counter = field(default_factory=Counter)


class QueryCounter:
    """Counts statements without keeping them (CaptureQueriesContext would hold every SQL)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable, sql: str, params: object, many: bool, context: dict):
        self.count += 1
        return execute(sql, params, many, context)


def run_sweep(label: str, select: Callable, service: Callable, **options: object) -> SweepRun:
    from django.conf import settings
    from django.db import connection

    run, counter = SweepRun(label), QueryCounter()
    size = settings.TUTELA_SWEEP_BATCH_SIZE
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        ids = select()
        for start in range(0, len(ids), size):
            before = counter.count
            findings = service(ids[start : start + size], **options)
            run.queries.append(counter.count - before)
            run.actions.update(f.action for f in findings if f.action != "unchanged")
    run.seconds = time.perf_counter() - started
    return run


def sweeps() -> list[SweepRun]:
    from django.utils import timezone

    from governance.selectors import retirement as select
    from governance.services import retirement as services

    now = timezone.now()
    evaluate = _by_versions(services.retirement_evaluate)
    grace = _by_versions(services.grace_period_retire)
    reviews = _by_versions(services.review_reminders_send)

    def shadows(ids: list[int], **options: object) -> list:
        return services.shadow_deployments_check(deployment_ids=ids, **options)

    return [
        run_sweep("retirement criteria", select.production_version_ids, evaluate, now=now),
        run_sweep("grace periods", lambda: select.grace_expired_version_ids(now=now), grace),
        run_sweep("review reminders", lambda: select.review_due_version_ids(now=now), reviews),
        run_sweep("shadow deployments", select.active_deployment_ids, shadows),
        run_sweep("retirement criteria again (quiet)", select.production_version_ids, evaluate),
    ]


def _by_versions(service: Callable) -> Callable:
    return lambda ids, **options: service(version_ids=ids, **options)


def report(runs: list[SweepRun], versions: int, days: int, seed_seconds: float) -> None:
    from django.db import connection

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    seed_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    where = f"{connection.vendor} ({connection.settings_dict['NAME']})"
    print(f"\nTutela retirement sweep on {where}: {os.cpu_count()} CPUs, load {load}")
    print(
        f"  seeded {versions:,} production versions x {days} days "
        f"({2 * versions * days:,} observations) in {seed_seconds:.1f} s, "
        f"peak {seed_peak:.0f} MB (child process)\n"
    )
    print(f"{'sweep':<38}{'wall s':>8}{'batches':>9}{'queries/batch':>15}  what it did")
    for run in runs:
        span = f"{min(run.queries, default=0)}-{max(run.queries, default=0)}"
        did = ", ".join(f"{count:,} {action}" for action, count in sorted(run.actions.items()))
        print(f"  {run.label:<36}{run.seconds:>8.2f}{len(run.queries):>9}{span:>15}  {did or '-'}")
    print()
    print("\n".join(_figures(runs)))


def _figures(runs: list[SweepRun]) -> list[str]:
    from django.core import mail

    from governance.audit import verify_chain
    from governance.models import Notification, RetirementAlert

    full = sum(run.seconds for run in runs[:4])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    chain = verify_chain()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"  full sweep, first run (four sweeps): {full:.2f} s "
        f"(target < {TARGET_SECONDS:.0f} s: {'ok' if full < TARGET_SECONDS else 'MISSED'})",
        f"  peak memory of the sweep process: {peak:.0f} MB "
        f"(target < {TARGET_MB} MB: {'ok' if peak < TARGET_MB else 'MISSED'})",
        f"  alerts: {RetirementAlert.objects.count():,}; notifications: "
        f"{Notification.objects.count():,}; mails: {len(getattr(mail, 'outbox', [])):,}",
        f"  audit chain: {chain.count:,} events, {'intact' if chain.ok else 'BROKEN'}",
        f"  load average (1, 5, 15 min) at the end: {load}",
    ]


def main() -> None:
    args = parse_args()
    server_url = configure(args)
    if args.seed_only:
        seed(args.versions, args.days)
        return
    core.fresh_database(server_url)
    try:
        started = time.perf_counter()
        child = [sys.executable, __file__, "--seed-only", *sys.argv[1:]]
        subprocess.run(child, check=True, env=os.environ)
        seed_seconds = time.perf_counter() - started
        runs = sweeps()
        report(runs, args.versions, args.days, seed_seconds)
    finally:
        if server_url is not None and not args.keep:
            core.recreate_database(server_url, drop_only=True)


if __name__ == "__main__":
    main()
