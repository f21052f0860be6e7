import os
import tempfile
import time
from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.docs.bundle import audit_bundle
from governance.exceptions import PdfUnavailable
from governance.models import RegisteredModel

GENERATED_BY = "system:cli"  # whoever runs manage.py has the server's own access


class Command(BaseCommand):
    help = (
        "Write the auditor's bundle of the registered model NAME to a zip file: cards, "
        "Annex IV documents, approvals, deployments, incidents, classification, history, "
        "the model's audit events with the chain head, README.txt and verify.py."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name", help="The registered model's name.")
        parser.add_argument("--output", required=True, help="The zip file to write.")

    def handle(self, *args: object, name: str, output: str, **options: object) -> None:
        model = RegisteredModel.objects.select_related("team").filter(name=name).first()
        if model is None:
            raise CommandError(f"No registered model named '{name}'.")
        path = Path(output)
        if not path.parent.is_dir() or path.is_dir():
            raise CommandError(f"Cannot write {output}: give a file in an existing folder.")
        started = time.perf_counter()
        manifest = _write(model, path)
        audit = manifest["audit"]
        self.stdout.write(
            f"Wrote {path} ({path.stat().st_size:,} bytes, {time.perf_counter() - started:.1f} s): "
            f"{len(manifest['versions'])} versions, {audit['event_count']} audit events, chain "
            f"head #{audit['chain_head']['sequence']}. Check it with: python3 verify.py in the "
            "unzipped folder, or python3 verify.py on the zip."
        )


def _write(model: RegisteredModel, path: Path) -> dict:
    """Written next to the target and renamed at the end: a failed or interrupted export
    never leaves a partial zip under the name asked for."""
    try:
        out = tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False)  # noqa: SIM115 (closed below)
    except OSError as error:
        raise CommandError(f"Cannot write in {path.parent}: {error.strerror or error}.") from error
    try:
        with out:
            manifest = audit_bundle(model, out=out, generated_by=GENERATED_BY)
        os.replace(out.name, path)
    except (PdfUnavailable, OSError) as error:
        Path(out.name).unlink(missing_ok=True)
        message = getattr(error, "message", None) or f"Cannot write {path}: {error}."
        raise CommandError(message) from error
    except BaseException:
        Path(out.name).unlink(missing_ok=True)
        raise
    return manifest
