import time

from django.core.management.base import BaseCommand, CommandError

from governance.audit import verify_chain


class Command(BaseCommand):
    help = "Walk the audit chain; exit 0 with the count and head hash, or fail naming the first "
    "broken sequence number."

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        report = verify_chain()
        elapsed = time.perf_counter() - started
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at sequence {report.broken_at}: {report.problem} "
                f"({report.count} events verified before it)."
            )
        self.stdout.write(
            f"Audit chain intact: {report.count} events, head {report.head_hash} ({elapsed:.2f} s)."
        )
