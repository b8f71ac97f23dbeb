"""The interview row of the contract (InterviewSerializer over scorecards.selectors)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from scorecards.selectors import interviews_for
from scorecards.serializers import InterviewSerializer
from tests.factories import InterviewFactory, NoteFactory, make_scorecard

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_interview_row_has_every_field_of_the_contract(interviewer, rubric):
    # given an interview that ended at 15:00 with no note and no scorecard
    interview = InterviewFactory(
        interviewer=interviewer,
        loop__candidate__name="Dana Reyes",
        scheduled_start=START,
        scheduled_end=START + timedelta(hours=1),
        ended_at=START + timedelta(hours=1),
    )
    # when it is serialized at 15:03, inside the five-minute window
    with time_machine.travel(START + timedelta(hours=1, minutes=3), tick=False):
        data = InterviewSerializer(interviews_for(interviewer).get()).data
    # then
    assert data == {
        "id": interview.id,
        "loop": interview.loop_id,
        "candidate": "Dana Reyes",
        "position": "Senior Pam Core Engineer (LLM Reliability)",
        "interviewer": "alice",
        "rubric": rubric.id,
        "scheduled_start": "2026-03-02T14:00:00Z",
        "scheduled_end": "2026-03-02T15:00:00Z",
        "ended_at": "2026-03-02T15:00:00Z",
        "note_due_at": "2026-03-02T15:05:00Z",
        "note_status": "due",
        "scorecard_status": "not_started",
        "counts_toward_decision": True,
    }


def test_interview_row_statuses_follow_the_note_and_the_scorecard(interviewer, rubric):
    note = NoteFactory(interview__interviewer=interviewer)
    make_scorecard(note.interview, submitted=False)
    data = InterviewSerializer(interviews_for(interviewer).get()).data
    assert (data["note_status"], data["scorecard_status"]) == ("on_time", "draft")


def test_interviews_for_lists_own_for_an_interviewer_all_for_a_recruiter_none_for_others(
    interviewer, other_interviewer, recruiter, outsider, rubric
):
    mine = InterviewFactory(interviewer=interviewer)
    theirs = InterviewFactory(interviewer=other_interviewer)
    assert list(interviews_for(interviewer)) == [mine]
    assert set(interviews_for(recruiter)) == {mine, theirs}
    assert list(interviews_for(outsider)) == []
