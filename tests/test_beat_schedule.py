"""The default beat schedule comes from migration 0007: four periodic tasks on crontabs aligned
to their evaluation windows, editable in the admin and never overwritten by a re-run."""

import importlib

import pytest
from django.apps import apps
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db

schedule_migration = importlib.import_module("governance.migrations.0007_beat_schedule")


def crontabs() -> dict[str, tuple[str, str, str, str, str, str]]:
    return {
        task.task: (
            task.crontab.minute,
            task.crontab.hour,
            task.crontab.day_of_week,
            task.crontab.day_of_month,
            task.crontab.month_of_year,
            str(task.crontab.timezone),
        )
        for task in PeriodicTask.objects.select_related("crontab").filter(
            task__startswith="governance."
        )
    }


def test_schedule_exists_after_migrate():
    assert crontabs() == {
        "governance.tasks.retirement_sweep": ("0", "*", "*", "*", "*", "UTC"),  # hourly
        "governance.tasks.grace_period_sweep": ("30", "2", "*", "*", "*", "UTC"),  # daily
        "governance.tasks.review_reminder_sweep": ("0", "8", "*", "*", "*", "UTC"),  # daily
        "governance.tasks.shadow_deployment_sweep": ("*/15", "*", "*", "*", "*", "UTC"),
    }
    assert all(
        PeriodicTask.objects.filter(task__startswith="governance.").values_list(
            "enabled", flat=True
        )
    )


def test_every_scheduled_task_is_registered_with_the_app():
    scheduled = PeriodicTask.objects.filter(task__startswith="governance.")

    missing = {task.task for task in scheduled} - set(celery_app.tasks)

    assert scheduled.count() == 4
    assert missing == set()


def test_rerunning_the_migration_keeps_an_edited_schedule():
    task = PeriodicTask.objects.get(task="governance.tasks.retirement_sweep")
    task.crontab = CrontabSchedule.objects.create(minute="5", hour="*/2")
    task.save()

    schedule_migration.create_schedule(apps, None)

    assert crontabs()["governance.tasks.retirement_sweep"][:2] == ("5", "*/2")
    assert PeriodicTask.objects.filter(task__startswith="governance.").count() == 4


def test_reversing_the_migration_removes_only_its_tasks():
    PeriodicTask.objects.create(
        name="Someone else's job",
        task="other.job",
        crontab=CrontabSchedule.objects.get(minute="*/15", hour="*"),
    )

    schedule_migration.delete_schedule(apps, None)

    assert list(PeriodicTask.objects.values_list("task", flat=True)) == ["other.job"]
    assert list(CrontabSchedule.objects.values_list("minute", flat=True)) == ["*/15"]
