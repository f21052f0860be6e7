"""Per-token throttling: each token (or signed-in session) has its own budget per window.

A fixed-window counter (one cache increment per request) rather than DRF's sliding log,
which stores and rewrites every request's timestamp: at pipeline rates that list is
thousands of entries long and rewriting it cost more than the request itself."""

import time

from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from governance.models import ApiToken


class PerTokenThrottle(BaseThrottle):
    scope = "token"

    def __init__(self) -> None:
        # Read per request (not at import, as DRF's class attribute is), so the rate follows
        # the settings, including override_settings in tests.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        self.limit, self.window = SimpleRateThrottle.parse_rate(None, rate)
        self.remaining_seconds = 0.0

    def _ident(self, request: Request) -> str:
        if isinstance(request.auth, ApiToken):
            # The digest, not the id: ids are reused (SQLite after a rollback, a restored
            # database) and a new token must not inherit an old one's count.
            return f"token-{request.auth.digest[:32]}"
        if request.user and request.user.is_authenticated:
            return f"user-{request.user.pk}"
        return f"address-{self.get_ident(request)}"

    def allow_request(self, request: Request, view: object) -> bool:
        if self.limit is None:
            return True
        now = time.time()
        window_start = int(now // self.window)
        key = f"throttle:{self.scope}:{self._ident(request)}:{window_start}"
        # add() creates the counter with the window's lifetime; incr() is atomic on Redis.
        cache.add(key, 0, timeout=self.window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.window + 1)
            count = 1
        self.remaining_seconds = (window_start + 1) * self.window - now
        return count <= self.limit

    def wait(self) -> float:
        return self.remaining_seconds
