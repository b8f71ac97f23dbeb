"""Panels of every shape for the debrief tests: a loop, its interviews, notes and scorecards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from debriefs.services import loop_recompute_decision
from tests.factories import InterviewFactory, LoopFactory, NoteFactory, PositionFactory, UserFactory, make_scorecard


def add_interview(
    loop,
    username: str,
    *,
    vote: str | None = "yes",
    submitted: bool = True,
    counts: bool = True,
    note_vote: str | None = None,
    note_late: bool = False,
    ended: bool = True,
    scores=4,
    red_flags: tuple[str, ...] = (),
    start=None,
):
    """One interviewer's session in `loop`: ended an hour ago unless `ended=False`; a note when `note_vote` is
    given (late by ten minutes when `note_late`); a scorecard when `vote` is given (submitted unless told)."""
    interviewer = UserFactory(username=username, role="interviewer")
    start = start or timezone.now() - timedelta(hours=2)
    interview = InterviewFactory(
        loop=loop,
        interviewer=interviewer,
        scheduled_start=start,
        scheduled_end=start + timedelta(hours=1),
        ended_at=start + timedelta(hours=1) if ended else None,
        counts_toward_decision=counts,
    )
    if note_vote is not None:
        due = interview.note_due_at
        NoteFactory(
            interview=interview,
            vote=note_vote,
            due_at=due,
            submitted_at=due + timedelta(minutes=10) if note_late else due - timedelta(minutes=2),
            best_thing=f"{username}: asked who the users are.",
            biggest_concern=f"{username}: vague on rollback.",
        )
    if vote is not None:
        make_scorecard(interview, vote=vote, scores=scores, red_flags=red_flags, submitted=submitted)
    return interview


@pytest.fixture(autouse=True)
def _one_smtp_connection(settings):
    """The reminder tests here assert the order of sends and drive test time from inside the mail backend, which
    needs the sends on the test's own thread: one connection. Several at once (the default) are covered by
    test_reminders_parallel.py and by the real worker in test_worker.py."""
    settings.REMINDER_SEND_CONNECTIONS = 1


@pytest.fixture
def processes():
    """Every process a test starts (tests.debriefs.reminder_fixtures.start_worker and the like), killed (by its own
    process group) however the test ends."""
    started = []
    yield started
    for process in reversed(started):
        process.kill()


@pytest.fixture
def loop(db, rubric, recruiter):
    return LoopFactory(
        candidate__name="Jordan Rivera",
        position=PositionFactory(title="LLM Reliability Engineer", rubric=rubric),
        recruiter=recruiter,
    )


@pytest.fixture
def reminder_loop(rubric, recruiter):
    """A loop for the reminder tests (tests.debriefs.reminder_fixtures.make_loop)."""
    from tests.debriefs.reminder_fixtures import make_loop

    return make_loop(rubric, recruiter)


def recompute(loop):
    loop_recompute_decision(loop=loop)
    loop.refresh_from_db()
    return loop
