"""Review UI page benchmarks (issue 3). Prints figures; it is not a timed test.

    .venv/bin/python bench/pages.py           # SQLite: var/bench/tutela.sqlite3, recreated
    DATABASE_URL=postgres://u@host/db .venv/bin/python bench/pages.py
                                              # PostgreSQL: database tutela_bench, created
                                              # and dropped; the named database is untouched
Options: --quick (small N), --requests 50, --keep (leave tutela_bench behind on PostgreSQL).

Seeds seed_scale at a small N and at N = 10,000 models (3 versions each, 100,000 events),
adds open requests, deployments (some of them shadows, with their alerts), metric series
and overdue reviews through the services, then requests every page with the Django test
client signed in as a global risk officer: queries per page at both N (must not grow) and
server time p50/p95 at the large N. A page that does not resolve or answer 200 stops the run.
The database handling is bench/core.py's (imported from it).
"""

import argparse
import datetime
import io
import os
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

from core import configure_environment, database_label, fresh_database, recreate_database

FULL = {"small": 1_000, "small_events": 10_000, "large": 10_000, "events": 100_000}
QUICK = {"small": 200, "small_events": 2_000, "large": 2_000, "events": 20_000}
QUERY_TARGET, P95_TARGET_MS = 15, 100.0
OPEN_REQUESTS, DEPLOYED, SHADOWS, MONITORED, OVERDUE = 20, 60, 10, 200, 100
METRIC_DAYS = 30


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 200 and 2,000")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="keep tutela_bench (PostgreSQL)")
    return parser.parse_args()


def seed(models: int, events: int) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command(
        "seed_scale", models=models, versions_per_model=3, events=events, stdout=io.StringIO()
    )
    return time.perf_counter() - started


@dataclass
class Content:
    """What the pages show beyond seed_scale's rows, and where to find it."""

    model_name: str
    request_id: int


def _versions(stage: str, risks: tuple[str, ...], count: int, *, live: bool = False) -> list[int]:
    """The first versions in a stage (of models that have a production version, if live)."""
    from django.db.models import Exists, OuterRef

    from governance.models import ModelVersion, Stage

    rows = ModelVersion.objects.filter(stage=stage, model__risk_level__in=risks)
    if live:
        serving = ModelVersion.objects.filter(model=OuterRef("model"), stage=Stage.PRODUCTION)
        rows = rows.filter(Exists(serving))
    return list(rows.order_by("model__name").values_list("pk", flat=True)[:count])


def _open_requests(requester: Any, lead: Any) -> list[int]:
    """Production requests of low/medium-risk staging versions; half have the ml_lead's
    approval already, so each awaits the risk officer."""
    from governance.models import RiskLevel, Role, Stage
    from governance.services.approvals import approval_create, approval_decide

    ids = []
    low = (RiskLevel.LOW, RiskLevel.MEDIUM)
    for number, version_id in enumerate(_versions(Stage.STAGING, low, OPEN_REQUESTS, live=True)):
        request = approval_create(
            actor=requester,
            version_id=version_id,
            target_stage=Stage.PRODUCTION,
            justification="Benchmark request.",
        )
        if number % 2:
            approval_decide(
                actor=lead, request_id=request.pk, approve=True, note="", role=Role.ML_LEAD
            )
        ids.append(request.pk)
    return ids


def _deployments_and_metrics(engineer: Any) -> list[int]:
    """Endpoints for the first production versions, shadows (staging versions serving
    production, each raising its alert) and daily metric series."""
    from django.utils import timezone

    from governance.models import Environment, RiskLevel, Stage
    from governance.services.deployments import deployment_record
    from governance.services.metrics import metrics_record

    every = tuple(RiskLevel.values)
    live = _versions(Stage.PRODUCTION, every, max(DEPLOYED, MONITORED))
    for version_id in live[:DEPLOYED]:
        for environment in (Environment.PRODUCTION, Environment.STAGING):
            endpoint = f"https://serving.example.internal/{version_id}"
            deployment_record(
                actor=engineer, version_id=version_id, endpoint=endpoint, environment=environment
            )
    for version_id in _versions(Stage.STAGING, every, SHADOWS):
        endpoint = f"https://shadow.example.internal/{version_id}"
        deployment_record(
            actor=engineer, version_id=version_id, endpoint=endpoint, environment="production"
        )
    today = timezone.now()
    for version_id in live[:MONITORED]:
        points = [
            {"name": name, "value": value, "observed_at": today - datetime.timedelta(days=day)}
            for day in range(METRIC_DAYS)
            for name, value in (("accuracy", 0.9 - day / 1000), ("drift_score", 0.1))
        ]
        metrics_record(actor=engineer, version_id=version_id, points=points, source="bench")
    return live


