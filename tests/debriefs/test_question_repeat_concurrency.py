"""Two recruiters assigning the same question to two interviews of one loop at the same moment: one gets it, the
other answers 409 `question_repeated`. The check runs under the loop's row lock (`interview_schedule` locks the
loop first), so the second request reads the first one's interview.

Real parallel HTTP requests on PostgreSQL, many tries. With the loop read without its lock, this test fails: both
requests answer 201 and the loop holds two interviews with the same question.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from interviewloop.models import Interview
from tests.debriefs.test_decision_concurrency import _postgresql_only, as_user, race  # noqa: F401
from tests.factories import LoopFactory, UserFactory, make_question

pytestmark = pytest.mark.django_db(transaction=True)

TRIES = 20


def test_a_question_is_assigned_once_in_a_loop_whatever_the_timing():
    recruiter = UserFactory(username="rita", role="recruiter")
    question = make_question()
    start = (timezone.now() + timedelta(days=1)).isoformat()
    outcomes = []
    for attempt in range(TRIES):
        loop = LoopFactory(recruiter=recruiter)
        panel = [UserFactory(username=f"i{attempt}_{n}", role="interviewer") for n in range(2)]
        clients = [as_user(recruiter), as_user(recruiter)]

        def assign(client, who, loop=loop):
            body = {"interviewer": who.username, "scheduled_start": start, "questions": [question.pk]}
            response = client.post(f"/api/loops/{loop.pk}/interviews/", body, format="json")
            return response.status_code, response.json().get("code")

        results = race(*(lambda c=c, p=p: assign(c, p) for c, p in zip(clients, panel, strict=True)))
        outcomes.append(sorted(results, key=lambda r: r[0]))
        assert Interview.objects.filter(loop=loop).count() == 1
    assert outcomes == [[(201, None), (409, "question_repeated")]] * TRIES
