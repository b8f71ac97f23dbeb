"""Token authentication in one query: the token, its user and the user's roles.

DRF's TokenAuthentication reads the token with its user, and the permission checks then read the user's
groups: two queries on every API call. This reads both at once, with SQL compiled once per process
(`interviewloop.compiled`), and hands the roles to `interviewloop.roles` so no later check asks again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from interviewloop.compiled import CompiledQuery
from interviewloop.roles import ROLE_GROUPS, remember_roles

User = get_user_model()
_USER_FIELDS = tuple(field.attname for field in User._meta.concrete_fields)
_TOKEN_FIELDS = ("key", "user_id", "created")


def _token_user_and_roles(key: str) -> Any:
    memberships = User.groups.through.objects
    return (
        Token.objects.filter(key=key)
        .annotate(
            **{
                f"role_{number}": Exists(memberships.filter(user_id=OuterRef("user_id"), group__name=role))
                for number, role in enumerate(ROLE_GROUPS)
            }
        )
        .values_list(
            *_TOKEN_FIELDS,
            *(f"user__{name}" for name in _USER_FIELDS),
            *(f"role_{number}" for number in range(len(ROLE_GROUPS))),
        )
    )


_TOKEN_USER_AND_ROLES = CompiledQuery(_token_user_and_roles)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's `Authorization: Token <key>`, same answers, one query."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        rows = _TOKEN_USER_AND_ROLES(key=key)
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        row = rows[0]
        token_values = row[: len(_TOKEN_FIELDS)]
        user_values = row[len(_TOKEN_FIELDS) : len(_TOKEN_FIELDS) + len(_USER_FIELDS)]
        roles = row[len(_TOKEN_FIELDS) + len(_USER_FIELDS) :]
        user = User.from_db(DEFAULT_DB_ALIAS, _USER_FIELDS, user_values)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token.from_db(DEFAULT_DB_ALIAS, _TOKEN_FIELDS, token_values)
        token.user = user
        remember_roles(user, frozenset(role for role, member in zip(ROLE_GROUPS, roles, strict=True) if member))
        return user, token