def add_content() -> Content:
    from core import bench_people
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from governance.models import ModelVersion

    people = bench_people()
    engineer = get_user_model().objects.get(username="engineer")
    request_ids = _open_requests(people.requester, people.lead)
    live = _deployments_and_metrics(engineer)
    # Benchmark data, like seed_scale: reviews made overdue without history rows.
    overdue_since = timezone.now() - datetime.timedelta(days=100)
    ModelVersion.objects.filter(pk__in=live[:OVERDUE]).update(next_review_at=overdue_since)
    model_name = ModelVersion.objects.get(pk=live[0]).model.name
    return Content(model_name=model_name, request_id=request_ids[0])


def settle() -> None:
    """PostgreSQL: what autovacuum does after a bulk load (planner statistics, visibility
    map), so the plans are those of a database in service."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def pages(content: Content) -> list[tuple[str, str]]:
    return [
        ("dashboard", "/"),
        ("inventory, page 1", "/models/"),
        ("inventory, page 100", "/models/?page=100"),
        ("inventory, filtered", "/models/?risk=high&stage=production&q=scale-00001&sort=-age"),
        ("model page", f"/models/{content.model_name}/"),
        ("review queue", "/reviews/"),
        ("request page", f"/reviews/{content.request_id}/"),
    ]


@dataclass
class Figure:
    label: str
    path: str
    queries: int
    timings: list[float]


def signed_in_client() -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="risk"))  # global risk officer
    return client


def measure(client: Any, label: str, path: str, runs: int) -> Figure:
    from urllib.parse import urlsplit

    from django.db import connection
    from django.urls import Resolver404, resolve

    try:
        resolve(urlsplit(path).path)
    except Resolver404:
        raise SystemExit(f"{label}: {path} does not resolve") from None
    client.get(path, secure=True)  # warm: templates compiled, content types cached
    executed = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    # Counted at the driver, not from the query log (which each request resets).
    with connection.execute_wrapper(count):
        response = client.get(path, secure=True)
    if response.status_code != 200:
        raise SystemExit(f"{label}: {path} answered {response.status_code}, not 200")
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path, secure=True)
        timings.append(1000 * (time.perf_counter() - started))
    return Figure(label, path, len(executed), timings)


def measure_all(content: Content, runs: int) -> list[Figure]:
    client = signed_in_client()
    return [measure(client, label, path, runs) for label, path in pages(content)]


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[18] if len(timings) > 1 else timings[0]


def report(backend: str, sizes: dict, small: list[Figure], large: list[Figure]) -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    runs = len(large[0].timings)
    print(
        f"\nTutela page benchmark on {database_label(backend)}: {os.cpu_count()} CPUs, "
        f"load average {load}; signed in as a global risk officer, {runs} requests per page\n"
    )
    n_small, n_large = f"N={sizes['small']:,}", f"N={sizes['large']:,}"
    print(f"{'Page':<22}{'queries':>9}{'queries':>10}{'p50':>9}{'p95':>9}   verdict")
    print(f"{'':<22}{n_small:>9}{n_large:>10}{'ms':>9}{'ms':>9}")
    for at_small, at_large in zip(small, large, strict=True):
        slow = p95(at_large.timings)
        verdict = [
            "queries ok" if at_large.queries <= QUERY_TARGET else "TOO MANY QUERIES",
            "same at both N" if at_small.queries == at_large.queries else "GROWS WITH N",
            "p95 ok" if slow < P95_TARGET_MS else "SLOW",
        ]
        print(
            f"  {at_large.label:<20}{at_small.queries:>9}{at_large.queries:>10}"
            f"{statistics.median(at_large.timings):>9.1f}{slow:>9.1f}   {', '.join(verdict)}"
        )
    print(f"\nTargets: at most {QUERY_TARGET} queries per page, p95 under {P95_TARGET_MS:.0f} ms.")
    print("Pages: " + "; ".join(f"{f.label} {f.path}" for f in large))


def run(server_url: str | None, sizes: dict, runs: int) -> None:
    from django.db import connection

    figures = {}
    for size, events in (("small", "small_events"), ("large", "events")):
        fresh_database(server_url)
        seconds = seed(sizes[size], sizes[events])
        started = time.perf_counter()
        content = add_content()
        settle()
        print(
            f"N={sizes[size]:,}: seed_scale {seconds:.1f} s, page content "
            f"{time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        figures[size] = measure_all(content, runs if size == "large" else 1)
    report(connection.vendor, sizes, figures["small"], figures["large"])


def main() -> None:
    args = parse_args()
    server_url = configure_environment()
    # The test client talks to "testserver" over HTTPS, as a browser would behind the proxy;
    # static files are not collected for the benchmark.
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["STATIC_MANIFEST"] = "0"
    import django

    django.setup()
    try:
        run(server_url, QUICK if args.quick else FULL, args.requests)
    finally:
        if server_url is not None and not args.keep:
            recreate_database(server_url, drop_only=True)


if __name__ == "__main__":
    main()
