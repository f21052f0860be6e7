"""Set-up and helpers of the auditor's bundle tests: a model with the evidence a bundle
holds, made through the services (so every step is an audit event), and ways to open,
extract and verify a bundle."""

import io
import json
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from governance.docs.bundle import audit_bundle
from governance.models import RegisteredModel, Stage
from governance.services.classification import classification_confirm
from governance.services.deployments import deployment_record
from governance.services.incidents import incident_record
from governance.services.versions import version_register
from tests.factories import COMPLETE_CARD, RegisteredModelFactory
from tests.workflows import promote

CLASSIFICATION = {
    "organisation_role": "provider",
    "intended_purpose": "Rank customers by churn risk for retention outreach.",
    "annex_i_safety_component": False,
    "annex_iii_point": "none",
    "profiles_natural_persons": True,
    "art6_3_exemption": "none",
    "exemption_reasoning": "",
    "general_purpose_ai": False,
}
INCIDENT = "Retention offers were withheld from every customer over 70 for a week."


def incident_awareness() -> date:
    return timezone.localdate() - timedelta(days=5)


def build_evidence(model: RegisteredModel, personas: dict) -> RegisteredModel:
    """Two versions (2.4.1 promoted to production, 2.5.0 registered), a deployment, an
    incident, a classification; another model's events between them make gaps."""
    card = {**COMPLETE_CARD, "training_date": "2026-10-01"}
    version = version_register(
        actor=personas["engineer"], model_id=model.pk, version="2.4.1", card=card
    )
    promote(version, personas, Stage.STAGING)
    neighbour = RegisteredModelFactory(name="neighbour", team=model.team, owner=personas["lead"])
    version_register(actor=personas["engineer"], model_id=neighbour.pk, version="0.1.0")
    promote(version, personas, Stage.PRODUCTION)
    deployment_record(
        actor=personas["lead"],
        version_id=version.pk,
        endpoint="churn-api",
        environment="production",
    )
    incident_record(
        actor=personas["risk_officer"],
        version_id=version.pk,
        description=INCIDENT,
        aware_at=incident_awareness(),
        severity="widespread_infringement",
    )
    classification_confirm(
        actor=personas["risk_officer"], model_id=model.pk, answers=CLASSIFICATION
    )
    version_register(actor=personas["engineer"], model_id=model.pk, version="2.5.0", card=card)
    return model


def bundle_bytes(model: RegisteredModel, generated_by: str = "auditor") -> tuple[bytes, dict]:
    out = io.BytesIO()
    manifest = audit_bundle(model, out=out, generated_by=generated_by)
    return out.getvalue(), manifest


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def extract(data: bytes, folder: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
    return folder


def event_lines(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "audit/events.jsonl").read_text().splitlines()]


def write_event_lines(folder: Path, events: list[dict]) -> None:
    lines = "".join(json.dumps(event, separators=(",", ":")) + "\n" for event in events)
    (folder / "audit/events.jsonl").write_text(lines)


def run_verify(folder: Path, *target: str) -> subprocess.CompletedProcess:
    """The bundled verify.py, with this Python in isolated mode (no project imports), run
    from another folder."""
    return subprocess.run(
        [sys.executable, "-I", str(folder / "verify.py"), *target],
        capture_output=True,
        text=True,
        cwd=folder.parent,
        timeout=60,
    )
