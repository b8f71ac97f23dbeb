"""`Authorization: Token <token>`: django-rest-knox's authentication, in one query.

knox finds the token by its lookup key with its user (`select_related`) and compares the SHA-512 digest. The user's
roles are read when a check first asks (`interviewloop.roles.role_names`, one simple query): reading them with
the token, as two EXISTS annotations, cost more to build than the second query does to run.

One thing is changed from knox: on every request knox also reads all of the user's other tokens to delete
the expired ones, a second query per API call. Here a request checks only its own token (an expired one is
deleted and refused, as knox does) and the user's other expired tokens are swept when they sign in.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox import auth
from knox.signals import token_expired

from interviewloop.tokens import ApiToken


class TokenAuthentication(auth.TokenAuthentication):
    """knox's token authentication; one query per call (the token and its user)."""

    def _cleanup_token(self, auth_token: ApiToken) -> bool:
        """knox's hook: True when `auth_token` has expired (then deleted). Only this token is read (see above)."""
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")
        return True


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's `Authorization: Token <token>` security scheme, for this authentication."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
