"""MLflow side of the API benchmark: the real MLflow registry server, measured in the same run
(`bench/api.py --mlflow`; SQLite var/mlflow/mlflow.sqlite3, or a database mlflow_bench next to
DATABASE_URL).

../shared/PERF-REFERENCE.md measured MLflow on a machine whose speed varies by up to 2x from
day to day, so its figures only compare with ours when taken in the same run. On first use this
makes var/mlflow/venv (mlflow 3.17.2 and psycopg2-binary, about a minute from PyPI; kept out of
requirements.txt). For each concurrency, a fresh backend store and a fresh `mlflow server`
(its default 4 uvicorn workers, 127.0.0.1) run the reference's phases with bench/api.py's
names, keys and client (a new TCP connection per request): (a) create models, (b) 3 versions
each, (c) alias + 3 stage calls per model, (d1) searches by name prefix / tag, (d2) the
production alias, (e) a model's versions. bench/api.py's phase m has no MLflow equivalent and
is skipped.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from core import ROOT, http_exchange, recreate_postgres_database

if TYPE_CHECKING:
    from api import Phase

MLFLOW_VERSION = "3.17.2"  # the reference's
PSYCOPG2_VERSION = "2.9.13"  # what pip resolved for mlflow 3.17.2 on Python 3.11
PORT = 5055  # api.py's gunicorn is on 8765
HOME = ROOT / "var" / "mlflow"
VENV = HOME / "venv"
SQLITE = HOME / "mlflow.sqlite3"
BENCH_DB = "mlflow_bench"
KEYS = ["a", "b", "c", "d1", "d2", "e"]  # api.py's PHASES without m
API = "/api/2.0/mlflow/"
PROMOTED = {"3": "Production", "1": "Archived", "2": "Archived"}  # phase c, in call order


def ensure_mlflow() -> Path:
    """The venv's mlflow command, installing it when the venv lacks the pinned versions."""
    python = VENV / "bin" / "python"
    wanted = f"{sys.version_info[0]}.{sys.version_info[1]} {MLFLOW_VERSION} {PSYCOPG2_VERSION}"
    probe = (
        "import sys, importlib.metadata as m; print(f'{sys.version_info[0]}.{sys.version_info[1]}',"
        " m.version('mlflow'), m.version('psycopg2-binary'))"
    )
    if python.exists():
        found = subprocess.run([python, "-c", probe], capture_output=True, text=True)
        if found.stdout.strip() == wanted:
            return VENV / "bin" / "mlflow"
    print(f"Installing mlflow {MLFLOW_VERSION} into {VENV.relative_to(ROOT)} ...", flush=True)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", "--clear", VENV], check=True)
    packages = [f"mlflow=={MLFLOW_VERSION}", f"psycopg2-binary=={PSYCOPG2_VERSION}"]
    subprocess.run([python, "-m", "pip", "install", "--quiet", *packages], check=True)
    print(f"  installed in {time.monotonic() - started:.0f} s", flush=True)
    return VENV / "bin" / "mlflow"


# --- the backend store and the server ---------------------------------------------------


def fresh_store(admin: str | None) -> str:
    """An empty backend store; returns its SQLAlchemy URI."""
    HOME.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(HOME / "artifacts", ignore_errors=True)
    if admin is None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{SQLITE}"
    recreate_postgres_database(admin, BENCH_DB)
    # SQLAlchemy 2.1 reads postgresql:// as psycopg 3; MLflow's venv has psycopg2.
    return urlunsplit(urlsplit(bench_url(admin))._replace(scheme="postgresql+psycopg2"))


def bench_url(url: str, database: str = BENCH_DB) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def analyse(admin: str | None) -> None:
    """As the reference did after loading, and api.py does before d1 (on both databases)."""
    if admin is None:
        with contextlib.closing(sqlite3.connect(SQLITE)) as db:
            db.execute("ANALYZE")
        return
    import psycopg

    with psycopg.connect(bench_url(admin)) as db:
        db.execute("ANALYZE")


def port_open() -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", PORT)) == 0


