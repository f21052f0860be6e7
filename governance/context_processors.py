"""What every page's header shows: who is signed in and the roles they hold."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from governance.roles import held_roles_summary


def signed_in(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that do not show the header (the admin portal) pay no query for it.
    return {"header_roles": SimpleLazyObject(lambda: held_roles_summary(user))}
