"""Run the retirement sweeps in this process, as the scheduled tasks would: the same
selectors, batches of TUTELA_SWEEP_BATCH_SIZE ids and services, and the serious-incident
deadline reminders the daily review-reminder sweep sends. Prints every finding that fired
or changed something, with its reasons; --dry-run writes nothing."""

from collections.abc import Callable, Iterator
from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from governance.models import RegisteredModel
from governance.selectors.incidents import incident_reminder_ids
from governance.selectors.retirement import (
    active_deployment_ids,
    grace_expired_version_ids,
    production_version_ids,
    review_due_version_ids,
)
from governance.services.incident_reminders import incident_reminders_send
from governance.services.retirement import (
    Finding,
    grace_period_retire,
    retirement_evaluate,
    review_reminders_send,
    shadow_deployments_check,
)

Sweep = tuple[str, Callable[[], list[int]], Callable[[list[int]], list[Finding]]]


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class Command(BaseCommand):
    help = (
        "Evaluate retirement criteria, grace periods, review reminders, shadow deployments "
        "and serious-incident deadlines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", metavar="NAME", help="only this registered model")
        parser.add_argument("--dry-run", action="store_true", help="report, change nothing")

    def handle(self, *args: object, model: str | None, dry_run: bool, **options: object) -> None:
        if model and not RegisteredModel.objects.filter(name=model).exists():
            raise CommandError(f"No registered model is named {model!r}.")
        if dry_run:
            self.stdout.write("Dry run: nothing is written, nobody is notified.")
        for label, select, run in self._sweeps(model, timezone.now(), dry_run):
            ids = select()  # each sweep selects after the previous one ran (deprecations)
            size = settings.TUTELA_SWEEP_BATCH_SIZE
            found = [finding for batch in _batches(ids, size) for finding in run(batch)]
            shown = [f for f in found if f.fired or f.action != "unchanged"]
            self.stdout.write(f"{label}: {len(ids)} checked, {len(shown)} to report.")
            for finding in shown:
                self._report(finding)

    def _sweeps(self, model: str | None, now: datetime, dry_run: bool) -> list[Sweep]:
        options = {"now": now, "dry_run": dry_run}
        return [
            (
                "Retirement criteria",
                lambda: production_version_ids(model_name=model),
                lambda ids: retirement_evaluate(version_ids=ids, **options),
            ),
            (
                "Grace periods",
                lambda: grace_expired_version_ids(now=now, model_name=model),
                lambda ids: grace_period_retire(version_ids=ids, **options),
            ),
            (
                "Review reminders",
                lambda: review_due_version_ids(now=now, model_name=model),
                lambda ids: review_reminders_send(version_ids=ids, **options),
            ),
            (
                "Shadow deployments",
                lambda: active_deployment_ids(model_name=model),
                lambda ids: shadow_deployments_check(deployment_ids=ids, **options),
            ),
            (
                "Incident deadlines",
                lambda: incident_reminder_ids(today=timezone.localdate(now), model_name=model),
                lambda ids: incident_reminders_send(incident_ids=ids, **options),
            ),
        ]

    def _report(self, finding: Finding) -> None:
        state = "fires" if finding.fired else "quiet"
        self.stdout.write(
            f"  {finding.model_name} {finding.version}: {finding.rule} {state}, {finding.action}"
        )
        for reason in finding.reasons:
            self.stdout.write(f"    - {reason.get('message', reason)}")
