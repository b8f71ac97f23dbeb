"""API tokens (django-rest-knox): stored as a hash, expiring after API_TOKEN_TTL_HOURS, revocable by their owner.

`ApiToken` is knox's token model (KNOX_TOKEN_MODEL). Authenticating an API call (`interviewloop.api.authentication`)
reads the token with its user in one query; the user's roles are read once per request, when a check first asks
(`interviewloop.roles.role_names`).

The secret is shown once, when the token is issued; only its SHA-512 digest and its first characters (knox's
lookup key) are stored, so neither a database dump nor an admin page gives a working token.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from knox.models import AbstractAuthToken, get_digest_token
from knox.settings import CONSTANTS, knox_settings


class ApiToken(AbstractAuthToken):
    """An API token: `Authorization: Token <secret>`. Deleting the row revokes it."""

    class Meta:
        verbose_name = "API token"
        # No default ordering: every API call looks its token up, and an ORDER BY there is work for nothing (admin
        # lists them newest first itself).

    def __str__(self) -> str:
        return f"API token of {self.user} from {self.created:%Y-%m-%d %H:%M}"

    @property
    def expired(self) -> bool:
        return self.expiry is not None and self.expiry < timezone.now()


@transaction.atomic
def api_tokens_issue(*, users: Iterable[Any]) -> dict[int, str]:
    """One new token per user, with the configured expiry, in one insert: user id -> the secret (shown once)."""
    expiry = timezone.now() + knox_settings.TOKEN_TTL
    secrets: dict[int, str] = {}
    rows = []
    for user in users:
        digest, secret = get_digest_token()
        secrets[user.pk] = secret
        rows.append(ApiToken(digest=digest, token_key=secret[: CONSTANTS.TOKEN_KEY_LENGTH], user=user, expiry=expiry))
    ApiToken.objects.bulk_create(rows)
    return secrets


def api_tokens_sweep_expired(*, user: Any) -> int:
    """Delete the user's expired tokens; returns how many. Run at each sign-in (knox would on every request)."""
    deleted, _ = ApiToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return deleted
