"""API benchmark (issue 4): the REST API over real HTTP, against ../shared/PERF-REFERENCE.md.

    .venv/bin/python bench/api.py --models 1000      # SQLite: var/bench/tutela.sqlite3
    DATABASE_URL=postgres://u@host/db .venv/bin/python bench/api.py --models 1000
                                                     # PostgreSQL: database tutela_bench

For each concurrency (1 and 8 clients) a fresh database and a fresh gunicorn (2 workers on
127.0.0.1) run the phases, each client opening a new TCP connection per request as in the
reference: (a) create N models with a description and 3 tags; (b) create 3 versions per
model, each with a complete card and 3 tags; (m) push 30 metric points per version;
(c) promote one version per model to production through the policy's requests and
decisions (staging: request + ml_engineer decision; production: request + ml_lead and
risk_officer decisions: 5 calls, each with its policy check, audit event and history row);
(d1) 200 searches, half by name prefix and half by tag; (d2) 200 reads of the production
version; (e) 200 listings of a model's versions. It prints ops/s and p50/p95/p99 per phase
next to MLflow's figures, and the memory of gunicorn plus a Celery worker.

With --mlflow the real MLflow server runs the same phases in the same run, right after ours
(bench/mlflow_side.py), and the verdicts compare with those figures: the machine's speed
varies from day to day by up to 2x, so the reference table only compares within one run.

The throttle stays on, with a rate above what the benchmark sends (TUTELA_API_THROTTLE_RATE).
"""

import argparse
import hashlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core import ROOT, configure_environment, database_label, fresh_database, http_exchange

PORT = 8765
MB = 1024 * 1024
# ../shared/PERF-REFERENCE.md: MLflow 3.17.2, ops/s and p95 ms per phase and concurrency.
MLFLOW = {
    "sqlite": {
        "a": ((102, 13), (97, 259)),
        "b": ((86, 16), (109, 253)),
        "c": ((21, 66), (25, 954)),
        "d1": ((36, 42), (56, 310)),
        "d2": ((122, 10), (195, 74)),
        "e": ((78, 18), (122, 122)),
    },
    "postgresql": {
        "a": ((83, 16), (149, 85)),
        "b": ((67, 20), (106, 127)),
        "c": ((18, 72), (32, 370)),
        "d1": ((35, 44), (58, 227)),
        "d2": ((75, 17), (186, 67)),
        "e": ((60, 21), (139, 89)),
    },
}
MLFLOW_MEMORY_MB = 3300  # idle server process tree, resident
PHASES = {
    "a": "create models",
    "b": "create versions",
    "m": "push metrics (30 points)",
    "c": "promote to production",
    "d1": "search (prefix / tag)",
    "d2": "production version",
    "e": "list versions",
}
CARD = {
    "intended_use": "Score churn risk of retail customers for retention offers.",
    "out_of_scope_uses": ["Credit decisions"],
    "primary_users": ["Retention team"],
    "training_data_description": "Twelve months of anonymised customer activity.",
    "training_data_version": "customers-2026-09",
    "training_date": "2026-10-01",
    "training_pipeline": "pipelines/churn/train.py",
    "hyperparameters": {"max_depth": 6},
    "code_revision": "3f2c9a1",
    "evaluation_metrics": {"accuracy": 0.91},
    "known_limitations": ["Less accurate for new customers"],
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=1000, help="N registered models")
    parser.add_argument("--reads", type=int, default=200, help="calls per read phase")
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[1, 8], help="client counts to run"
    )
    parser.add_argument(
        "--phases", nargs="+", default=list(PHASES), choices=list(PHASES), help="phases to run"
    )
    parser.add_argument(
        "--mlflow",
        action="store_true",
        help="also run MLflow 3.17.2 here and compare with it (installs it on first use)",
    )
    return parser.parse_args()


# --- the server --------------------------------------------------------------------------


def server_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_MANIFEST="0",
        LOG_LEVEL="WARNING",
        TUTELA_API_THROTTLE_RATE="1000000/minute",
    )
    return env


def start_server() -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi",
        "--workers=2",
        f"--bind=127.0.0.1:{PORT}",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=server_environment())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", PORT)) == 0:
                return server
        time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def start_worker() -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "celery"), "-A", "config", "worker",
               "--concurrency=2", "--loglevel=WARNING"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=server_environment())


