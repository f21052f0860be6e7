"""Compliance benchmarks (issue 6). Prints figures; it is not a timed test.

    .venv/bin/python bench/compliance.py --pdf      # Annex IV PDF of the demo churn model
    .venv/bin/python bench/compliance.py --checklist [--versions 10000]
    DATABASE_URL=postgres://u@host/db .venv/bin/python bench/compliance.py --pdf

With no section flag every section runs. The database is bench/core.py's throwaway one:
SQLite under --var-dir, or the PostgreSQL database --bench-db (created and dropped) next to
DATABASE_URL's.

--pdf: loads the demo data (seed_demo) and times governance.docs.exports.annex_iv_pdf for
customer-churn-predictor 2.4.1: the first call (WeasyPrint and fontconfig start cold) and
the median and maximum of the next --runs calls, with the queries that build the document,
the page count and the size. Target: under 2 s.

--checklist: seeds --versions versions in bulk (bench/compliance_checklist.py) and times
governance.compliance.checklists_for over the first 1,000 and over all of them, with the
queries each took (they must not grow with N). Target: under 10 s for 10,000.
"""

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import compliance_checklist
import core

PDF_MODEL, PDF_VERSION = "customer-churn-predictor", "2.4.1"
PDF_TARGET_SECONDS = 2.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pdf", action="store_true", help="Annex IV PDF generation time")
    parser.add_argument("--runs", type=int, default=10, help="timed PDF runs after the first")
    parser.add_argument("--checklist", action="store_true", help="checklists of N versions")
    parser.add_argument("--versions", type=int, default=10_000, help="N for --checklist")
    parser.add_argument("--bench-db", default="tutela_bench_compliance", help="PostgreSQL db")
    parser.add_argument("--var-dir", default=str(core.BENCH_DIR / "compliance"), help="SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    return parser.parse_args()


def configure(args: argparse.Namespace) -> str | None:
    core.BENCH_DB, core.BENCH_DIR = args.bench_db, Path(args.var_dir)
    server_url = core.configure_environment()
    os.environ["EMAIL_URL"] = "memorymail://"  # the demo's notifications go nowhere
    import django

    django.setup()
    return server_url


# --- Annex IV PDF ------------------------------------------------------------------


@dataclass
class PdfTiming:
    first: float
    runs: list[float]
    queries: int
    pages: int
    size: int


def seed_demo() -> None:
    """The demo data, quietly: its alerts would try to reach a Celery worker this
    benchmark does not start (the sweep picks that work up later anyway)."""
    import io
    import logging

    from django.core.management import call_command

    logging.disable(logging.ERROR)
    try:
        call_command("seed_demo", stdout=io.StringIO())
    finally:
        logging.disable(logging.NOTSET)


def time_pdf(runs: int) -> PdfTiming:
    from io import BytesIO

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader

    from governance.docs.annex_iv import annex_iv_document
    from governance.docs.exports import annex_iv_pdf
    from governance.models import ModelVersion

    version = ModelVersion.objects.get(model__name=PDF_MODEL, version=PDF_VERSION)
    started = time.perf_counter()
    pdf = annex_iv_pdf(version)
    first = time.perf_counter() - started
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        annex_iv_pdf(version)
        timings.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        annex_iv_document(version)
    pages = len(PdfReader(BytesIO(pdf)).pages)
    return PdfTiming(first, timings, len(queries), pages, len(pdf))


def pdf_lines(timing: PdfTiming) -> list[str]:
    median = statistics.median(timing.runs) if timing.runs else timing.first
    worst = max(timing.runs, default=timing.first)
    verdict = "ok" if median < PDF_TARGET_SECONDS else "MISSED"
    figures = [
        ("first call (WeasyPrint cold)", f"{timing.first:.2f} s", ""),
        (f"median of {len(timing.runs)} calls", f"{median:.2f} s",
         f"< {PDF_TARGET_SECONDS:.0f} s: {verdict}"),
        ("slowest call", f"{worst:.2f} s", ""),
        ("queries to build the document", f"{timing.queries}", "fixed"),
        ("pages, size", f"{timing.pages}, {timing.size / 1024:.0f} KiB", ""),
    ]  # fmt: skip
    lines = [f"Annex IV PDF, {PDF_MODEL} {PDF_VERSION} (demo data)"]
    lines += [f"  {name:<40}{value:>14}   {target}".rstrip() for name, value, target in figures]
    return lines


def run_pdf(server_url: str | None, runs: int) -> list[str]:
    core.fresh_database(server_url)
    seed_demo()
    return pdf_lines(time_pdf(runs))


def database_name() -> str:
    from django.db import connection

    return str(connection.settings_dict["NAME"])


def main() -> None:
    args = parse_args()
    server_url = configure(args)
    from django.db import connection

    everything = not (args.pdf or args.checklist)
    try:
        print(f"\nTutela compliance benchmark on {connection.vendor} ({database_name()})\n")
        if args.pdf or everything:
            print("\n".join(run_pdf(server_url, args.runs)))
        if args.checklist or everything:
            lines = compliance_checklist.run_checklist(
                core.fresh_database, server_url, args.versions
            )
            print("\n".join(lines))
    finally:
        if server_url is not None and not args.keep:
            core.recreate_database(server_url, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
