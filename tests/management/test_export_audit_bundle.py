"""export_audit_bundle: writes the auditor's bundle that verify.py accepts, refuses an unknown
model or an unusable output path with a clear message, and never leaves a partial zip."""

import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.bundle_support import build_evidence, extract, run_verify
from tests.pdf_support import NoPango


def run(*args: str) -> str:
    out = StringIO()
    call_command("export_audit_bundle", *args, stdout=out)
    return out.getvalue()


# Committed for real: on PostgreSQL the command reads the bundle in one REPEATABLE READ
# snapshot, which it opens only outside a transaction (tests otherwise run inside one).
@pytest.mark.django_db(transaction=True)
def test_writes_a_bundle_that_verify_accepts(model, personas, tmp_path):
    build_evidence(model, personas)
    target = tmp_path / "churn.zip"

    out = run("customer-churn-predictor", "--output", str(target))

    assert out.startswith(f"Wrote {target} (")
    assert "2 versions, 14 audit events, chain head #15." in out
    result = run_verify(extract(target.read_bytes(), tmp_path / "bundle"))
    assert result.returncode == 0, result.stdout
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


def test_an_unknown_model_is_refused_by_name(db, tmp_path):
    target = tmp_path / "nope.zip"

    with pytest.raises(CommandError, match="^No registered model named 'nope'.$"):
        run("nope", "--output", str(target))
    assert not target.exists()


@pytest.mark.parametrize("output", ["missing-folder/b.zip", "."])
def test_an_output_that_cannot_be_a_file_is_refused(version, tmp_path, monkeypatch, output):
    monkeypatch.chdir(tmp_path)

    with pytest.raises(CommandError, match="give a file in an existing folder"):
        run("customer-churn-predictor", "--output", output)
    assert list(tmp_path.iterdir()) == []


def test_without_pango_it_says_what_to_install_and_leaves_no_file(version, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "governance.docs.pdf", NoPango("governance.docs.pdf"))

    with pytest.raises(CommandError, match="libpango"):
        run("customer-churn-predictor", "--output", str(tmp_path / "b.zip"))
    assert list(tmp_path.iterdir()) == []
