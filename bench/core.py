"""Core benchmarks (issue 2, section 8). Prints figures; it is not a timed test.

    .venv/bin/python bench/core.py            # SQLite: var/bench/tutela.sqlite3, recreated
    DATABASE_URL=postgres://u@host/db .venv/bin/python bench/core.py
                                              # PostgreSQL: database tutela_bench, created
                                              # and dropped; the named database is untouched
Options: --quick (small N), --cycles 200, --keep (leave tutela_bench behind on PostgreSQL;
the SQLite file always stays until the next run).

Measures: queries per service call of a request + decide + decide(promote) cycle at
N = 1,000 and 10,000 models (must not grow with N), that cycle's median and p95 wall
time, seed_scale throughput (10,000 models x 3 versions + 100,000 events) and
verify_audit throughput.
"""

import argparse
import contextlib
import http.client
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
BENCH_DB = "tutela_bench"
FULL = {"small": 1_000, "large": 10_000, "small_events": 10_000, "events": 100_000}
QUICK = {"small": 200, "large": 2_000, "small_events": 2_000, "events": 20_000}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 200 and 2,000; 50 cycles")
    parser.add_argument("--cycles", type=int, default=None, help="timed cycles (default 200)")
    parser.add_argument("--keep", action="store_true", help="keep tutela_bench (PostgreSQL)")
    return parser.parse_args()


def configure_environment() -> str | None:
    """Point Django at a throwaway database before it loads; returns the server URL to
    create and drop the PostgreSQL bench database through, or None for SQLite."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key")
    os.environ["DEBUG"] = "0"  # measure what production runs, without DEBUG's query log
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        os.environ["TUTELA_VAR_DIR"] = str(BENCH_DIR)
        return None
    parts = urlsplit(url)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    if parts.path.strip("/") == BENCH_DB:  # cannot drop the database we are connected to
        return urlunsplit(parts._replace(path="/postgres"))
    return url


def recreate_database(server_url: str | None, *, drop_only: bool = False) -> None:
    from django.db import connections

    connections.close_all()
    if server_url is None:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            (BENCH_DIR / f"tutela.sqlite3{suffix}").unlink(missing_ok=True)
        return
    recreate_postgres_database(server_url, BENCH_DB, drop_only=drop_only)


def recreate_postgres_database(server_url: str, name: str, *, drop_only: bool = False) -> None:
    """Drop the database `name` (its connections too), then create it empty unless drop_only;
    server_url names another database on the same server to do it from."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as server:
        force = " WITH (FORCE)" if server.info.server_version >= 130000 else ""
        server.execute(f"DROP DATABASE IF EXISTS {name}{force}")
        if not drop_only:
            server.execute(f"CREATE DATABASE {name}")


