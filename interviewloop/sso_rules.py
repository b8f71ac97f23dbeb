"""Single sign-on rules, on plain claim values (no Django): whose email may sign in, and which roles a provider's
groups give.

`interviewloop.sso` applies them to the claims the OpenID Connect provider's userinfo endpoint answers.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

INTERVIEWER = "interviewer"
RECRUITER = "recruiter"
STAFF = "staff"
ROLES = (INTERVIEWER, RECRUITER, STAFF)
# What Django's UnicodeUsernameValidator accepts, within its 150 characters.
USERNAME = re.compile(r"^[\w.@+-]{1,150}\Z")


def email_is_verified(claims: Mapping[str, Any]) -> bool:
    """True only when the provider vouches for the email: `email_verified` is true (OIDC Core 5.1).

    An absent, false or malformed claim is not verified: anyone may type any address into an account at many
    providers, and an unverified one would sign them in as whoever here owns it. Some providers (Amazon Cognito)
    send the boolean as the string "true"; that counts.
    """
    verified = claims.get("email_verified")
    if isinstance(verified, str):
        return verified.strip().lower() == "true"
    return verified is True


def claimed_email(claims: Mapping[str, Any]) -> str | None:
    """The claim's email, trimmed, or None when it is missing or not an address."""
    email = claims.get("email")
    if not isinstance(email, str):
        return None
    email = email.strip()
    local, at, domain = email.rpartition("@")
    return email if at and local and domain else None


def claimed_groups(claims: Mapping[str, Any], claim: str) -> frozenset[str]:
    """The provider's group names in `claim`: a list of names or one space/comma-separated string.

    An absent claim is no groups: some providers (Entra ID) leave it out when the user is in none, so a user taken
    out of every group loses the roles those groups gave.
    """
    value = claims.get(claim)
    if isinstance(value, str):
        names = value.replace(",", " ").split()
    elif isinstance(value, list | tuple):
        names = [name for name in value if isinstance(name, str)]
    else:
        names = []
    return frozenset(name.strip() for name in names if name.strip())


@dataclass(frozen=True)
class RoleMapping:
    """Which provider groups give each role. A role with no groups is not managed by sign-on: it stays as an admin
    set it (so a team can let the provider grant interviewers while admins stay local)."""

    interviewer: frozenset[str] = frozenset()
    recruiter: frozenset[str] = frozenset()
    staff: frozenset[str] = frozenset()

    def groups_for(self, role: str) -> frozenset[str]:
        return {INTERVIEWER: self.interviewer, RECRUITER: self.recruiter, STAFF: self.staff}[role]


def roles_from_groups(groups: Collection[str], mapping: RoleMapping) -> dict[str, bool]:
    """For each role sign-on manages (one with groups mapped to it): whether the user holds it after this sign-in.

    Roles not in the answer are left alone.
    """
    held = frozenset(groups)
    return {role: bool(held & mapping.groups_for(role)) for role in ROLES if mapping.groups_for(role)}


def username_candidates(claims: Mapping[str, Any], email: str) -> list[str]:
    """Usernames to try, in order, for a user sign-on creates: the provider's `preferred_username`, then the email
    (both at most 150 characters, Django's limit); the caller adds a number to the email if all are taken."""
    candidates = []
    preferred = claims.get("preferred_username")
    if isinstance(preferred, str) and USERNAME.match(preferred.strip()):
        candidates.append(preferred.strip())
    if USERNAME.match(email) and email not in candidates:
        candidates.append(email)
    return candidates
