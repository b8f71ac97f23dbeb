"""Single sign-on with OpenID Connect (mozilla-django-oidc), and the switch that turns password sign-in off.

With `OIDC_RP_CLIENT_ID` set the login page offers "Sign in with <OIDC_PROVIDER_NAME>": the authorization code flow
(with PKCE and a nonce) runs through `/oidc/authenticate/` and `/oidc/callback/`; the ID token's signature is
checked against the provider's keys and its audience against our client id; the claims come from the userinfo
endpoint. A user is matched by a VERIFIED email only (`sso_rules.email_is_verified`); an unknown one is refused
unless `OIDC_CREATE_USER` is on. Each sign-in sets the roles `OIDC_*_GROUPS` map from the `OIDC_GROUPS_CLAIM` claim
(`sso_rules.roles_from_groups`). A refusal goes back to the login page with a sentence saying why.

Settings are read when a request comes, not at import, so tests can point them at a provider they start.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from interviewloop.roles import INTERVIEWERS, RECRUITERS
from interviewloop.sso_rules import (
    INTERVIEWER,
    RECRUITER,
    STAFF,
    RoleMapping,
    claimed_email,
    claimed_groups,
    email_is_verified,
    roles_from_groups,
    username_candidates,
)

logger = logging.getLogger(__name__)

# Where the backend leaves why it refused a sign-in, for the callback view to tell the user.
REFUSAL_ATTRIBUTE = "sso_refusal"

REFUSALS = {
    "no_email": "{provider} did not send an email address, so we cannot tell who you are here.",
    "email_unverified": (
        "{provider} has not verified the email address {email}, so it cannot sign you in here. "
        "Verify it with {provider}, then try again."
    ),
    "unknown_user": "No interviewloop account has the email address {email}. Ask an admin to add you, then try again.",
    "ambiguous_email": "More than one interviewloop account has the email address {email}. Ask an admin to fix it.",
    "inactive": "The interviewloop account for {email} is deactivated. Ask an admin if that is a mistake.",
    "failed": "Signing in with {provider} did not complete. Try again.",
}

ROLE_GROUP = {INTERVIEWER: INTERVIEWERS, RECRUITER: RECRUITERS}


def sso_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def provider_name() -> str:
    return settings.OIDC_PROVIDER_NAME


def role_mapping() -> RoleMapping:
    return RoleMapping(
        interviewer=frozenset(settings.OIDC_INTERVIEWER_GROUPS),
        recruiter=frozenset(settings.OIDC_RECRUITER_GROUPS),
        staff=frozenset(settings.OIDC_STAFF_GROUPS),
    )


def refusal_message(reason: str, *, email: str = "") -> str:
    return REFUSALS.get(reason, REFUSALS["failed"]).format(provider=provider_name(), email=email or "(none)")


class PasswordLoginSwitch:
    """With PASSWORD_LOGIN_ENABLED off, refuses every username-and-password sign-in (the form, the admin's, the
    token endpoint): raising PermissionDenied stops Django's `authenticate` before ModelBackend is asked.

    Only `authenticate`: no `get_user`, so `force_login` and sessions never name this backend, and no permission
    methods, so Django asks the others about permissions."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if password is not None and not settings.PASSWORD_LOGIN_ENABLED:
            raise PermissionDenied("Password sign-in is turned off: sign in with single sign-on.")
        return None


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching by verified email and setting roles from the groups claim.

    Inert while SSO is not configured (mozilla's constructor would refuse to start without the endpoints).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()
        self.enabled = sso_enabled()
        if self.enabled:
            super().__init__(*args, **kwargs)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        # Only the callback view authenticates through here; it always passes the nonce it kept. Without this a
        # password form posted to a URL carrying ?code=&state= would start a token exchange.
        if not self.enabled or request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        payload = super().verify_token(token, **kwargs)
        # mozilla-django-oidc checks the signature and the nonce, not the audience (OIDC Core 3.1.3.7 asks for it).
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued to another client.")
        return payload

    def refuse(self, reason: str, email: str = "") -> None:
        setattr(self.request, REFUSAL_ATTRIBUTE, (reason, email))
        logger.info("sso: refused a sign-in (%s) for %s", reason, email or "no email")
        return None

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            # OIDC Core 5.3.2: userinfo about anyone but the ID token's subject must not be used.
            raise SuspiciousOperation("The userinfo's subject is not the ID token's.")
        email = claimed_email(claims)
        if email is None:
            return self.refuse("no_email")
        if not email_is_verified(claims):
            return self.refuse("email_unverified", email)
        users = list(self.UserModel.objects.filter(email__iexact=email).order_by("pk")[:2])
        if len(users) > 1:
            return self.refuse("ambiguous_email", email)
        with transaction.atomic():
            if users:
                user = users[0]
                if not user.is_active:
                    return self.refuse("inactive", email)
            elif settings.OIDC_CREATE_USER:
                user = self.create_user_from(claims, email)
            else:
                return self.refuse("unknown_user", email)
            self.apply_roles(user, claims)
        return user

    def create_user_from(self, claims: dict[str, Any], email: str) -> Any:
        candidates = username_candidates(claims, email)
        taken = set(self.UserModel.objects.filter(username__in=candidates).values_list("username", flat=True))
        username = next((name for name in candidates if name not in taken), None)
        if username is None:
            stem = email[:140]
            number = 2
            while self.UserModel.objects.filter(username=f"{stem}-{number}").exists():
                number += 1
            username = f"{stem}-{number}"
        user = self.UserModel(
            username=username,
            email=email,
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
        )
        user.set_unusable_password()  # signs in through the provider only
        user.save()
        logger.info("sso: created user %s for %s", username, email)
        return user

    def apply_roles(self, user: Any, claims: dict[str, Any]) -> None:
        held = roles_from_groups(claimed_groups(claims, settings.OIDC_GROUPS_CLAIM), role_mapping())
        if STAFF in held and user.is_staff != held[STAFF]:
            user.is_staff = held[STAFF]
            user.save(update_fields=["is_staff"])
        for role, group_name in ROLE_GROUP.items():
            if role not in held:
                continue
            group, _ = Group.objects.get_or_create(name=group_name)  # the migration made it; a flushed test db not
            if held[role]:
                user.groups.add(group)
            else:
                user.groups.remove(group)


authentication_request = OIDCAuthenticationRequestView.as_view()


def start(request: HttpRequest) -> HttpResponse:
    """`GET /oidc/authenticate/?next=`: off to the provider's authorization endpoint (404 while SSO is off)."""
    if not sso_enabled():
        raise Http404("Single sign-on is not configured.")
    return authentication_request(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """`GET /oidc/callback/`: the provider sends the browser back here with a code; signs in or says why not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError, ValueError) as problem:
            # A stale or forged state, a token that does not verify, a provider that is down or answers nonsense.
            logger.warning("sso: sign-in failed: %s", problem)
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        reason, email = getattr(self.request, REFUSAL_ATTRIBUTE, ("failed", ""))
        messages.error(self.request, refusal_message(reason, email=email))
        return redirect("login")
