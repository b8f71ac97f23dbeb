"""Roles are Django groups (created by a migration); admins are staff users."""

from __future__ import annotations

from functools import cache
from typing import Any

INTERVIEWERS = "interviewers"
RECRUITERS = "recruiters"
ROLE_GROUPS = (INTERVIEWERS, RECRUITERS)


def role_names(user: Any) -> frozenset[str]:
    """The user's role groups (of ROLE_GROUPS), read once per user object (a request reuses it).

    Token authentication reads them with the user (`interviewloop.api.authentication`); a session's user
    asks here, in one query.
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_interviewloop_roles", None)
    if cached is None:
        cached = frozenset(name for (name,) in _role_query()(user_id=user.pk))
        remember_roles(user, cached)
    return cached


def remember_roles(user: Any, roles: frozenset[str]) -> None:
    """Record what `role_names(user)` answers for this user object."""
    user._interviewloop_roles = roles


@cache
def _role_query() -> Any:
    from django.contrib.auth.models import Group

    from interviewloop.compiled import CompiledQuery

    return CompiledQuery(
        lambda user_id: Group.objects.filter(user=user_id, name__in=ROLE_GROUPS).order_by("name").values_list("name")
    )


def is_recruiter(user: Any) -> bool:
    return RECRUITERS in role_names(user)


def is_interviewer(user: Any) -> bool:
    return INTERVIEWERS in role_names(user)


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)
