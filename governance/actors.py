"""Who acts: a person (a User) or a scheduled task (a SystemActor)."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser


@dataclass(frozen=True)
class SystemActor:
    """A task acting on its own, recorded in the audit trail as ``system:<task>``."""

    task: str

    def __str__(self) -> str:
        return f"system:{self.task}"


Actor = AbstractBaseUser | SystemActor

RETIREMENT = SystemActor("retirement")
SEED = SystemActor("seed")


def actor_label(actor: Actor) -> str:
    return str(actor) if isinstance(actor, SystemActor) else actor.get_username()


def actor_user(actor: Actor) -> AbstractBaseUser | None:
    return None if isinstance(actor, SystemActor) else actor
