"""Roles are Django groups (created by a migration); admins are staff users."""

from __future__ import annotations

from functools import cache
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
        cached = frozenset(_group_names().filter(user=user.pk))
        user._interviewloop_roles = cached
    return cached


@cache
def _group_names() -> Any:
    """`user.groups.values_list("name", flat=True)`, built once per process (never evaluated itself): building
    the related manager and the query cost more than running it."""
    from django.contrib.auth.models import Group

    return Group.objects.values_list("name", flat=True)


def is_recruiter(user: Any) -> bool:
    return RECRUITERS in role_names(user)


def is_interviewer(user: Any) -> bool:
    return INTERVIEWERS in role_names(user)


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)
