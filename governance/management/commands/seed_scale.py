import time
from itertools import chain, islice

from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from governance.management.commands._seed_people import SeedLog, ensure_personas, password_hash
from governance.management.commands._seed_scale_events import (
    Chain,
    model_story,
    monitoring_story,
)
from governance.management.commands._seed_scale_rows import (
    BATCH,
    NAME_PREFIX,
    SeededModel,
    chunks,
    insert_models,
)
from governance.models import AuditEvent, RegisteredModel, Team
from governance.services.teams import team_create

SCALE_TEAMS = (("scale-alpha", "Scale Alpha"), ("scale-beta", "Scale Beta"))


class Command(BaseCommand):
    help = (
        "Bulk-insert benchmark data: models, versions with complete cards and history rows, "
        "and a valid audit chain of --events events appended to the current head. Holds "
        "the audit chain head for the whole run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--models", type=int, default=1_000, metavar="N")
        parser.add_argument("--versions-per-model", type=int, default=3, metavar="K")
        parser.add_argument("--events", type=int, default=10_000, metavar="M")

    def handle(self, *args: object, **options: int) -> None:
        count, per_model, events = (
            options["models"],
            options["versions_per_model"],
            options["events"],
        )
        if count < 0 or per_model < 1 or events < 0:
            raise CommandError("Use --models >= 0, --versions-per-model >= 1, --events >= 0.")
        if events and not count:
            raise CommandError("Audit events describe models; use --models >= 1 with --events.")
        people = ensure_personas(SeedLog(), password=password_hash())
        teams = self._teams(people["admin"])
        started = time.perf_counter()
        with transaction.atomic():
            head = Chain.locked_head()
            models = self._models(count, per_model, teams, people)
            self._events(head, models, events, people["lead"])
        elapsed = time.perf_counter() - started
        self._report(count, count * per_model, events, elapsed, head)

    def _teams(self, admin: AbstractBaseUser) -> list[Team]:
        """Created through the service (audited) when absent; a re-run reuses them."""
        teams = []
        for slug, name in SCALE_TEAMS:
            team = Team.objects.filter(slug=slug).first()
            teams.append(team or team_create(actor=admin, slug=slug, name=name))
        return teams

    def _models(
        self, count: int, per_model: int, teams: list[Team], people: dict[str, AbstractBaseUser]
    ) -> list[SeededModel]:
        # Numbering continues after earlier runs, so names stay unique.
        first = RegisteredModel.objects.filter(name__startswith=NAME_PREFIX).count()
        return list(
            insert_models(
                first=first,
                count=count,
                versions_per_model=per_model,
                teams=teams,
                owner=people["lead"],
                author=people["engineer"],
            )
        )

    def _events(
        self, head: Chain, models: list[SeededModel], count: int, actor: AbstractBaseUser
    ) -> None:
        """The story of the new rows first; metric reports fill up to the count asked."""
        story = chain(model_story(models, actor.get_username()), monitoring_story(models))
        for batch in chunks(head.events(islice(story, count), actor), BATCH):
            AuditEvent.objects.bulk_create(batch)
        head.save_head()

    def _report(self, models: int, versions: int, events: int, elapsed: float, head: Chain) -> None:
        history, elapsed = models + versions, max(elapsed, 1e-9)
        rows = 2 * history + events
        self.stdout.write(
            f"Seeded {models:,} models, {versions:,} versions, their {history:,} history rows "
            f"and {events:,} audit events in {elapsed:.1f} s: {rows / elapsed:,.0f} rows/s, "
            f"{events / elapsed:,.0f} events/s. Audit chain head: #{head.sequence} "
            f"{head.hash[:16]}..."
        )
