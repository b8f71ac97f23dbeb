"""The interview row of the contract (InterviewSerializer over the plain values of scorecards.selectors)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework import serializers

from scorecards.selectors import InterviewRows, interview_list, interviews_for, rows_of
from scorecards.serializers import InterviewSerializer, interview_note_status, scorecard_status
from tests.factories import InterviewFactory, NoteFactory, UserFactory, iso, make_scorecard

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
        data = InterviewSerializer(rows_of(interview_list(interviewer))[0]).data
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
    data = InterviewSerializer(rows_of(interview_list(interviewer))[0]).data
    assert (data["note_status"], data["scorecard_status"]) == ("on_time", "draft")


def test_interviews_for_lists_own_for_an_interviewer_all_for_a_recruiter_none_for_others(
    interviewer, other_interviewer, recruiter, outsider, rubric
):
    mine = InterviewFactory(interviewer=interviewer)
    theirs = InterviewFactory(interviewer=other_interviewer)
    assert list(interviews_for(interviewer)) == [mine]
    assert set(interviews_for(recruiter)) == {mine, theirs}
    assert list(interviews_for(outsider)) == []


def from_the_models(interview) -> dict:
    """The row as the interview's model says it (its loop, note, scorecard and `note_due_at` property)."""
    return {
        "id": interview.pk,
        "loop": interview.loop_id,
        "candidate": interview.loop.candidate.name,
        "position": interview.loop.position.title,
        "interviewer": interview.interviewer.username,
        "rubric": interview.rubric_id,
        "scheduled_start": iso(interview.scheduled_start),
        "scheduled_end": iso(interview.scheduled_end),
        "ended_at": iso(interview.ended_at) if interview.ended_at else None,
        "note_due_at": iso(interview.note_due_at) if interview.note_due_at else None,
        "note_status": interview_note_status(interview),
        "scorecard_status": scorecard_status(interview),
        "counts_toward_decision": interview.counts_toward_decision,
    }


def test_a_list_page_of_plain_values_gives_each_row_exactly_as_the_interview_does(
    interviewer, other_interviewer, recruiter, outsider, rubric
):
    # given interviews in every state: not held, ended without note (due, then missing), a late note with a
    # draft, an on-time note with a submitted scorecard, a shadow; and someone else's
    base = START - timedelta(days=1)
    InterviewFactory(interviewer=interviewer, scheduled_start=START, scheduled_end=START + timedelta(hours=1))
    InterviewFactory(interviewer=interviewer, scheduled_start=base, scheduled_end=base + timedelta(hours=1),
                     ended_at=base + timedelta(hours=1), counts_toward_decision=False)  # fmt: skip
    late = NoteFactory(interview__interviewer=interviewer)
    late.submitted_at = late.due_at + timedelta(minutes=3)
    late.save()
    make_scorecard(late.interview, submitted=False)
    make_scorecard(NoteFactory(interview__interviewer=interviewer).interview, submitted=True)
    InterviewFactory(interviewer=other_interviewer)

    rows = {}
    for user in (interviewer, recruiter, outsider):
        # when: the list's plain values go through the serializer, and the interviews are read as models, at one instant
        with time_machine.travel(START + timedelta(minutes=2), tick=False):
            from_values = InterviewSerializer(InterviewRows(interview_list(user))[0:50], many=True).data
            from_models = [from_the_models(interview) for interview in interviews_for(user)]
        # then: the same rows, in the same order
        assert from_values == from_models
        rows[user.username] = from_values
    assert [len(rows[name]) for name in ("alice", "rita", "charlie")] == [4, 5, 0]
    # the rows cover the states: every scorecard status, a note written late and on time, a shadow
    assert {row["scorecard_status"] for row in rows["alice"]} == {"not_started", "draft", "submitted"}
    assert {"late", "on_time"} <= {row["note_status"] for row in rows["alice"]}
    assert [row["counts_toward_decision"] for row in rows["alice"]].count(False) == 1


def test_an_interviewer_without_interviews_counts_zero_and_pages_nothing(db):
    # (moved from tests/test_compiled.py, where the list was a compiled read)
    nobody = UserFactory(username="newcomer", role="interviewer")
    pages = InterviewRows(interview_list(nobody))
    assert pages.count() == 0 and pages[0:50] == []


def test_the_lean_rendering_equals_drfs_own_walk_over_the_declared_fields(interviewer, rubric):
    # given a row of each kind: nothing yet, ended with a late note and a draft, and a shadow
    InterviewFactory(interviewer=interviewer, scheduled_start=START, scheduled_end=START + timedelta(hours=1))
    late = NoteFactory(interview__interviewer=interviewer)
    late.submitted_at = late.due_at + timedelta(minutes=3)
    late.save()
    make_scorecard(late.interview, submitted=False)
    InterviewFactory(interviewer=interviewer, counts_toward_decision=False, ended_at=START)
    rows = rows_of(interview_list(interviewer))
    serializer = InterviewSerializer(context={"now": START})
    # then InterviewSerializer.to_representation gives what DRF's Serializer.to_representation gives
    assert [serializer.to_representation(row) for row in rows] == [
        serializers.Serializer.to_representation(serializer, row) for row in rows
    ]
    assert len(rows) == 3
