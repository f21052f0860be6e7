from argparse import ArgumentParser
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from governance.actors import SystemActor
from governance.exceptions import REFUSALS, refusal_message
from governance.services.api_tokens import api_token_create

# Whoever runs manage.py has the server's own access; the audit trail records the command.
CLI = SystemActor("cli")


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME and print it once. Only the token goes to stdout "
        "(capture it with $(...)); messages go to stderr."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What will use the token.")
        parser.add_argument(
            "--expires-days",
            type=int,
            default=None,
            help="Days until the token expires (default: it never expires).",
        )

    def handle(self, *args: object, username: str, name: str, **options: object) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named '{username}'.")
        try:
            token, secret = api_token_create(
                actor=CLI,
                user_id=user.pk,
                name=name,
                expires_at=_expiry(options["expires_days"]),
            )
        except REFUSALS as error:
            raise CommandError(
                f"No token created for '{username}': {refusal_message(error)}"
            ) from error
        expires = token.expires_at
        expiry = f"expires {expires.isoformat(timespec='minutes')}" if expires else "no expiry"
        self.stderr.write(
            f"Created the token '{token.name}' ({token.hint}…, {expiry}) for {username}. "
            "It is printed once and not stored: keep it now."
        )
        self.stdout.write(secret)


def _expiry(days: int | None) -> datetime | None:
    if days is None:
        return None
    if days < 1:
        raise CommandError("--expires-days must be at least 1.")
    return timezone.now() + timedelta(days=days)
