"""Sweep claims (single-beat guarantee) and the default beat schedule (django-celery-beat).

Every job runs on a crontab aligned to the start of its evaluation window, so two beat
processes fire the same window and the second one's claim is refused. Operators edit the
schedule in the admin (Periodic tasks); running this migration again never overwrites it.
"""

from django.db import migrations, models

# name -> (task, crontab fields minute/hour/day_of_week/day_of_month/month_of_year)
SCHEDULE = {
    "Evaluate retirement criteria": (
        "governance.tasks.retirement_sweep",
        ("0", "*", "*", "*", "*"),
    ),
    "Retire versions past their grace period": (
        "governance.tasks.grace_period_sweep",
        ("30", "2", "*", "*", "*"),
    ),
    "Send review reminders": ("governance.tasks.review_reminder_sweep", ("0", "8", "*", "*", "*")),
    "Check shadow deployments": (
        "governance.tasks.shadow_deployment_sweep",
        ("*/15", "*", "*", "*", "*"),
    ),
}


def create_schedule(apps, schema_editor) -> None:
    from django.conf import settings

    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, fields) in SCHEDULE.items():
        minute, hour, day_of_week, day_of_month, month_of_year = fields
        crontab, _ = crontab_model.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            timezone=settings.CELERY_TIMEZONE,
        )
        task_model.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "enabled": True}
        )


def delete_schedule(apps, schema_editor) -> None:
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    task_model.objects.filter(name__in=SCHEDULE).delete()
    for _task, fields in SCHEDULE.values():
        minute, hour, day_of_week, day_of_month, month_of_year = fields
        # Only our crontabs, and only where no other periodic task still uses them.
        crontab_model.objects.filter(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            periodictask__isnull=True,
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0006_audit_actor_index"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="SweepClaim",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("job", models.CharField(max_length=64)),
                (
                    "window_start",
                    models.DateTimeField(help_text="Start of the schedule period the run serves."),
                ),
                ("claimed_at", models.DateTimeField(auto_now_add=True)),
                (
                    "batches",
                    models.PositiveIntegerField(default=0, help_text="Batch tasks dispatched."),
                ),
            ],
            options={
                "ordering": ["-window_start"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("job", "window_start"), name="one_claim_per_job_window"
                    )
                ],
            },
        ),
        migrations.RunPython(create_schedule, delete_schedule),
    ]
