from django.core.management.base import BaseCommand
from django.db.models import Count, QuerySet

from governance.management.commands._seed_demo_catalog import MODELS, TEAMS
from governance.management.commands._seed_demo_classification import seed_classifications
from governance.management.commands._seed_demo_incidents import seed_incidents
from governance.management.commands._seed_demo_story import ensure_teams, seed_model
from governance.management.commands._seed_people import (
    PERSONAS,
    SeedLog,
    ensure_personas,
    password_hash,
    password_note,
)
from governance.models import (
    OPEN_ALERT_STATUSES,
    OPEN_APPROVAL_STATUSES,
    ApprovalRequest,
    AuditEvent,
    Deployment,
    MetricObservation,
    ModelVersion,
    RegisteredModel,
    RetirementAlert,
)


class Command(BaseCommand):
    help = (
        "Load the demo organisation (teams, people, models, reviews, monitoring) through the "
        "services, so its history and audit trail are real. Idempotent: what exists is kept."
    )

    def handle(self, *args: object, **options: object) -> None:
        log, password = SeedLog(), password_hash()
        people = ensure_personas(log, password=password)
        teams = ensure_teams(people, log, password=password)
        for spec in MODELS:
            seed_model(spec, teams, people, log)
        seed_classifications(people, log)
        seed_incidents(people, log)
        if log.empty:
            self.stdout.write("Demo data already present; nothing changed.")
        else:
            created = ", ".join(f"{count} {what}" for what, count in log.created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {created}."))
        self._summary()
        self._logins()

    def _counts(self, rows: QuerySet, field: str) -> str:
        counted = rows.values(field).annotate(n=Count("pk")).order_by(field)
        return ", ".join(f"{row[field]} {row['n']}" for row in counted) or "none"

    def _summary(self) -> None:
        open_requests = ApprovalRequest.objects.filter(status__in=OPEN_APPROVAL_STATUSES)
        open_alerts = RetirementAlert.objects.filter(status__in=OPEN_ALERT_STATUSES)
        models, versions = RegisteredModel.objects.all(), ModelVersion.objects.all()
        lines = [
            f"models:        {models.count()} ({self._counts(models, 'risk_level')})",
            f"versions:      {versions.count()} ({self._counts(versions, 'stage')})",
            f"open requests: {self._counts(open_requests, 'status')}",
            f"metrics:       {MetricObservation.objects.count()} observations",
            f"deployments:   {Deployment.objects.filter(active=True).count()} active",
            f"open alerts:   {self._counts(open_alerts, 'rule')}",
            f"audit trail:   {AuditEvent.objects.count()} events "
            "(check them with `python manage.py verify_audit`)",
        ]
        self.stdout.write("\n".join(lines))

    def _logins(self) -> None:
        rows = [(persona.username, persona.does) for persona in PERSONAS]
        rows += [(team.lead, f"ml_lead of {team.slug} only; requests promotions") for team in TEAMS]
        self.stdout.write("\nDemo logins:")
        for username, does in rows:
            self.stdout.write(f"  {username:<15} {does}")
        self.stdout.write(password_note())
