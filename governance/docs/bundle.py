"""The auditor's bundle of a registered model: one zip with, for each version, the model
card (JSON, Markdown, PDF) and the Annex IV technical documentation (Markdown, PDF); the
approval requests and decisions, deployments, incidents, risk classification and their
simple-history records; the model's audit events as JSON Lines, exactly as the API's
`?format=jsonl` export writes them; manifest.json (the chain head, the sequences of the
included events, the retention, the SHA-256 of every file); README.txt; and verify.py
(governance/docs/bundle_verify.py), which checks the events with the standard library only.

Members are written to the zip as they are produced (records and events in chunks), so a
model with a long history never sits in memory; the zip goes to any binary file object.
"""

import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import IO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import FileResponse
from django.template.loader import render_to_string
from django.utils import timezone

from governance.api.audit import export_lines
from governance.audit import format_timestamp
from governance.docs import bundle_records as records
from governance.docs import bundle_verify
from governance.docs import exports as documents
from governance.models import AuditChainHead, AuditEvent, ModelVersion, RegisteredModel
from governance.models.audit import HEAD_ID

BUNDLE_FORMAT = "tutela-audit-bundle/1"
README_TEMPLATE = "governance/docs/bundle_readme.txt"
NOTICE = "Product guidance, not legal advice."
HASH_DEFINITION = (
    'sha256(prev_hash + "\\n" + canonical JSON of {actor, created_at, details, event_type, '
    "model, request, sequence, version}: keys sorted, no spaces, UTF-8)"
)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BundleFile:
    """A finished bundle in a temporary file (deleted when closed), read from the start."""

    file: IO[bytes]
    filename: str
    manifest: dict

    def response(self) -> FileResponse:
        """The download: streamed from disk, the file closed (and so deleted) at the end."""
        return FileResponse(
            self.file, as_attachment=True, filename=self.filename, content_type="application/zip"
        )


class _ZipWriter:
    """Adds members under one timestamp (the export's) and keeps each one's SHA-256."""

    def __init__(self, archive: ZipFile, moment: datetime) -> None:
        self.archive = archive
        self.stamp = moment.astimezone(UTC).timetuple()[:6]
        self.files: list[dict] = []

    def info(self, name: str) -> ZipInfo:
        info = ZipInfo(name, date_time=self.stamp)
        info.compress_type = ZIP_DEFLATED
        info.external_attr = 0o644 << 16  # a plain readable file when unzipped
        return info

    def add(self, name: str, chunks: Iterable[str | bytes]) -> None:
        digest, size = sha256(), 0
        # zip64 from the start: the size of a streamed member is known only at its end.
        with self.archive.open(self.info(name), "w", force_zip64=True) as member:
            for chunk in chunks:
                data = chunk.encode() if isinstance(chunk, str) else chunk
                digest.update(data)
                size += len(data)
                member.write(data)
        self.files.append({"path": name, "sha256": digest.hexdigest(), "bytes": size})


@contextmanager
def _snapshot() -> Iterator[None]:
    """On PostgreSQL the whole bundle reads one snapshot (REPEATABLE READ takes no locks).
    SQLite's transactions here take the write lock, so there none is opened: reading the
    chain head first and only events up to it keeps the events and the head consistent."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _runs(sequences: Iterable[int]) -> list[list[int]]:
    """Sorted sequence numbers as [first, last] runs of consecutive numbers."""
    runs: list[list[int]] = []
    for sequence in sequences:
        if runs and runs[-1][1] == sequence - 1:
            runs[-1][1] = sequence
        else:
            runs.append([sequence, sequence])
    return runs


def _audit_summary(events: QuerySet[AuditEvent], head: AuditChainHead) -> dict:
    sequences = events.values_list("sequence", flat=True).iterator(chunk_size=records.CHUNK)
    runs = _runs(sequences)
    return {
        "events_file": bundle_verify.EVENTS,
        "event_count": sum(last - first + 1 for first, last in runs),
        "first_sequence": runs[0][0] if runs else None,
        "last_sequence": runs[-1][1] if runs else None,
        "sequences": runs,
        "chain_head": {"sequence": head.sequence, "hash": head.hash},
        "hash": HASH_DEFINITION,
    }


def _version_files(version: ModelVersion) -> list[tuple[str, Callable[[], str | bytes]]]:
    """(member name, how to make it) for one version's documents."""
    card_json = DjangoJSONEncoder(indent=2, ensure_ascii=False)  # as the UI's card.json
    return [
        ("card.json", lambda: card_json.encode(version.to_dict())),
        ("card.md", lambda: documents.card_markdown(version)),
        ("card.pdf", lambda: documents.card_pdf(version)),
        ("annex-iv.md", lambda: documents.annex_iv_markdown(version)),
        ("annex-iv.pdf", lambda: documents.annex_iv_pdf(version)),
    ]