def start_server(mlflow: Path, store_uri: str) -> subprocess.Popen:
    if port_open():
        raise SystemExit(f"port {PORT} is taken: a leftover MLflow server?")
    command = [str(mlflow), "server", "--host=127.0.0.1", f"--port={PORT}",
               f"--backend-store-uri={store_uri}",
               f"--default-artifact-root={HOME / 'artifacts'}"]  # fmt: skip
    # Its own process group: the CLI, uvicorn and its workers, the job runner and huey.
    with (HOME / "server.log").open("w") as log:  # its access log: a line per request
        server = subprocess.Popen(command, cwd=HOME, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 120  # the workers import MLflow for 15-30 s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            stop_server(server)  # what the CLI had started
            raise SystemExit(f"mlflow server exited; see {HOME / 'server.log'}")
        with contextlib.suppress(OSError, http.client.HTTPException, RuntimeError):
            request("GET", "/health")
            return server
        time.sleep(0.5)
    stop_server(server)
    raise SystemExit("mlflow server did not answer within 120 s")


def children(pid: int, *, all_threads: bool = True) -> list[int]:
    tasks = Path(f"/proc/{pid}/task").glob("*" if all_threads else str(pid))
    with contextlib.suppress(OSError):
        return [int(child) for task in tasks for child in (task / "children").read_text().split()]
    return []


def descendants(pid: int, depth: int = 0) -> list[tuple[int, int]]:
    """(pid, depth) of a process and everything under it, whichever thread spawned it."""
    return [(pid, depth)] + [
        found for child in children(pid) for found in descendants(child, depth + 1)
    ]


def idle_memory_mb(server: subprocess.Popen) -> float:
    """Resident MB of the whole tree once the workers have finished starting."""
    from api import tree_memory_mb

    # CLI -> uvicorn -> 4 workers, CLI -> job runner -> 7 huey consumers. tree_memory_mb counts
    # a process and the children of its main thread: summed over the processes at even depths
    # it counts each process once, provided no odd-depth one was spawned from another thread
    # (the job runner starts its consumers from one, but they are at depth 2).
    def total() -> float | None:
        """None when a process came or went meanwhile: huey's periodic tasks spawn some."""
        tree = descendants(server.pid)
        even = [pid for pid, depth in tree if depth % 2 == 0]
        covered = set(even) | {c for pid in even for c in children(pid, all_threads=False)}
        with contextlib.suppress(OSError):
            if not {pid for pid, _depth in tree} - covered:
                return sum(tree_memory_mb(pid)[0] for pid in even)
        return None

    previous = None
    for _ in range(60):  # /health answers as soon as the first of the 4 workers is up
        current = total()
        if current and previous and abs(current - previous) < 0.01 * current:
            return current
        previous = current or previous
        time.sleep(1)
    raise RuntimeError("no steady reading of the MLflow server's memory in 60 s")


def huey_dirs(server: subprocess.Popen) -> list[Path]:
    """The job queue folders MLflow makes in /dev/shm for each server and never removes."""
    found = set()
    for pid, _depth in descendants(server.pid):
        with contextlib.suppress(OSError):
            for item in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                if item.startswith(b"_MLFLOW_HUEY_STORAGE_PATH="):
                    found.add(Path(item.split(b"=", 1)[1].decode()))
    return sorted(found)


def stop_server(server: subprocess.Popen) -> None:
    from api import stop

    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)  # the CLI alone would leave the job runner
    stop(server)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)  # stragglers; the group id is the CLI's pid
    deadline = time.monotonic() + 10  # the next run starts a server on the same port
    while port_open() and time.monotonic() < deadline:
        time.sleep(0.2)


# --- the client and the workload --------------------------------------------------------


def request(method: str, endpoint: str, body: dict | None = None, **query: object) -> dict:
    """One call on a fresh connection, as the reference client did; raises unless 2xx."""
    path = (endpoint if endpoint.startswith("/") else API + endpoint) + (
        f"?{urlencode(query)}" if query else ""
    )
    payload = None if body is None else json.dumps(body).encode()
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    status, data = http_exchange(PORT, method, path, payload, headers)
    if not 200 <= status < 300:
        raise RuntimeError(f"{method} {path} -> {status}: {data[:300]!r}")
    return json.loads(data) if data.startswith(b"{") else {}


def tags(**values: str) -> list[dict[str, str]]:
    return [{"key": key.replace("_", "-"), "value": value} for key, value in values.items()]


