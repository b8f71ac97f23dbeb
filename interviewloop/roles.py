"""Roles are Django groups (created by a migration); admins are staff users."""

from __future__ import annotations

from typing import Any

INTERVIEWERS = "interviewers"
RECRUITERS = "recruiters"
ROLE_GROUPS = (INTERVIEWERS, RECRUITERS)


def role_names(user: Any) -> frozenset[str]:
    """The user's groups, read once per user object (a request reuses it)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_interviewloop_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._interviewloop_roles = cached
    return cached


def is_recruiter(user: Any) -> bool:
    return RECRUITERS in role_names(user)


def is_interviewer(user: Any) -> bool:
    return INTERVIEWERS in role_names(user)


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)