def _manifest(
    model: RegisteredModel, versions: list[ModelVersion], audit: dict, meta: dict
) -> dict:
    retention = settings.TUTELA_AUDIT_RETENTION_DAYS
    return {
        "format": BUNDLE_FORMAT,
        "notice": NOTICE,
        **meta,
        "model": {
            "id": model.pk,
            "name": model.name,
            "team": model.team.slug,
            "risk_level": model.risk_level,
        },
        "versions": [
            {"id": v.pk, "version": v.version, "stage": v.stage, "folder": f"versions/{v.version}"}
            for v in versions
        ],
        "audit": audit,
        "retention": {
            "audit_retention_days": retention,
            "minimum_days_accepted": settings.TUTELA_AUDIT_RETENTION_MIN_DAYS,
            "audit_events_deleted_by_tutela": False,
        },
    }


def audit_bundle(model: RegisteredModel, *, out: IO[bytes], generated_by: str) -> dict:
    """Write the auditor's bundle of model to out (a writable binary file, seekable or
    not); returns its manifest."""
    with _snapshot():
        # The head first: every event the bundle holds is at or before it, whatever is
        # appended while the documents render.
        head = AuditChainHead.objects.get(pk=HEAD_ID)
        now = timezone.now()
        meta = {"generated_at": format_timestamp(now), "generated_by": generated_by}
        events = AuditEvent.objects.filter(model=model, sequence__lte=head.sequence)
        versions = list(
            ModelVersion.objects.filter(model=model)
            .select_related("model__team", "model__owner", "created_by")
            .order_by("created_at", "pk")
        )
        manifest = _manifest(model, versions, _audit_summary(events, head), meta)
        with ZipFile(out, "w") as archive:
            writer = _ZipWriter(archive, now)
            _write_members(writer, model, versions, events, manifest)
            manifest["files"] = writer.files
            archive.writestr(writer.info("manifest.json"), records.to_json(manifest))
    audit = manifest["audit"]
    logger.info(
        "Audit bundle of %s exported by %s: %d events, chain head #%d.",
        model.name,
        generated_by,
        audit["event_count"],
        head.sequence,
    )
    return manifest


def _write_members(
    writer: _ZipWriter,
    model: RegisteredModel,
    versions: list[ModelVersion],
    events: QuerySet[AuditEvent],
    manifest: dict,
) -> None:
    days = manifest["retention"]["audit_retention_days"]
    context = {"manifest": manifest, "model": model, "retention_years": f"{days / 365:.1f}"}
    readme = render_to_string(README_TEMPLATE, context)
    writer.add("README.txt", [readme])
    writer.add("verify.py", [Path(bundle_verify.__file__).read_bytes()])
    writer.add("model.json", [records.to_json(records.model_record(model))])
    for version in versions:
        for name, make in _version_files(version):
            writer.add(f"versions/{version.version}/{name}", [make()])
    writer.add(
        "classification/current.json", [records.to_json(records.classification_record(model))]
    )
    for name, rows in records.record_files(model):
        writer.add(name, records.json_array(rows))
    writer.add(bundle_verify.EVENTS, export_lines(events))


def bundle_file(model: RegisteredModel, *, generated_by: str) -> BundleFile:
    """The bundle in a temporary file, for a download: the response streams it from disk."""
    # Not a with block: the file outlives this function; the response closes it.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        manifest = audit_bundle(model, out=out, generated_by=generated_by)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    stamp = manifest["generated_at"][:19].replace("-", "").replace(":", "")
    return BundleFile(out, f"{model.name}-audit-bundle-{stamp}Z.zip", manifest)
