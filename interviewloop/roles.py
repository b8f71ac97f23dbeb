"""Roles are Django groups (created by a migration); admins are staff users."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group

INTERVIEWERS = "interviewers"
RECRUITERS = "recruiters"
ROLE_GROUPS = (INTERVIEWERS, RECRUITERS)


def role_names(user: Any) -> frozenset[str]:
    """The user's role groups (of ROLE_GROUPS), read once per user object (a request reuses it).

    One query, the first time a check asks of a request's user (a session's or a token's).
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_interviewloop_roles", None)
    if cached is None:
        # All the user's groups, the roles picked here: a filter on the names costs Django more to build than the
        # few rows it saves.
        groups = Group.objects.filter(user=user.pk).values_list("name", flat=True)
        cached = frozenset(name for name in groups if name in ROLE_GROUPS)
        remember_roles(user, cached)
    return cached


def remember_roles(user: Any, roles: frozenset[str]) -> None:
    """Record what `role_names(user)` answers for this user object."""
    user._interviewloop_roles = roles


def is_recruiter(user: Any) -> bool:
    return RECRUITERS in role_names(user)


def is_interviewer(user: Any) -> bool:
    return INTERVIEWERS in role_names(user)


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)
