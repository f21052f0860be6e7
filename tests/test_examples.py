"""examples/pipeline_register.py against a live server: a training pipeline registers a
version with its card, pushes metrics and asks for staging, over real HTTP."""

import hashlib
import importlib.util
from pathlib import Path

import pytest

from governance.models import ApprovalRequest, MetricObservation, ModelVersion, VersionTag
from governance.services.api_tokens import api_token_create

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "pipeline_register.py"


def load_example():  # noqa: ANN201 - a module
    spec = importlib.util.spec_from_file_location("pipeline_register", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def pipeline_args(live_server, personas, model, tmp_path):
    user = personas["engineer"]
    _, secret = api_token_create(actor=user, user_id=user.pk, name="pipeline")
    artefact = tmp_path / "model.pkl"
    artefact.write_bytes(b"trained weights")
    return [
        "--url", live_server.url, "--token", secret, "--model", model.name,
        "--version", "2.5.0", "--artifact", str(artefact), "--accuracy", "0.93",
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_example_registers_pushes_metrics_and_asks_for_staging(pipeline_args, capsys):
    assert load_example().main(pipeline_args) == 0

    version = ModelVersion.objects.get(version="2.5.0")
    assert version.artifact_sha256 == hashlib.sha256(b"trained weights").hexdigest()
    assert version.evaluation_metrics == {"accuracy": 0.93}
    assert {tag.key for tag in VersionTag.objects.filter(version=version)} == {
        "pipeline",
        "data_version",
    }
    assert MetricObservation.objects.get(version=version).value == 0.93
    request = ApprovalRequest.objects.get(version=version)
    assert (request.target_stage, request.status) == ("staging", "pending")
    assert "asked for staging" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_running_it_again_is_safe_and_a_new_artefact_is_refused(pipeline_args, tmp_path, capsys):
    example = load_example()
    assert example.main(pipeline_args) == 0
    assert example.main(pipeline_args) == 0  # same artefact: the registered version
    assert ModelVersion.objects.filter(version="2.5.0").count() == 1
    assert ApprovalRequest.objects.count() == 1  # the open request is not asked for twice

    other = tmp_path / "other.pkl"
    other.write_bytes(b"other weights")
    args = list(pipeline_args)
    args[args.index("--artifact") + 1] = str(other)
    assert example.main(args) == 1
    assert "409" in capsys.readouterr().err
