"""Sign-in throttles: per client address, trusting only TRUSTED_PROXY_COUNT proxies; open while the cache is down.

The client address is DRF's (`BaseThrottle.get_ident`): `REMOTE_ADDR`, or, behind N trusted proxies
(`REST_FRAMEWORK["NUM_PROXIES"]`, set from TRUSTED_PROXY_COUNT), the address the N-th proxy from us wrote into
`X-Forwarded-For`. What a client writes into that header itself is never its address. django-axes asks the
same function (`AXES_CLIENT_IP_CALLABLE`), so a lockout and a throttle always name the same client.

Throttle counts live in the cache (Redis in production). A cache outage must not take sign-in down: the
throttles then let the request through and log a warning. The per-account lockout (django-axes) lives in the
database and keeps working.
"""

from __future__ import annotations

import logging
from typing import Any

from rest_framework.throttling import BaseThrottle, ScopedRateThrottle, SimpleRateThrottle

logger = logging.getLogger(__name__)


def client_ip(request: Any) -> str | None:
    """The client's address, as every throttle and django-axes see it (see the module docstring)."""
    return BaseThrottle().get_ident(request)


class FailOpenThrottleMixin:
    """A cache-backed throttle that lets the request through, with a warning, when the cache cannot be reached."""

    scope: str | None

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)  # type: ignore[misc]
        except Exception:  # any cache backend's outage: redis-py, pymemcache... each raise their own errors
            logger.warning(
                "sign-in throttle %r: the cache is unavailable, so the request is let through unthrottled",
                getattr(self, "scope", None) or getattr(view, "throttle_scope", None),
                exc_info=True,
            )
            return True


class TokenRateThrottle(FailOpenThrottleMixin, ScopedRateThrottle):
    """The token endpoint's `token` rate (TOKEN_THROTTLE_RATE), per client address (per user once signed in)."""


class LoginRateThrottle(FailOpenThrottleMixin, SimpleRateThrottle):
    """The sign-in form's `login` rate (LOGIN_THROTTLE_RATE), per client address whoever it signs in as."""

    scope = "login"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
