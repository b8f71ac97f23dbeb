"""API tokens (django-rest-knox): stored as a hash, expiring after API_TOKEN_TTL_HOURS, revocable by their owner.

`ApiToken` is knox's token model (KNOX_TOKEN_MODEL), with one addition: reading a token also reads whether its
user is in each role group, so authenticating an API call (`interviewloop.api.authentication`) is one query
for the token, its user and the user's roles, and no permission check asks again.

The secret is shown once, when the token is issued; only its SHA-512 digest and its first characters (knox's
lookup key) are stored, so neither a database dump nor an admin page gives a working token.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from knox.models import AbstractAuthToken, AuthTokenManager, get_digest_token
from knox.settings import CONSTANTS, knox_settings

from interviewloop.roles import ROLE_GROUPS


def role_flag(role: str) -> str:
    """The name of the annotation saying whether the token's user is in the role group `role`."""
    return f"user_in_{role}"


class ApiTokenManager(AuthTokenManager):
    def get_queryset(self) -> models.QuerySet[Any]:
        memberships = get_user_model().groups.through.objects
        return (
            super()
            .get_queryset()
            .annotate(
                **{
                    role_flag(role): Exists(memberships.filter(user_id=OuterRef("user_id"), group__name=role))
                    for role in ROLE_GROUPS
                }
            )
        )


class ApiToken(AbstractAuthToken):
    """An API token: `Authorization: Token <secret>`. Deleting the row revokes it."""

    objects = ApiTokenManager()

    class Meta:
        verbose_name = "API token"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"API token of {self.user} from {self.created:%Y-%m-%d %H:%M}"

    def roles(self) -> frozenset[str]:
        """The user's role groups, as read with the token (see ApiTokenManager)."""
        return frozenset(role for role in ROLE_GROUPS if getattr(self, role_flag(role), False))

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
