"""Login throttling on django-axes' extension points: AXES_FAILURE_LIMIT failures for a username
or TUTELA_ADDRESS_FAILURE_LIMIT from an address lock sign-in for the cool-off time, and every
locked-out attempt gets the same page whether the username exists or not."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _limits() -> dict[str, int]:
    return {
        "username": settings.AXES_FAILURE_LIMIT,
        "ip_address": settings.TUTELA_ADDRESS_FAILURE_LIMIT,
    }


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with one limit per lockout parameter instead of one for all."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # Axes locks when this number reaches AXES_FAILURE_LIMIT (in is_locked and after each
        # failure). Report the failures of the count nearest its own limit on that scale, so
        # the username locks at 5 and the address at 20. get_user_attempts returns one
        # queryset per lockout parameter, in the order of AXES_LOCKOUT_PARAMETERS.
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        limits = _limits()
        remaining = min(
            limits[parameter] - (rows.aggregate(n=Sum("failures_since_start"))["n"] or 0)
            for parameter, rows in zip(parameters, attempts, strict=True)
        )
        return settings.AXES_FAILURE_LIMIT - remaining

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # A success clears the username's failures only. Axes' default also clears the
        # address's, so one valid account would let an address reset its own count and go on
        # guessing other usernames without limit.
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def client_ip(request: HttpRequest) -> str | None:
    """The address failures count against. Behind TRUSTED_PROXY_COUNT proxies it is the entry
    the outermost trusted proxy added to X-Forwarded-For: entries left of it come from the
    client and could be forged to dodge the limit; REMOTE_ADDR would be the proxy itself and
    lock everyone out together."""
    proxies = settings.TUTELA_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if proxies and len(hops) >= proxies:
        return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """One page for every locked-out attempt: it names no username and does not say whether
    the username or the address is locked, so it tells nothing about which accounts exist."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds())
    response = render(
        request, "registration/locked_out.html", {"minutes": seconds // 60}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response