def http_exchange(
    port: int, method: str, path: str, payload: bytes | None, headers: dict[str, str]
) -> tuple[int, bytes]:
    """One request to 127.0.0.1:port on a fresh connection, as the reference client made
    them; the status and the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def fresh_database(server_url: str | None) -> None:
    from django.core.management import call_command

    recreate_database(server_url)
    call_command("migrate", verbosity=0)


@dataclass
class Call:
    label: str
    queries: int
    seconds: float


@dataclass
class People:
    requester: Any  # a second ml_lead: nobody decides on their own request
    lead: Any
    risk: Any


def bench_people() -> People:
    from django.contrib.auth import get_user_model

    from governance.management.commands._seed_people import (
        SeedLog,
        ensure_global_role,
        ensure_user,
    )
    from governance.models import Role

    users = get_user_model().objects
    log = SeedLog()
    requester = ensure_user("bench-requester", staff=False, log=log, password=None)
    ensure_global_role(requester, Role.ML_LEAD, actor=users.get(username="admin"), log=log)
    return People(requester, users.get(username="lead"), users.get(username="risk"))


def candidates(needed: int) -> Iterator[int]:
    """Staging versions of low/medium risk models that have a production version, so the
    final approval promotes one version and deprecates another."""
    from django.db.models import Exists, OuterRef

    from governance.models import ModelVersion, RiskLevel, Stage

    live = ModelVersion.objects.filter(model=OuterRef("model"), stage=Stage.PRODUCTION)
    rows = ModelVersion.objects.filter(
        Exists(live), stage=Stage.STAGING, model__risk_level__in=[RiskLevel.LOW, RiskLevel.MEDIUM]
    )
    found = list(rows.order_by("pk").values_list("pk", flat=True))
    if len(found) < needed:
        raise RuntimeError(f"{len(found)} versions to promote, {needed} needed: fewer --cycles.")
    return iter(found)


def timed(calls: list[Call], label: str, count: bool, service: Callable, **kwargs: Any) -> Any:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from governance.roles import forget_cached_roles

    forget_cached_roles(kwargs["actor"])  # every web request loads its user afresh
    capture = CaptureQueriesContext(connection) if count else contextlib.nullcontext()
    with capture as queries:
        started = time.perf_counter()
        result = service(**kwargs)
        seconds = time.perf_counter() - started
    calls.append(Call(label, len(queries) if count else 0, seconds))
    return result


def cycle(version_id: int, people: People, *, count: bool) -> list[Call]:
    """approval_create, approval_decide as ml_lead, approval_decide as risk_officer."""
    from governance.models import ModelVersion, Role, Stage
    from governance.services.approvals import approval_create, approval_decide

    calls: list[Call] = []
    request = timed(
        calls,
        "approval_create",
        count,
        approval_create,
        actor=people.requester,
        version_id=version_id,
        target_stage=Stage.PRODUCTION,
        justification="Benchmark promotion.",
    )
    for label, actor, role in (
        ("approval_decide (ml_lead)", people.lead, Role.ML_LEAD),
        ("approval_decide (risk_officer): promote", people.risk, Role.RISK_OFFICER),
    ):
        timed(
            calls,
            label,
            count,
            approval_decide,
            actor=actor,
            request_id=request.pk,
            approve=True,
            note="Reviewed.",
            role=role,
        )
    if ModelVersion.objects.get(pk=version_id).stage != Stage.PRODUCTION:
        raise RuntimeError(f"Version {version_id} was not promoted.")
    return calls


def query_counts(versions: Iterator[int], people: People) -> list[Call]:
    cycle(next(versions), people, count=False)  # warm caches (content types), like a live server
    return cycle(next(versions), people, count=True)


def time_seed(models: int, events: int) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command(
        "seed_scale", models=models, versions_per_model=3, events=events, stdout=io.StringIO()
    )
    return time.perf_counter() - started


def time_verify(runs: int = 3) -> tuple[int, float]:
    from governance.audit import verify_chain

    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        report = verify_chain()
        timings.append(time.perf_counter() - started)
        if not report.ok:
            raise RuntimeError(f"Audit chain broken at #{report.broken_at}: {report.problem}")
    return report.count, statistics.median(timings)


@dataclass
class Results:
    backend: str
    sizes: dict
    counts: dict[int, list[Call]] = field(default_factory=dict)
    cycle_ms: list[float] = field(default_factory=list)
    seed_seconds: float = 0.0
    verified: int = 0
    verify_seconds: float = 0.0


def run(server_url: str | None, sizes: dict, cycles: int) -> Results:
    from django.db import connection

    results = Results(connection.vendor, sizes)
    fresh_database(server_url)
    time_seed(sizes["small"], sizes["small_events"])
    results.counts[sizes["small"]] = query_counts(candidates(2), bench_people())
    fresh_database(server_url)
    results.seed_seconds = time_seed(sizes["large"], sizes["events"])
    results.verified, results.verify_seconds = time_verify()
    people, versions = bench_people(), candidates(cycles + 2)
    results.counts[sizes["large"]] = query_counts(versions, people)
    for _ in range(cycles):
        calls = cycle(next(versions), people, count=False)
        results.cycle_ms.append(1000 * sum(call.seconds for call in calls))
    time_verify(runs=1)  # raises unless the chain is still intact after the cycles
    return results


def database_label(backend: str) -> str:
    from django.db import connection

    name = connection.settings_dict["NAME"]
    return f"{backend} ({Path(name).relative_to(ROOT) if backend == 'sqlite' else name})"


def query_table(results: Results) -> list[str]:
    small, large = results.sizes["small"], results.sizes["large"]
    lines = [f"{'Queries per service call':<46}{f'N={small:,}':>10}{f'N={large:,}':>10}"]
    for at_small, at_large in zip(results.counts[small], results.counts[large], strict=True):
        lines.append(f"  {at_small.label:<44}{at_small.queries:>10}{at_large.queries:>10}")
    totals = [sum(call.queries for call in results.counts[n]) for n in (small, large)]
    verdict = "same at both N" if totals[0] == totals[1] else "GROWS WITH N"
    lines.append(f"  {'whole cycle':<44}{totals[0]:>10}{totals[1]:>10}   {verdict}")
    return lines


def figure_table(results: Results) -> list[str]:
    large, events = results.sizes["large"], results.sizes["events"]
    timings, seconds = results.cycle_ms, results.seed_seconds
    p95 = statistics.quantiles(timings, n=20)[18] if len(timings) > 1 else timings[0]
    rows = 8 * large + events  # models, versions, their history rows, events
    rate = results.verified / results.verify_seconds
    figures = [
        (f"cycle wall time, median ({len(timings)} cycles, N={large:,})",
         f"{statistics.median(timings):.1f} ms", ""),
        ("cycle wall time, p95", f"{p95:.1f} ms", ""),
        (f"seed_scale {large:,} models x 3 versions + {events:,} events",
         f"{seconds:.1f} s", "< 60 s (SQLite, N=10,000)"),
        ("  rows/s (models, versions, history, events)", f"{rows / seconds:,.0f}", ""),
        (f"verify_audit ({results.verified:,} events, median of 3)",
         f"{rate:,.0f} events/s", ">= 100,000 events/s"),
    ]  # fmt: skip
    lines = [f"{'Figure':<56}{'value':>16}   target"]
    lines += [f"  {name:<54}{value:>16}   {target}".rstrip() for name, value, target in figures]
    return lines


def report(results: Results) -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\nTutela core benchmark on {database_label(results.backend)}: {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {load}\n"
    )
    print("\n".join(query_table(results)))
    print("  (counts include BEGIN/COMMIT where the driver reports them)\n")
    print("\n".join(figure_table(results)))


def main() -> None:
    args = parse_args()
    server_url = configure_environment()
    import django

    django.setup()
    sizes = QUICK if args.quick else FULL
    cycles = args.cycles or (50 if args.quick else 200)
    try:
        report(run(server_url, sizes, cycles))
    finally:
        if server_url is not None and not args.keep:
            recreate_database(server_url, drop_only=True)


if __name__ == "__main__":
    main()