def workload(models: int, reads: int) -> dict[str, list[Callable[[], object]]]:
    from api import model_name

    names = [model_name(i) for i in range(models)]

    def create_model(name: str, i: int) -> Callable[[], object]:
        labels = tags(domain=f"d{i % 10}", owner_team="bench", ticket=f"T-{i}")
        body = {"name": name, "description": f"Bench model {i}", "tags": labels}
        return lambda: request("POST", "registered-models/create", body)

    def create_version(name: str, v: int) -> Callable[[], object]:
        labels = tags(run=f"{name}-{v}", framework="xgboost", dataset="customers")
        body = {"name": name, "source": f"s3://bench/{name}/{v}", "tags": labels}
        return lambda: request("POST", "model-versions/create", body)

    def promote(name: str) -> None:
        """The reference's 4 calls: the alias, then the stages (deprecated, still served)."""
        alias = {"name": name, "alias": "production", "version": "3"}
        request("POST", "registered-models/alias", alias)
        for version, stage in PROMOTED.items():
            body = {"name": name, "version": version, "stage": stage,
                    "archive_existing_versions": False}  # fmt: skip
            request("POST", "model-versions/transition-stage", body)

    def get(endpoint: str, **query: object) -> Callable[[], object]:
        return lambda: request("GET", endpoint, **query)

    def search(i: int, name: str) -> Callable[[], object]:
        """Half by name prefix (api.py's name[:10]), half by tag, as api.py alternates."""
        where = f"name LIKE '{name[:10]}%'" if i % 2 else f"tags.domain = 'd{i % 10}'"
        return get("registered-models/search", filter=where, max_results=50)

    step = max(1, models // reads)
    picks = [names[(i * step) % models] for i in range(reads)]  # as api.py picks them
    return {
        "a": [create_model(name, i) for i, name in enumerate(names)],
        "b": [create_version(name, v) for name in names for v in (1, 2, 3)],
        "c": [lambda name=name: promote(name) for name in names],
        "d1": [search(i, name) for i, name in enumerate(picks)],
        "d2": [get("registered-models/alias", name=n, alias="production") for n in picks],
        "e": [get("model-versions/search", filter=f"name='{n}'") for n in picks],
    }


def check(models: int, keys: list[str]) -> None:
    """The phases did what they claim (not timed)."""
    from api import model_name

    name = model_name(models - 1)
    if "c" in keys:
        version = request("GET", "registered-models/alias", name=name, alias="production")
        versions = request("GET", "model-versions/search", filter=f"name='{name}'")
        stages = {v["version"]: v["current_stage"] for v in versions["model_versions"]}
        if version["model_version"]["version"] != "3" or stages != PROMOTED:
            raise RuntimeError(f"{name} after promotion: {stages}")
    if "d1" in keys:
        found = request("GET", "registered-models/search", filter=f"name LIKE '{name[:10]}%'")
        if not found.get("registered_models"):
            raise RuntimeError("the name prefix search found nothing")


def measure(
    server_url: str | None, models: int, reads: int, clients: int, keys: list[str]
) -> tuple[dict[str, Phase], float]:
    """One run on a fresh store and a fresh server: the phases among `keys` that MLflow has,
    in the reference's order, and the idle resident MB of the server's process tree.
    `server_url` is what core.configure_environment returned: None for SQLite."""
    from api import run_phase

    keys = [key for key in KEYS if key in keys]
    admin = server_url
    if server_url and urlsplit(server_url).path == f"/{BENCH_DB}":  # can't drop it from inside
        admin = bench_url(server_url, "postgres")
    mlflow = ensure_mlflow()
    store_uri, phases = fresh_store(admin), {}
    try:
        server = start_server(mlflow, store_uri)
        shm = huey_dirs(server)
        try:
            idle = idle_memory_mb(server)
            jobs = workload(models, reads)
            for key in keys:
                if key == "d1":
                    analyse(admin)
                phases[key] = run_phase(key, jobs[key], clients)
            check(models, keys)
        finally:
            stop_server(server)
            for folder in shm:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if admin:
            recreate_postgres_database(admin, BENCH_DB, drop_only=True)
    return phases, idle
