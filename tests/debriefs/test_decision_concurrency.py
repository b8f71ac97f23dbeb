"""A vote (submitted, amended, or made to count in admin) and the recruiter's decision landing together: they go
one after the other on the loop's row lock, so a loop never closes as `hire` with a counting No on record.

Real parallel HTTP requests on PostgreSQL, many rounds each: the amendment-to-No against "Record hire" answered
200 to both in 6 of 15 tries before `scorecard_amend` took the loop's lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from debriefs.aggregation import decide
from debriefs.services import loop_panel, loop_recompute_decision
from interviewloop.models import Loop
from scorecards import services
from tests.debriefs.reminder_fixtures import ensure_role_groups
from tests.factories import InterviewFactory, LoopFactory, NoteFactory, PositionFactory, UserFactory, make_scorecard
from tests.scorecards.conftest import full_body, typed

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 24


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers on one lock and has no SELECT ... FOR UPDATE; run on PostgreSQL")
    ensure_role_groups()


def race(*calls: Callable[[], object]) -> list[object]:
    """Run `calls` at the same moment, each on its own thread and database connection; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def answer(response) -> tuple[int, str | None]:
    return response.status_code, response.json().get("code") if response.status_code != 200 else None


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def record_hire(recruiter, loop) -> Callable[[], tuple[int, str | None]]:
    client = as_user(recruiter)
    return lambda: answer(client.post(f"/api/loops/{loop.pk}/decision/", {"decision": "hire"}, format="json"))


def interview_in(loop, username: str, *, counts: bool = True):
    ended = timezone.now() - timedelta(hours=1)
    return InterviewFactory(
        loop=loop,
        interviewer=UserFactory(username=username, role="interviewer"),
        scheduled_start=ended - timedelta(hours=1),
        scheduled_end=ended,
        ended_at=ended,
        counts_toward_decision=counts,
    )


def closed_as_hire_with_a_counting_no(loop: Loop) -> bool:
    loop.refresh_from_db()
    return loop.outcome == "hire" and decide(loop_panel(loop)).decision == "no_hire"


def test_an_amendment_to_no_and_record_hire_never_both_go_through(rubric, recruiter):
    outcomes = []
    for n in range(ROUNDS):
        # given: a loop that is a hire, both Yes
        loop = LoopFactory(recruiter=recruiter, position=PositionFactory(rubric=rubric))
        alice = interview_in(loop, f"alice{n}")
        make_scorecard(alice, vote="yes")
        make_scorecard(interview_in(loop, f"bob{n}"), vote="yes")
        loop_recompute_decision(loop=loop)
        amend_body = {**full_body(vote="no"), "reason": "Re-read my notes: the rollback answer was hand-waving."}
        alice_client = as_user(alice.interviewer)

        # when: alice amends to No while the recruiter records Hire
        def amend(client=alice_client, interview=alice, body=amend_body):
            return answer(client.post(f"/api/interviews/{interview.pk}/scorecard/amend/", body, format="json"))

        amended, hired = race(amend, record_hire(recruiter, loop))

        # then: exactly one goes through, and the other is told why
        outcomes.append((amended, hired))
        assert (amended, hired) in [((200, None), (409, "one_no_is_no_hire")), ((409, "loop_closed"), (200, None))]
        assert not closed_as_hire_with_a_counting_no(loop)
    print("amend/hire outcomes:", {o: outcomes.count(o) for o in set(outcomes)})


def test_a_submitted_no_and_record_hire_never_both_go_through(rubric, recruiter):
    for n in range(ROUNDS):
        # given: alice's Yes is in; bob's note is written and his draft says No
        loop = LoopFactory(recruiter=recruiter, position=PositionFactory(rubric=rubric))
        make_scorecard(interview_in(loop, f"alice{n}"), vote="yes")
        bob = interview_in(loop, f"bob{n}")
        NoteFactory(interview=bob)
        services.scorecard_save_draft(interview=bob, data=typed(bob, full_body(vote="no")))
        loop_recompute_decision(loop=loop)
        bob_client = as_user(bob.interviewer)

        def submit(client=bob_client, interview=bob):
            return answer(client.post(f"/api/interviews/{interview.pk}/scorecard/submit/", {}, format="json"))

        submitted, hired = race(submit, record_hire(recruiter, loop))

        # then: the hire never goes through (whichever came first, it saw bob's No or bob's missing scorecard)
        assert submitted == (200, None)
        assert hired in [(409, "one_no_is_no_hire"), (409, "decision_pending")]
        loop.refresh_from_db()
        assert (loop.status, loop.decision) == ("open", "no_hire")


def test_making_a_shadows_no_count_in_admin_and_record_hire_never_both_go_through(rubric, recruiter, admin):
    admin_client = Client()
    admin_client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    outcomes = []
    for n in range(ROUNDS):
        # given: a hire (alice's Yes), with a shadow's No that does not count
        loop = LoopFactory(recruiter=recruiter, position=PositionFactory(rubric=rubric))
        make_scorecard(interview_in(loop, f"alice{n}"), vote="yes")
        shadow = interview_in(loop, f"sam{n}", counts=False)
        make_scorecard(shadow, vote="no")
        loop_recompute_decision(loop=loop)

        def make_it_count(shadow=shadow):
            response = admin_client.post(
                reverse("admin:interviewloop_interview_changelist"),
                {"action": "count_toward_decision", "_selected_action": [shadow.pk]},
                follow=True,
            )
            assert response.status_code == 200
            return [str(message) for message in response.context["messages"]]

        # when: an admin makes the shadow count while the recruiter records Hire
        messages, hired = race(make_it_count, record_hire(recruiter, loop))

        # then: one goes through; the other is refused
        shadow.refresh_from_db()
        outcomes.append((shadow.counts_toward_decision, hired))
        assert (shadow.counts_toward_decision, hired) in [(True, (409, "one_no_is_no_hire")), (False, (200, None))]
        if not shadow.counts_toward_decision:
            assert messages == [
                f"{shadow}: This loop is closed: its outcome is recorded, so who counts toward it no longer changes."
            ]
        assert not closed_as_hire_with_a_counting_no(loop)
    print("admin/hire outcomes:", {o: outcomes.count(o) for o in set(outcomes)})
