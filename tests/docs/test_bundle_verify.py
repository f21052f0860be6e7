"""The bundle's verify.py (governance/docs/bundle_verify.py): it hashes events exactly as
governance.audit does, uses the standard library only, passes an untouched bundle (folder
or zip) and fails, naming the line or file, when the bundle was changed."""

import ast
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from governance.audit import event_hash, format_timestamp
from governance.docs import bundle_verify
from governance.models import AuditEvent
from governance.services.versions import version_register
from tests.bundle_support import (
    build_evidence,
    bundle_bytes,
    event_lines,
    extract,
    run_verify,
    write_event_lines,
)

VERIFY_SOURCE = Path(bundle_verify.__file__)


@pytest.fixture
def folder(model, personas, tmp_path):
    data, _manifest = bundle_bytes(build_evidence(model, personas))
    (tmp_path / "bundle.zip").write_bytes(data)
    return extract(data, tmp_path / "bundle")


def _inside_run(events: list[dict]) -> int:
    """The index of an event whose neighbours on both sides have consecutive sequences."""
    return next(
        i
        for i in range(1, len(events) - 1)
        if events[i - 1]["sequence"] + 1 == events[i]["sequence"] == events[i + 1]["sequence"] - 1
    )


def _failed(result, line: str) -> None:  # noqa: ANN001
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith(f"FAILED: {line}"), result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("actor", "details", "ids"),
    [
        ("lead", '{"version":"2.4.1"}', (1, 2, 3)),
        ("system:retirement", "{}", (None, None, None)),
        ('Zoë "the reviewer" \\ 🚀', '{"note":"naïve \\"quoted\\" text\\n"}', (7, None, 9)),
        ("tab\there\u2028line", '{"big":12345678901234567890}', (2**62, 2**40, None)),
    ],
)
def test_verify_hashes_events_as_the_audit_trail_does(actor, details, ids):
    moment = datetime(2026, 11, 27, 9, 30, 1, 250, tzinfo=UTC)
    fields = {"sequence": 42, "event_type": "card.updated", "actor": actor, "details": details}
    model, version, request = ids

    expected = event_hash(
        prev_hash="ab" * 32,
        created_at=moment,
        model_id=model,
        version_id=version,
        request_id=request,
        **fields,
    )
    line = {
        **fields,
        "created_at": format_timestamp(moment),
        "model": model,
        "version": version,
        "request": request,
        "prev_hash": "ab" * 32,
    }
    assert bundle_verify.event_digest(line) == expected


def test_verify_recomputes_the_stored_hash_of_every_bundled_event(folder):
    lines = event_lines(folder)

    assert [bundle_verify.event_digest(line) for line in lines] == list(
        AuditEvent.objects.filter(sequence__in=[e["sequence"] for e in lines])
        .order_by("sequence")
        .values_list("hash", flat=True)
    )


def test_verify_uses_the_standard_library_only():
    imported = set()
    for node in ast.walk(ast.parse(VERIFY_SOURCE.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])

    assert imported - {"__future__"} <= sys.stdlib_module_names


def test_an_untouched_bundle_passes_as_a_folder_and_as_a_zip(folder):
    assert (folder / "verify.py").read_bytes() == VERIFY_SOURCE.read_bytes()
    for result in (run_verify(folder), run_verify(folder, str(folder.parent / "bundle.zip"))):
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.splitlines()[-1] == "OK"
        assert "links between consecutive events: 12, all hold; gaps: 1 (" in result.stdout
        assert "is the last included event, hashes equal" in result.stdout


def test_an_edited_event_fails_naming_its_line(folder):
    events = event_lines(folder)
    events[3]["actor"] = "someone-else"
    write_event_lines(folder, events)

    result = run_verify(folder)

    sequence = events[3]["sequence"]
    _failed(result, f"audit/events.jsonl line 4 (sequence {sequence}): the event's content")


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link(folder):
    events = event_lines(folder)
    index = _inside_run(events)
    events[index]["actor"] = "someone-else"
    events[index]["hash"] = bundle_verify.event_digest(events[index])
    write_event_lines(folder, events)

    result = run_verify(folder)

    line, sequence = index + 2, events[index + 1]["sequence"]
    _failed(result, f"audit/events.jsonl line {line} (sequence {sequence}): its prev_hash")
    assert f"the hash of line {index + 1}" in result.stdout


def test_a_line_removed_inside_a_consecutive_run_fails_naming_the_line(folder):
    events = event_lines(folder)
    index = _inside_run(events)
    removed = events.pop(index)
    write_event_lines(folder, events)

    result = run_verify(folder)

    sequence = events[index]["sequence"]
    _failed(result, f"audit/events.jsonl line {index + 1} (sequence {sequence})")
    assert f"the event with sequence {removed['sequence']} is missing before it" in result.stdout


def test_a_removed_last_line_and_an_added_line_fail(folder):
    events = event_lines(folder)
    write_event_lines(folder, events[:-1])
    _failed(run_verify(folder), "audit/events.jsonl: ends before the event with sequence")

    write_event_lines(folder, [*events, events[-1]])
    _failed(run_verify(folder), f"audit/events.jsonl line {len(events) + 1}")


def test_a_changed_document_or_chain_head_fails_naming_it(folder):
    pdf = folder / "versions/2.4.1/annex-iv.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"%")
    _failed(run_verify(folder), "versions/2.4.1/annex-iv.pdf: its SHA-256 differs")

    manifest_file = folder / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["audit"]["chain_head"]["hash"] = "f" * 64
    manifest_file.write_text(json.dumps(manifest))
    lines = len(event_lines(folder))
    _failed(
        run_verify(folder), f"audit/events.jsonl line {lines} (sequence 15): it is the chain head"
    )


@pytest.mark.parametrize("content", ["", "{}", '{"format": "tutela-audit-bundle/1"}', "[1, 2]"])
def test_a_damaged_manifest_fails_without_a_traceback(folder, content):
    (folder / "manifest.json").write_text(content)

    _failed(run_verify(folder), "manifest.json: not the manifest of a Tutela auditor's bundle")


def test_a_manifest_whose_sequences_are_out_of_order_is_refused(folder):
    manifest_file = folder / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["audit"]["sequences"].reverse()
    manifest_file.write_text(json.dumps(manifest))

    _failed(run_verify(folder), "manifest.json: not the manifest of a Tutela auditor's bundle")


def test_a_head_after_the_last_included_event_is_reported_not_checked(model, personas, tmp_path):
    build_evidence(model, personas)
    neighbour = model.team.models.get(name="neighbour")
    version_register(actor=personas["engineer"], model_id=neighbour.pk, version="0.2.0")
    data, manifest = bundle_bytes(model)

    result = run_verify(extract(data, tmp_path / "bundle"))

    assert result.returncode == 0, result.stdout
    head = manifest["audit"]["chain_head"]["sequence"]
    assert f"chain head #{head} (" in result.stdout
    assert "1 event after the last included one, not in this bundle" in result.stdout
