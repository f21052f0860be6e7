"""Celery settings from the environment: a visibility timeout too short for the longest task
is refused at start-up, and a Redis broker gets the publish and visibility timeouts."""

from tests.test_settings import run

PRINT_BROKER_OPTIONS = (
    "from config.celery import app; o = app.conf.broker_transport_options; "
    "print(o['visibility_timeout'], o['socket_connect_timeout'], o['max_retries'])"
)


def test_visibility_timeout_below_the_longest_task_is_refused(tmp_path):
    result = run(
        "manage.py",
        "check",
        TUTELA_VAR_DIR=str(tmp_path),
        CELERY_TASK_TIME_LIMIT="600",
        CELERY_VISIBILITY_TIMEOUT="900",
    )

    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT + 300 s" in result.stderr


def test_redis_broker_gets_the_visibility_and_publish_timeouts(tmp_path):
    result = run(
        "-c",
        f"import django; django.setup(); {PRINT_BROKER_OPTIONS}",
        DJANGO_SETTINGS_MODULE="config.settings",
        TUTELA_VAR_DIR=str(tmp_path),
        REDIS_URL="redis://127.0.0.1:6379/6",
        CELERY_VISIBILITY_TIMEOUT="7200",
        CELERY_PUBLISH_TIMEOUT="0.5",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7200", "0.5", "1"]
