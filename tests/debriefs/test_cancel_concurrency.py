"""Cancelling an interview and the recruiter's decision landing together: both take the loop's row lock first, so
one goes first and the other sees what it did. A cancel never lands on a loop already closed.

Real parallel HTTP requests on PostgreSQL, many rounds each (the pattern of test_decision_concurrency.py). Without
the loop lock in `interview_cancel` the cancel-against-no-hire race cancelled an interview of an already closed loop.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from debriefs.aggregation import decide
from debriefs.services import loop_panel, loop_recompute_decision
from interviewloop.models import Interview
from tests.debriefs.reminder_fixtures import ensure_role_groups
from tests.debriefs.test_decision_concurrency import answer, as_user, interview_in, race
from tests.factories import InterviewFactory, LoopFactory, PositionFactory, UserFactory, make_scorecard

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 24


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers on one lock and has no SELECT ... FOR UPDATE; run on PostgreSQL")
    ensure_role_groups()


def upcoming_in(loop, username: str) -> Interview:
    start = timezone.now() + timedelta(days=1)
    return InterviewFactory(
        loop=loop,
        interviewer=UserFactory(username=username, role="interviewer"),
        scheduled_start=start,
        scheduled_end=start + timedelta(hours=1),
    )


def race_cancel_and_decision(recruiter, loop, interview, decision: str):
    client_a, client_b = as_user(recruiter), as_user(recruiter)

    def cancel():
        return answer(
            client_a.post(f"/api/interviews/{interview.pk}/cancel/", {"reason": "Not needed."}, format="json")
        )

    def decide_now():
        return answer(client_b.post(f"/api/loops/{loop.pk}/decision/", {"decision": decision}, format="json"))

    return race(cancel, decide_now)


def test_a_cancel_and_record_hire_go_one_after_the_other(rubric, recruiter):
    outcomes = []
    for n in range(ROUNDS):
        # given: alice's Yes is in, erin's interview is tomorrow: pending
        loop = LoopFactory(recruiter=recruiter, position=PositionFactory(rubric=rubric))
        make_scorecard(interview_in(loop, f"alice{n}"), vote="yes")
        erin = upcoming_in(loop, f"erin{n}")
        loop_recompute_decision(loop=loop)

        # when: the recruiter cancels erin's interview and, in another tab, records Hire
        cancelled, hired = race_cancel_and_decision(recruiter, loop, erin, "hire")

        # then: the cancel went first (and the hire saw the panel without erin), or the hire did (and was refused)
        outcomes.append((cancelled, hired))
        assert (cancelled, hired) in [((200, None), (200, None)), ((200, None), (409, "decision_pending"))]
        loop.refresh_from_db()
        erin.refresh_from_db()
        assert loop.decision == decide(loop_panel(loop)).decision == "hire"
        if hired == (200, None):
            assert erin.cancelled_at is not None and loop.outcome_at is not None
            assert erin.cancelled_at <= loop.outcome_at
    print("cancel/hire outcomes:", {o: outcomes.count(o) for o in set(outcomes)})


def test_a_cancel_never_lands_on_a_loop_closed_meanwhile(rubric, recruiter):
    outcomes = []
    for n in range(ROUNDS):
        # given: bob said No; erin's interview is tomorrow
        loop = LoopFactory(recruiter=recruiter, position=PositionFactory(rubric=rubric))
        make_scorecard(interview_in(loop, f"bob{n}"), vote="no")
        erin = upcoming_in(loop, f"erin{n}")
        loop_recompute_decision(loop=loop)

        # when: the recruiter cancels erin's interview while recording No hire
        cancelled, closed = race_cancel_and_decision(recruiter, loop, erin, "no_hire")

        # then: either the cancel went first, or it was refused on the closed loop: never a cancel after the close
        outcomes.append((cancelled, closed))
        assert closed == (200, None)
        assert cancelled in [(200, None), (409, "loop_closed")]
        loop.refresh_from_db()
        erin.refresh_from_db()
        if cancelled == (200, None):
            assert erin.cancelled_at is not None and erin.cancelled_at <= loop.outcome_at
        else:
            assert erin.cancelled_at is None and erin.counts_toward_decision
    print("cancel/no_hire outcomes:", {o: outcomes.count(o) for o in set(outcomes)})
