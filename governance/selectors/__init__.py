"""User-scoped reads (STYLE.md, Selectors). This module answers "what may this person see";
the page-specific selectors live next to it, one module per area, built on these.

A person sees everything with a global role, read-only access (the auditors group's
model-level view permission) or superuser status; otherwise the models of the teams where
they hold a role and the models they hold a role on. Not visible means 404.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from governance.models import (
    ApprovalRequest,
    AuditEvent,
    Deployment,
    ModelVersion,
    RegisteredModel,
    RetirementAlert,
)
from governance.roles import global_roles, has_read_access, role_map

User = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class Visibility:
    """What a person may see: everything, or these teams' and models' objects."""

    everything: bool
    team_ids: frozenset[int] = frozenset()
    model_ids: frozenset[int] = frozenset()

    def model_filter(self, prefix: str = "") -> Q:
        """A filter on RegisteredModel (prefix "") or on rows reaching it ("version__model__")."""
        if self.everything:
            return Q()
        in_teams = Q(**{f"{prefix}team_id__in": self.team_ids})
        return in_teams | Q(**{f"{prefix}pk__in": self.model_ids})


def visibility(user: User) -> Visibility:
    """Computed once per request (cached on the user object) from the person's access,
    which is one query (governance.roles.access)."""
    cached = getattr(user, "_tutela_visibility", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        result = Visibility(everything=False)
    elif user.is_superuser or global_roles(user) or has_read_access(user):
        result = Visibility(everything=True)
    else:
        result = _scoped_visibility(user)
    user._tutela_visibility = result
    return result


def _scoped_visibility(user: AbstractBaseUser) -> Visibility:
    # The role map is cached for the request: the header and role checks reuse its query.
    roles = role_map(user)
    return Visibility(
        everything=False, team_ids=frozenset(roles.by_team), model_ids=frozenset(roles.by_model)
    )


def _visible(queryset: QuerySet, user: User, prefix: str) -> QuerySet:
    scope = visibility(user)
    if scope.everything:
        return queryset
    if not (scope.team_ids or scope.model_ids):
        return queryset.none()
    return queryset.filter(scope.model_filter(prefix))


def models_visible_to(user: User) -> QuerySet[RegisteredModel]:
    return _visible(RegisteredModel.objects.all(), user, "")


def versions_visible_to(user: User) -> QuerySet[ModelVersion]:
    return _visible(ModelVersion.objects.all(), user, "model__")


def requests_visible_to(user: User) -> QuerySet[ApprovalRequest]:
    return _visible(ApprovalRequest.objects.all(), user, "version__model__")


def audit_events_visible_to(user: User) -> QuerySet[AuditEvent]:
    """Global viewers see every event (role grants, teams); others their models' events."""
    return _visible(AuditEvent.objects.all(), user, "model__")


def alerts_visible_to(user: User) -> QuerySet[RetirementAlert]:
    return _visible(RetirementAlert.objects.all(), user, "version__model__")


def deployments_visible_to(user: User) -> QuerySet[Deployment]:
    return _visible(Deployment.objects.all(), user, "version__model__")


def model_get_for(*, user: User, name: str) -> RegisteredModel:
    model = models_visible_to(user).select_related("team", "owner").filter(name=name).first()
    if model is None:
        raise Http404("No such model, or you may not see it.")
    return model


def version_get_for(*, user: User, name: str, version: str) -> ModelVersion:
    found = (
        versions_visible_to(user)
        .select_related("model__team", "model__owner", "created_by")
        .filter(model__name=name, version=version)
        .first()
    )
    if found is None:
        raise Http404("No such version, or you may not see it.")
    return found


def model_id_for(*, user: User, name: str) -> int:
    """The id of a model the person may see (404 otherwise): for reads and writes that
    only need to know which model, not its team or owner."""
    found = models_visible_to(user).filter(name=name).values_list("pk", flat=True).first()
    if found is None:
        raise Http404("No such model, or you may not see it.")
    return found


def version_locate_for(*, user: User, name: str, version: str) -> ModelVersion:
    """The version with its model only, for a write: its service locks and reloads what it
    changes, so joining the team and the people here would be read and thrown away."""
    found = (
        versions_visible_to(user)
        .select_related("model")
        .filter(model__name=name, version=version)
        .first()
    )
    if found is None:
        raise Http404("No such version, or you may not see it.")
    return found


def request_require_visible(*, user: User, pk: int) -> None:
    """404 unless the person may see the request: the check before a write on it, whose
    service loads and locks the request itself (403 is the policy's answer, after this)."""
    if not requests_visible_to(user).filter(pk=pk).exists():
        raise Http404("No such request, or you may not see it.")


@contextmanager
def request_visible_on_refusal(*, user: User, pk: int) -> Iterator[None]:
    """Around reading the body of a write on request pk and calling its service: whom the
    policy allows may see the request (both read the same roles), so visibility is checked
    only when the write is refused. Any refusal (bad body, policy, conflict) of a request
    the person may not see then becomes its 404, never a 400, 403 or 409 that would tell
    that it exists. One query less per decision."""
    try:
        yield
    except Exception:
        request_require_visible(user=user, pk=pk)
        raise


def request_get_for(*, user: User, pk: int) -> ApprovalRequest:
    found = (
        requests_visible_to(user)
        .select_related("version__model__team", "version__model__owner", "requester")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such request, or you may not see it.")
    return found
