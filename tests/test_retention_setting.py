"""TUTELA_AUDIT_RETENTION_DAYS: ten years unless set, and never below six months (183 days,
EU AI Act Art. 19 and 26(6)): a lower value stops Tutela at start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READ_SETTING = "from django.conf import settings; print(settings.TUTELA_AUDIT_RETENTION_DAYS)"


def read_setting(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    bare = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TUTELA_VAR_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-c", READ_SETTING],
        cwd=ROOT,
        env={**bare, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("value", "days"), [(None, "3650"), ("183", "183"), ("4000", "4000")])
def test_the_retention_is_ten_years_unless_set(tmp_path, value, days):
    env = {} if value is None else {"TUTELA_AUDIT_RETENTION_DAYS": value}

    result = read_setting(tmp_path, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == days


@pytest.mark.parametrize("value", ["182", "0", "-3650"])
def test_less_than_six_months_is_refused_at_start_up(tmp_path, value):
    result = read_setting(tmp_path, TUTELA_AUDIT_RETENTION_DAYS=value)

    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: TUTELA_AUDIT_RETENTION_DAYS must be at least 183 days "
        f"(six months, EU AI Act Art. 19 and 26(6)); it is {value}."
    ) in result.stderr
