"""Settings from the environment: a bare environment runs commands, never a web server
without SECRET_KEY, and the production mode passes Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3Q9-vR7xT2mW8pL5sN1bH6yF4dJ0cG_eA9uZ7qX3wV5tY8rE2oI6pM1nB4lK7jH"


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    bare = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**bare, **env}, capture_output=True, text=True
    )


def test_management_commands_run_in_a_bare_environment(tmp_path):
    result = run("manage.py", "check", TUTELA_VAR_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_web_application_refuses_to_start_without_a_secret_key(tmp_path):
    result = run("-c", "import config.wsgi", TUTELA_VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "ImproperlyConfigured: The SECRET_KEY setting must not be empty." in result.stderr


def test_the_web_application_loads_its_views_at_start_up(tmp_path):
    # Otherwise each server process's first request imports them (a quarter of a second).
    probe = "import sys, config.wsgi; print('governance.api.versions' in sys.modules)"
    result = run("-c", probe, TUTELA_VAR_DIR=str(tmp_path), SECRET_KEY=STRONG_KEY)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_production_settings_pass_the_deploy_checks(tmp_path):
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="tutela.example.com",
        TUTELA_VAR_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_postgresql_prepares_statements_unless_turned_off(tmp_path):
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(settings.DATABASES['default'].get('OPTIONS', {}).items()))"
    )
    url = "postgres://tutela@db.example.com:5432/tutela"
    base = {"DJANGO_SETTINGS_MODULE": "config.settings", "TUTELA_VAR_DIR": str(tmp_path)}

    prepared = run("-c", probe, DATABASE_URL=url, **base)
    plain = run("-c", probe, DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="false", **base)

    assert prepared.returncode == plain.returncode == 0, prepared.stderr + plain.stderr
    assert prepared.stdout.strip() == "[('prepare_threshold', 5), ('server_side_binding', True)]"
    assert plain.stdout.strip() == "[]"
