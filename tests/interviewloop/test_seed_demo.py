"""`make run`'s demo data: the people, a loop of three interviews (one ended, one live), their reminders."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from debriefs.models import Reminder
from interviewloop.models import Interview, Loop
from interviewloop.roles import is_interviewer, is_recruiter

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_demo_loop_through_the_services(capsys):
    call_command("seed_demo")

    users = {user.username: user for user in get_user_model().objects.all()}
    assert set(users) == {"rita", "ivan", "iris", "igor", "admin"}
    assert is_recruiter(users["rita"]) and users["admin"].is_staff
    assert all(is_interviewer(users[name]) for name in ("ivan", "iris", "igor"))
    assert users["ivan"].check_password("interviewloop-demo")

    loop = Loop.objects.get()
    interviews = {i.interviewer.username: i for i in Interview.objects.filter(loop=loop)}
    assert interviews["ivan"].ended_at is not None
    assert interviews["iris"].ended_at is None and interviews["iris"].scheduled_start < interviews["iris"].scheduled_end
    assert interviews["igor"].ended_at is None
    # Written by the services in the same transaction: ivan's note reminders, the meeting reminders.
    kinds = set(Reminder.objects.values_list("kind", "recipient__username"))
    assert {("note_now", "ivan"), ("note_overdue", "ivan"), ("debrief_meeting", "rita")} <= kinds

    printed = capsys.readouterr().out
    assert "interviewloop-demo" in printed and "rita" in printed and "/api/health/" in printed


def test_seed_demo_twice_keeps_one_loop():
    call_command("seed_demo")
    call_command("seed_demo")
    assert Loop.objects.count() == 1
    assert Interview.objects.count() == 3