def tree_memory_mb(root_pid: int) -> tuple[float, float]:
    """Resident and proportional set size of a process and its children (Linux)."""
    pids, rss, pss = [root_pid], 0, 0
    children = Path(f"/proc/{root_pid}/task/{root_pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return rss / 1024, pss / 1024


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


# --- the client --------------------------------------------------------------------------


class ApiError(Exception):
    pass


def call(token: str, method: str, path: str, body: object = None) -> object:
    """One request on a fresh connection, as the reference client did."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    status, data = http_exchange(PORT, method, path, payload, headers)
    if status >= 300:
        raise ApiError(f"{method} {path} -> {status}: {data[:300]!r}")
    return json.loads(data) if data else None


@dataclass
class Phase:
    key: str
    ops: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def percentile(self, q: int) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run_phase(key: str, jobs: list[Callable[[], None]], clients: int) -> Phase:
    """Run the jobs on `clients` threads; one job is one op (it may make several calls)."""
    phase, lock, cursor = Phase(key), threading.Lock(), iter(jobs)
    errors: list[Exception] = []

    def worker() -> None:
        while True:
            with lock:
                job = next(cursor, None)
            if job is None or errors:
                return
            started = time.perf_counter()
            try:
                job()
            except Exception as error:  # noqa: BLE001 - reported after the phase
                errors.append(error)
                return
            elapsed = time.perf_counter() - started
            with lock:
                phase.latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds, phase.ops = time.perf_counter() - started, len(phase.latencies)
    if errors:
        raise SystemExit(f"phase {key} failed: {errors[0]}")
    return phase


# --- the workload ------------------------------------------------------------------------


@dataclass
class Tokens:
    pipeline: str  # ml_lead of the team: registers, pushes, asks for promotions
    engineer: str  # ml_engineer of the team: approves staging
    lead: str  # another ml_lead: approves production as ml_lead
    risk: str  # risk officer (global): approves production


def bench_people() -> Tokens:
    """The team, its people and their tokens, made through the services in-process."""
    from django.contrib.auth import get_user_model

    from governance.actors import SEED
    from governance.models import Role
    from governance.services.api_tokens import api_token_create
    from governance.services.roles import role_grant
    from governance.services.teams import team_create

    team = team_create(actor=SEED, slug="bench", name="Bench")
    users, secrets = get_user_model().objects, []
    for name, role, scope in (
        ("pipeline", Role.ML_LEAD, team.pk),
        ("engineer", Role.ML_ENGINEER, team.pk),
        ("lead", Role.ML_LEAD, team.pk),
        ("risk", Role.RISK_OFFICER, None),
    ):
        user = users.create_user(username=f"bench-{name}")
        role_grant(actor=SEED, user_id=user.pk, role=role, team_id=scope)
        secrets.append(api_token_create(actor=user, user_id=user.pk, name="bench")[1])
    return Tokens(*secrets)


def model_name(index: int) -> str:
    return f"bench-{index // 100:03d}-model-{index:05d}"


def workload(tokens: Tokens, models: int, reads: int) -> dict[str, list[Callable[[], None]]]:
    names = [model_name(i) for i in range(models)]
    base = "/api/v1/models/"

    def create_model(name: str, i: int) -> Callable[[], None]:
        tags = {"domain": f"d{i % 10}", "owner-team": "bench", "ticket": f"T-{i}"}
        body = {"name": name, "team": "bench", "description": f"Bench model {i}", "tags": tags}
        return lambda: call(tokens.pipeline, "POST", base, body)

    def create_version(name: str, v: int) -> Callable[[], None]:
        card = {**CARD, "artifact_sha256": hashlib.sha256(f"{name}/{v}".encode()).hexdigest()}
        tags = {"run": f"{name}-{v}", "framework": "xgboost", "dataset": "customers"}
        body = {"version": f"1.0.{v}", "card": card, "tags": tags}
        return lambda: call(tokens.pipeline, "POST", f"{base}{name}/versions/", body)

    def push_metrics(name: str, v: int) -> Callable[[], None]:
        points = [
            {"name": "accuracy", "value": 0.9 + day / 1000,
             "observed_at": f"2026-11-{day + 1:02d}T00:00:00Z"}
            for day in range(30)
        ]  # fmt: skip
        path = f"{base}{name}/versions/1.0.{v}/metrics/"
        return lambda: call(tokens.pipeline, "POST", path, {"points": points})

    def promote(name: str) -> Callable[[], None]:
        return lambda: promote_one(tokens, f"{base}{name}/versions/1.0.2/")

    def read(token: str, path: str) -> Callable[[], None]:
        return lambda: call(token, "GET", path)

    step = max(1, models // reads)
    picks = [names[(i * step) % models] for i in range(reads)]
    return {
        "a": [create_model(name, i) for i, name in enumerate(names)],
        "b": [create_version(name, v) for name in names for v in range(3)],
        "m": [push_metrics(name, v) for name in names for v in range(3)],
        "c": [promote(name) for name in names],
        "d1": [
            read(
                tokens.pipeline,
                f"{base}?search={name[:10]}"
                if i % 2
                else f"{base}?tag=domain:d{i % 10}&page_size=50",
            )
            for i, name in enumerate(picks)
        ],  # fmt: skip
        "d2": [read(tokens.pipeline, f"{base}{n}/versions/?stage=production") for n in picks],
        "e": [read(tokens.pipeline, f"{base}{name}/versions/") for name in picks],
    }


def promote_one(tokens: Tokens, version_path: str) -> None:
    """Staging, then production, each through a request and the decisions it needs."""
    for target, deciders in (
        ("staging", [(tokens.engineer, "ml_engineer")]),
        ("production", [(tokens.lead, "ml_lead"), (tokens.risk, "risk_officer")]),
    ):
        body = {"target_stage": target, "justification": "Evaluation passed."}
        request = call(tokens.pipeline, "POST", f"{version_path}transitions/", body)
        for token, role in deciders:
            decision = {"decision": "approved", "role": role, "notes": "Checked the card."}
            call(token, "POST", f"/api/v1/approvals/{request['id']}/decisions/", decision)


# --- the run -----------------------------------------------------------------------------


@dataclass
class Run:
    clients: int
    phases: dict[str, Phase]
    memory_idle: tuple[float, float]
    memory_after: tuple[float, float]
    mlflow: dict[str, Phase] | None = None  # measured in this run (--mlflow)
    mlflow_memory_mb: float | None = None  # its idle server tree, resident


def analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def one_run(server_url: str | None, clients: int, models: int, reads: int, keys: list[str]) -> Run:
    from django.db import connections

    fresh_database(server_url)
    tokens = bench_people()
    analyse()
    connections.close_all()
    server, worker = start_server(), start_worker()
    try:
        time.sleep(3)  # let the worker finish starting before measuring it idle
        idle = [tree_memory_mb(p.pid) for p in (server, worker)]
        jobs, phases = workload(tokens, models, reads), {}
        for key in keys:
            if key == "d1":
                analyse()  # as the reference did after loading
            phases[key] = run_phase(key, jobs[key], clients)
            print(
                f"  {clients} client(s) {PHASES[key]:<26} "
                f"{phases[key].ops / phases[key].seconds:8.1f} ops/s",
                flush=True,
            )
        after = [tree_memory_mb(p.pid) for p in (server, worker)]
    finally:
        stop(server)
        stop(worker)
    total = lambda figures: tuple(sum(values) for values in zip(*figures, strict=True))  # noqa: E731
    return Run(clients, phases, total(idle), total(after))


def mlflow_figures(run: Run, backend: str, key: str) -> tuple[float, float] | None:
    """MLflow's ops/s and p95 ms for a phase: measured in this run, else the reference's."""
    if run.mlflow is not None:
        measured = run.mlflow.get(key)
        return (
            None if measured is None else (measured.ops / measured.seconds, measured.percentile(95))
        )
    reference = MLFLOW[backend].get(key)
    return None if reference is None else reference[0 if run.clients == 1 else 1]


def verdict(ours: Phase, mlflow: tuple[float, float] | None) -> str:
    if mlflow is None:
        return "(no MLflow equivalent)"
    rate, p95 = ours.ops / ours.seconds, ours.percentile(95)
    ok = rate >= 2 * mlflow[0] and p95 < mlflow[1]
    ratio = f"{rate / mlflow[0]:.2f}x"
    return f"{mlflow[0]:>6.1f} {mlflow[1]:>7.1f}   {ratio:>5}  {'ok' if ok else 'MISSED'}"


def report(backend: str, runs: list[Run], models: int) -> None:
    print(
        f"\nTutela API benchmark on {database_label(backend)}, N={models:,}, "
        f"gunicorn 2 workers, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    source = "measured in this run" if runs[0].mlflow is not None else "PERF-REFERENCE.md"
    print(f"target: >= 2x MLflow's ops/s and a lower p95 in every phase (MLflow: {source})\n")
    header = f"{'phase':<28}{'clients':>8}{'ops/s':>9}{'p50':>8}{'p95':>8}{'p99':>8}"
    print(header + f"   {'MLflow ops/s':>6} {'p95':>7}   ratio")
    for run in runs:
        for key, phase in run.phases.items():
            print(
                f"{PHASES[key]:<28}{run.clients:>8}{phase.ops / phase.seconds:>9.1f}"
                f"{phase.percentile(50):>8.1f}{phase.percentile(95):>8.1f}"
                f"{phase.percentile(99):>8.1f}   "
                + verdict(phase, mlflow_figures(run, backend, key))
            )
    print("\nMemory, gunicorn (master + 2 workers) + Celery worker (2 processes), MB:")
    for run in runs:
        (rss0, pss0), (rss1, pss1) = run.memory_idle, run.memory_after
        theirs = run.mlflow_memory_mb or MLFLOW_MEMORY_MB
        limit = theirs / 5
        print(
            f"  {run.clients} client(s): idle RSS {rss0:.0f} (PSS {pss0:.0f}); after the run "
            f"RSS {rss1:.0f} (PSS {pss1:.0f}); limit {limit:.0f} (a fifth of MLflow's "
            f"{theirs:,.0f}): {'ok' if rss1 < limit else 'MISSED'}"
        )


def main() -> None:
    args = parse_args()
    server_url = configure_environment()
    import django

    django.setup()
    from django.db import connection

    backend = "sqlite" if connection.vendor == "sqlite" else "postgresql"
    runs = []
    for clients in args.concurrency:
        run = one_run(server_url, clients, args.models, args.reads, args.phases)
        if args.mlflow:
            from mlflow_side import measure

            run.mlflow, run.mlflow_memory_mb = measure(
                server_url, args.models, args.reads, clients, args.phases
            )
        runs.append(run)
    report(backend, runs, args.models)


if __name__ == "__main__":
    main()
