"""GET /api/interviews/ and POST /api/interviews/{id}/end/."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from tests.factories import InterviewFactory, NoteFactory, iso, make_scorecard
from tests.scorecards.conftest import ENDED, START

pytestmark = pytest.mark.django_db


def row(interview, **overrides):
    base = {
        "id": interview.id,
        "loop": interview.loop_id,
        "candidate": interview.loop.candidate.name,
        "position": interview.loop.position.title,
        "interviewer": interview.interviewer.username,
        "rubric": interview.rubric_id,
        "scheduled_start": iso(interview.scheduled_start),
        "scheduled_end": iso(interview.scheduled_end),
        "ended_at": None,
        "note_due_at": None,
        "note_status": "not_due",
        "scorecard_status": "not_started",
        "counts_toward_decision": True,
    }
    return base | overrides


def test_an_interviewer_lists_only_their_own_interviews(alice, interviewer, other_interviewer, rubric):
    mine = InterviewFactory(interviewer=interviewer, scheduled_start=START, scheduled_end=ENDED)
    InterviewFactory(interviewer=other_interviewer, scheduled_start=START, scheduled_end=ENDED)
    with time_machine.travel(START - timedelta(hours=1), tick=False):
        response = alice.get("/api/interviews/")
    assert response.status_code == 200
    assert response.json() == {"count": 1, "next": None, "previous": None, "results": [row(mine)]}


def test_a_recruiter_lists_every_interview(api_as, recruiter, interviewer, other_interviewer, rubric):
    first = InterviewFactory(interviewer=interviewer, scheduled_start=START, scheduled_end=ENDED)
    second = InterviewFactory(
        interviewer=other_interviewer,
        scheduled_start=START + timedelta(hours=2),
        scheduled_end=ENDED + timedelta(hours=2),
    )
    with time_machine.travel(START - timedelta(hours=1), tick=False):
        response = api_as(recruiter).get("/api/interviews/")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [first.id, second.id]


def test_listing_interviews_is_refused_to_anyone_else(api, api_as, outsider, admin):
    assert api.get("/api/interviews/").status_code == 401
    for user in (outsider, admin):
        response = api_as(user).get("/api/interviews/")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


def test_rows_show_note_and_scorecard_state(alice, interviewer, rubric):
    # given: one interview with a late note and a submitted scorecard, one with nothing yet after its end
    late = InterviewFactory(interviewer=interviewer, scheduled_start=START, scheduled_end=ENDED, ended_at=ENDED)
    NoteFactory(interview=late, submitted_at=ENDED + timedelta(minutes=9))
    make_scorecard(late, submitted=True)
    silent = InterviewFactory(
        interviewer=interviewer,
        scheduled_start=START + timedelta(days=1),
        scheduled_end=ENDED + timedelta(days=1),
        ended_at=ENDED + timedelta(days=1),
    )
    # when: listed 20 minutes after the second one ended
    with time_machine.travel(ENDED + timedelta(days=1, minutes=20), tick=False):
        results = alice.get("/api/interviews/").json()["results"]
    # then
    states = {r["id"]: (r["note_status"], r["scorecard_status"]) for r in results}
    assert states == {late.id: ("late", "submitted"), silent.id: ("missing", "not_started")}


@pytest.mark.parametrize("size", [1, 6])
def test_listing_costs_the_same_number_of_queries_at_any_size(
    size, alice, api_as, recruiter, interviewer, rubric, django_assert_num_queries
):
    for n in range(size):
        interview = InterviewFactory(interviewer=interviewer, ended_at=START + timedelta(hours=n))
        NoteFactory(interview=interview)
        make_scorecard(interview, submitted=n % 2 == 0)
    recruiter_client = api_as(recruiter)
    # 1 the token with its user, 2 the caller's roles, 3 the page count, 4 the rows with loop, candidate, position,
    # interviewer, note and scorecard in one JOIN.
    with django_assert_num_queries(4):
        assert len(alice.get("/api/interviews/").json()["results"]) == size
    with django_assert_num_queries(4):
        assert len(recruiter_client.get("/api/interviews/").json()["results"]) == size


def test_ending_an_interview_sets_ended_at_and_is_idempotent(alice, interviewer, rubric):
    interview = InterviewFactory(interviewer=interviewer, scheduled_start=START, scheduled_end=ENDED)
    with time_machine.travel(ENDED - timedelta(minutes=2), tick=False):
        first = alice.post(f"/api/interviews/{interview.id}/end/")
    with time_machine.travel(ENDED + timedelta(minutes=10), tick=False):
        second = alice.post(f"/api/interviews/{interview.id}/end/")
    assert first.status_code == second.status_code == 200
    expected = row(
        interview,
        ended_at="2026-03-02T14:58:00Z",
        note_due_at="2026-03-02T15:03:00Z",
        note_status="missing",  # as seen at 15:10, past the deadline
    )
    assert second.json() == expected
    assert first.json() == expected | {"note_status": "due"}


def test_an_interview_ends_even_before_its_scheduled_start(alice, interviewer, rubric):
    # DESIGN.md: ending is always allowed ("calls move, and the tool never stands between an interviewer and their
    # note"); only the page asks "end now?" first. The API just ends.
    interview = InterviewFactory(interviewer=interviewer, scheduled_start=START, scheduled_end=ENDED)
    early = START - timedelta(minutes=30)
    with time_machine.travel(early, tick=False):
        response = alice.post(f"/api/interviews/{interview.id}/end/")
        note = alice.put(
            f"/api/interviews/{interview.id}/note/",
            {"best_thing": "Clear.", "biggest_concern": "None yet.", "vote": "yes", "want_to_work_with": "yes"},
            format="json",
        )
    assert response.status_code == 200
    assert response.json() == row(
        interview, ended_at=iso(early), note_due_at=iso(early + timedelta(minutes=5)), note_status="due"
    )
    assert note.status_code == 201  # and the note can be written at once


def test_only_its_interviewer_ends_an_interview(api, api_as, other_interviewer, recruiter, outsider, interview):
    assert api.post(f"/api/interviews/{interview.id}/end/").status_code == 401
    response = api_as(other_interviewer).post(f"/api/interviews/{interview.id}/end/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    for user in (recruiter, outsider):
        response = api_as(user).post(f"/api/interviews/{interview.id}/end/")
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert api_as(other_interviewer).post("/api/interviews/999999/end/").status_code == 404
