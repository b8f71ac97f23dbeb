"""Roles are Django groups (created by a migration); admins are staff users."""

from __future__ import annotations

from typing import Any

from django.db import connection

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
        cached = frozenset(name for name in _group_names(user.pk) if name in ROLE_GROUPS)
        user._interviewloop_roles = cached
    return cached


# The tables of django.contrib.auth's Group and User.groups (this project uses Django's own user model).
GROUP_NAMES_SQL = "SELECT g.name FROM auth_group g JOIN auth_user_groups m ON m.group_id = g.id WHERE m.user_id = %s"


def _group_names(user_id: int) -> list[str]:
    """The names of the user's groups, in SQL: every API call asks, and Django takes 0.30 ms of CPU to build the
    same query as `Group.objects.filter(user=user_id)` against 0.06 ms for this (in-process on the bench database,
    1,000 calls each); `make bench`, with the debrief read's two queries done the same way: see that commit."""
    with connection.cursor() as cursor:
        cursor.execute(GROUP_NAMES_SQL, [user_id])
        return [name for (name,) in cursor.fetchall()]


def is_recruiter(user: Any) -> bool:
    return RECRUITERS in role_names(user)


def is_interviewer(user: Any) -> bool:
    return INTERVIEWERS in role_names(user)


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)
