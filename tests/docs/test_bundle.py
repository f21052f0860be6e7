"""The auditor's bundle (governance.docs.bundle): every part for a model with versions,
approvals, deployments, an incident and a classification; the audit events exactly as the
API exports them, with the chain head and the sequences in the manifest; streamed to any
file object."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from pypdf import PdfReader

from governance.audit import format_timestamp, verify_chain
from governance.docs import exports as documents
from governance.docs.bundle import _runs, audit_bundle
from governance.models import AuditChainHead, AuditEvent, ModelVersion
from governance.services.api_tokens import api_token_create
from tests.bundle_support import (
    INCIDENT,
    build_evidence,
    bundle_bytes,
    incident_awareness,
    members,
)

VERSION_FILES = ("annex-iv.md", "annex-iv.pdf", "card.json", "card.md", "card.pdf")
RECORD_FILES = {
    "README.txt",
    "manifest.json",
    "verify.py",
    "model.json",
    "approvals/requests.json",
    "approvals/decisions.json",
    "deployments.json",
    "incidents.json",
    "classification/current.json",
    "classification/history.json",
    "history/registered-model.json",
    "history/versions.json",
    "history/approval-requests.json",
    "history/approval-decisions.json",
    "history/deployments.json",
    "history/incidents.json",
    "audit/events.jsonl",
}


@pytest.fixture
def evidence(model, personas):
    return build_evidence(model, personas)


@pytest.fixture
def bundle(evidence):
    data, manifest = bundle_bytes(evidence)
    return members(data), manifest


def _json(files: dict, name: str) -> object:
    return json.loads(files[name])


def test_the_bundle_holds_every_part_for_each_version(bundle):
    files, _manifest = bundle

    per_version = {f"versions/{v}/{name}" for v in ("2.4.1", "2.5.0") for name in VERSION_FILES}
    assert set(files) == RECORD_FILES | per_version


def test_documents_are_the_exports_of_each_version(bundle, evidence):
    files, _manifest = bundle
    version = ModelVersion.objects.get(model=evidence, version="2.4.1")

    assert files["versions/2.4.1/card.md"].decode() == documents.card_markdown(version)
    assert files["versions/2.4.1/annex-iv.md"].decode() == documents.annex_iv_markdown(version)
    for name in ("card.pdf", "annex-iv.pdf"):
        reader = PdfReader(io.BytesIO(files[f"versions/2.4.1/{name}"]))
        assert len(reader.pages) > 0
        assert "customer-churn-predictor" in reader.pages[0].extract_text()


def test_card_json_is_the_ui_export_byte_for_byte(bundle, personas, client: Client):
    files, _manifest = bundle
    client.force_login(personas["auditor"])

    exported = client.get("/models/customer-churn-predictor/versions/2.4.1/card.json")

    assert files["versions/2.4.1/card.json"] == exported.content


def test_records_hold_requests_decisions_deployments_incident_and_classification(bundle):
    files, _manifest = bundle

    requests = _json(files, "approvals/requests.json")
    assert [(r["version_label"], r["target_stage"], r["status"]) for r in requests] == [
        ("2.4.1", "staging", "approved"),
        ("2.4.1", "production", "approved"),
    ]
    decisions = _json(files, "approvals/decisions.json")
    assert sorted(d["approver_username"] for d in decisions) == [
        "engineer2",
        "lead2",
        "risk_officer",
    ]
    assert [d["request_id"] for d in decisions] == [requests[0]["id"]] + [requests[1]["id"]] * 2
    [deployment] = _json(files, "deployments.json")
    assert (deployment["endpoint"], deployment["reported_by_username"]) == ("churn-api", "lead")
    [incident] = _json(files, "incidents.json")
    assert (incident["description"], incident["severity"]) == (INCIDENT, "widespread_infringement")
    aware = incident_awareness()
    deadline = aware + timedelta(days=2)  # widespread infringement: 2 days (Art. 73(3))
    assert (incident["aware_at"], incident["report_deadline"]) == (str(aware), str(deadline))
    current = _json(files, "classification/current.json")
    assert (current["proposed_risk_level"], current["confirmed_by_username"]) == (
        "medium",
        "risk_officer",
    )


def test_history_records_say_who_changed_what_and_why(bundle):
    files, _manifest = bundle

    versions = _json(files, "history/versions.json")
    saved = [(h["version"], h["stage"], h["history_change_reason"]) for h in versions]
    assert saved[0] == ("2.4.1", "development", "registered")
    assert [s for v, s, _ in saved if v == "2.4.1"][-1] == "production"
    assert saved[-1] == ("2.5.0", "development", "registered")
    assert {h["history_user_username"] for h in versions} >= {"engineer"}
    [classified] = _json(files, "classification/history.json")
    assert (classified["history_type"], classified["history_user_username"]) == (
        "+",
        "risk_officer",
    )
    for name in ("registered-model", "approval-requests", "approval-decisions", "incidents"):
        assert _json(files, f"history/{name}.json"), name
    [deployed] = _json(files, "history/deployments.json")
    assert deployed["history_change_reason"] == "reported"


def test_audit_lines_are_the_models_events_with_their_hashes(bundle, evidence):
    files, manifest = bundle

    lines = [json.loads(line) for line in files["audit/events.jsonl"].decode().splitlines()]
    events = AuditEvent.objects.filter(model=evidence).order_by("sequence")
    assert lines == [
        {
            "sequence": e.sequence,
            "created_at": format_timestamp(e.created_at),
            "event_type": e.event_type,
            "actor": e.actor,
            "model": e.model_id,
            "version": e.version_id,
            "request": e.request_id,
            "details": e.details,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
        for e in events
    ]
    assert manifest["audit"]["event_count"] == len(lines) > 10
    assert manifest["audit"]["first_sequence"] == lines[0]["sequence"]
    assert manifest["audit"]["last_sequence"] == lines[-1]["sequence"]


def test_audit_lines_are_what_the_api_exports_for_the_model(bundle, personas):
    files, _manifest = bundle
    _, secret = api_token_create(
        actor=personas["auditor"], user_id=personas["auditor"].pk, name="export"
    )
    api = Client(headers={"Authorization": f"Bearer {secret}"})

    response = api.get("/api/v1/audit/events/?model=customer-churn-predictor&format=jsonl")

    assert files["audit/events.jsonl"] == b"".join(response.streaming_content)


def test_manifest_states_the_chain_head_the_sequences_and_the_retention(bundle, settings):
    files, manifest = bundle
    report = verify_chain()

    assert json.loads(files["manifest.json"]) == manifest
    assert manifest["audit"]["chain_head"] == {"sequence": report.count, "hash": report.head_hash}
    sequences = [json.loads(line)["sequence"] for line in files["audit/events.jsonl"].splitlines()]
    assert [
        s for first, last in manifest["audit"]["sequences"] for s in range(first, last + 1)
    ] == (sequences)
    assert len(manifest["audit"]["sequences"]) == 2  # the neighbour's events make one gap
    assert manifest["retention"] == {
        "audit_retention_days": settings.TUTELA_AUDIT_RETENTION_DAYS,
        "minimum_days_accepted": 183,
        "audit_events_deleted_by_tutela": False,
    }
    assert [f["path"] for f in manifest["files"]] == [n for n in files if n != "manifest.json"]


def test_readme_explains_contents_verification_limits_and_retention(bundle, settings):
    files, manifest = bundle

    readme = files["README.txt"].decode()
    assert "Product guidance, not legal advice." in readme
    head = manifest["audit"]["chain_head"]
    assert f"ended at sequence {head['sequence']} with hash\n{head['hash']}" in readme
    assert "It does not prove that the bundle is what Tutela holds." in readme
    assert f"TUTELA_AUDIT_RETENTION_DAYS, is {settings.TUTELA_AUDIT_RETENTION_DAYS} days" in readme
    assert "never updates or deletes an audit event" in readme
    for name in RECORD_FILES - {"history/registered-model.json", "history/versions.json"}:
        assert name.split("/")[0] in readme, name


def test_events_appended_after_the_head_was_read_are_left_out(evidence, personas):
    head = AuditChainHead.objects.get(pk=1)
    model_events = AuditEvent.objects.filter(model=evidence, sequence__lte=head.sequence).count()

    _, manifest = bundle_bytes(evidence)

    assert manifest["audit"]["chain_head"]["sequence"] == head.sequence
    assert manifest["audit"]["event_count"] == model_events


class WriteOnly(io.RawIOBase):
    """A pipe-like output: no seek, no tell, no read."""

    def __init__(self) -> None:
        self.received = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self.received += data
        return len(data)


def test_the_zip_streams_to_an_output_that_cannot_seek(version):
    out = WriteOnly()

    manifest = audit_bundle(version.model, out=out, generated_by="auditor")

    with zipfile.ZipFile(io.BytesIO(bytes(out.received))) as archive:
        assert archive.testzip() is None
        assert "versions/2.4.1/annex-iv.pdf" in archive.namelist()
    assert manifest["versions"][0]["version"] == "2.4.1"


def test_a_model_without_events_or_records_still_makes_a_bundle(version):
    data, manifest = bundle_bytes(version.model)
    files = members(data)

    assert files["audit/events.jsonl"] == b""
    assert manifest["audit"]["event_count"] == 0
    assert manifest["audit"]["first_sequence"] is None
    assert json.loads(files["incidents.json"]) == []
    assert json.loads(files["classification/current.json"]) is None


@pytest.mark.parametrize(
    ("sequences", "runs"),
    [([], []), ([4], [[4, 4]]), ([1, 2, 3, 7, 9, 10], [[1, 3], [7, 7], [9, 10]])],
)
def test_sequences_become_runs_of_consecutive_numbers(sequences, runs):
    assert _runs(sequences) == runs
