"""`make run`'s demo data: the people, a loop of three interviews (one ended, one live), their reminders."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from debriefs.calibration_demo import CANDIDATES
from debriefs.calibration_selectors import Window, interviewer_calibration
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

    loop = Loop.objects.get(candidate__name="Jordan Rivera")  # beside it, the calibration history (below)
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
    # the demo loop, and the calibration history's past loops of three
    assert Loop.objects.count() == 1 + len(CANDIDATES)
    assert Interview.objects.count() == 3 + 3 * len(CANDIDATES)


def test_the_demo_gives_the_calibration_page_a_lenient_and_a_harsh_interviewer(capsys):
    call_command("seed_demo")
    rita = get_user_model().objects.get(username="rita")

    rows = {row["interviewer"]: row for row in interviewer_calibration(rita, Window())}

    assert set(rows) == {"ivan", "iris", "igor"}
    assert all(row["leniency_n"] >= 5 for row in rows.values())  # enough for the debrief to adjust their scores
    assert rows["ivan"]["leniency"] > 0.5 > -0.5 > rows["igor"]["leniency"]
    assert rows["ivan"]["yes_rate"] > rows["igor"]["yes_rate"]
    assert rows["igor"]["note_on_time_rate"] < rows["ivan"]["note_on_time_rate"] == 1.0
    # every past loop is closed, decided as the rule says, with the outcome recorded
    history = Loop.objects.exclude(candidate__name="Jordan Rivera")
    assert history.count() == len(CANDIDATES) and not history.exclude(status="closed").exists()
    assert "past loops show on /analytics/" in capsys.readouterr().out


def test_the_history_stays_out_of_a_database_with_real_loops():
    from tests.factories import LoopFactory

    LoopFactory()  # someone's real loop: seed_demo then adds no demo loop, and no history beside it

    call_command("seed_demo")

    assert Loop.objects.count() == 1
