"""Register a trained model version with Tutela from a training pipeline (stdlib only).

    python examples/pipeline_register.py --url http://127.0.0.1:8000 --token "$TUTELA_TOKEN" \\
        --model customer-churn-predictor --version 2.5.0 --artifact model.pkl

It registers the version with its model card and tags (safe to re-run: the same artefact
checksum returns the registered version), pushes its evaluation metrics, and asks for
promotion to staging. The token is a personal API token (Your API tokens in the web app)
of someone with the ml_engineer or ml_lead role on the model's team.
"""

import argparse
import datetime
import hashlib
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


class TutelaError(Exception):
    """The API refused a call; the message is its problem-details explanation."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def call(url: str, token: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        url.rstrip("/") + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        problem = json.loads(error.read() or b"{}")
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in problem.get("errors", {}).items())
        message = f"{method} {path} -> {error.code} {problem.get('detail', '')} {details}"
        raise TutelaError(error.code, message.strip()) from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as artefact:
        for block in iter(lambda: artefact.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_card(args: argparse.Namespace, checksum: str, metrics: dict[str, float]) -> dict:
    """What a training pipeline knows when it finishes; people complete the rest in the UI."""
    return {
        "intended_use": args.intended_use,
        "training_data_description": "See the data version.",
        "training_data_version": args.data_version,
        "training_date": datetime.date.today().isoformat(),
        "training_pipeline": "examples/pipeline_register.py",
        "hyperparameters": {"max_depth": 6, "learning_rate": 0.1},
        "code_revision": args.code_revision,
        "artifact_uri": f"file://{Path(args.artifact).resolve()}",
        "artifact_sha256": checksum,
        "evaluation_metrics": metrics,
    }


def register(args: argparse.Namespace) -> dict:
    checksum = sha256_of(Path(args.artifact))
    metrics = {"accuracy": args.accuracy}
    versions = f"/api/v1/models/{args.model}/versions/"
    body = {
        "version": args.version,
        "card": model_card(args, checksum, metrics),
        "tags": {"pipeline": "example", "data_version": args.data_version},
    }
    status, version = call(args.url, args.token, "POST", versions, body)
    print(f"{'registered' if status == 201 else 'already registered'}: {args.version}")
    now = datetime.datetime.now(datetime.UTC).isoformat()
    points = [{"name": name, "value": value, "observed_at": now} for name, value in metrics.items()]
    path = f"{versions}{args.version}/"
    call(args.url, args.token, "POST", f"{path}metrics/", {"points": points})
    print(f"pushed {len(points)} metric point(s)")
    if version["stage"] == "development":
        ask_for_staging(args, path)
    return version


def ask_for_staging(args: argparse.Namespace, path: str) -> None:
    transition = {"target_stage": "staging", "justification": args.justification}
    try:
        _, request = call(args.url, args.token, "POST", f"{path}transitions/", transition)
    except TutelaError as error:
        if error.status != 409:  # 409: a request is already open (a re-run), nothing to do
            raise
        print(f"not asked for staging: {error}")
        return
    print(f"asked for staging: approval request #{request['id']} ({request['status']})")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="Tutela's base URL")
    parser.add_argument("--token", required=True, help="a personal API token")
    parser.add_argument("--model", required=True, help="registered model name")
    parser.add_argument("--version", required=True, help="version to register, e.g. 2.5.0")
    parser.add_argument("--artifact", required=True, help="the trained artefact file")
    parser.add_argument("--accuracy", type=float, default=0.91)
    parser.add_argument("--data-version", default="customers-2026-11")
    parser.add_argument("--code-revision", default="unknown")
    parser.add_argument("--intended-use", default="Score churn risk for retention offers.")
    parser.add_argument("--justification", default="Evaluation passed in the pipeline.")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    try:
        register(parse_args(argv))
    except TutelaError as error:
        print(f"Tutela refused: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
