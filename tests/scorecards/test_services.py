"""The services directly: outbox calls in the same transaction, and rule inputs taken from the PINNED rubric."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine

from interviewloop.errors import Invalid
from scorecards import services
from scorecards.models import Scorecard
from scorecards.selectors import pinned_rubric
from tests.factories import InterviewFactory, PositionFactory, make_rubric
from tests.scorecards.conftest import ENDED, NOTE_DUE, full_body, typed

pytestmark = pytest.mark.django_db

NOTE = {"best_thing": "a", "biggest_concern": "b", "vote": "yes", "want_to_work_with": "yes"}


def test_note_write_stores_the_deadline_and_tells_the_outbox(interview):
    with mock.patch("debriefs.outbox.note_written") as note_written, time_machine.travel(ENDED, tick=False):
        note = services.note_write(interview=interview, **NOTE, at=NOTE_DUE + timedelta(seconds=1))
    note_written.assert_called_once()
    assert note_written.call_args.args[0].pk == interview.pk
    assert (note.due_at, note.on_time) == (NOTE_DUE, False)


def test_a_refused_submit_writes_nothing_and_tells_no_one(noted_interview):
    services.scorecard_save_draft(
        interview=noted_interview, data=typed(noted_interview, full_body(vote="strong_yes", gut="no"))
    )
    before = services.stored_input(Scorecard.objects.get())
    with (
        mock.patch("debriefs.outbox.scorecard_submitted") as submitted,
        mock.patch("scorecards.services.loop_recompute_decision") as recompute,
        pytest.raises(Invalid) as refusal,
    ):
        services.scorecard_submit(interview=noted_interview)
    assert refusal.value.code == "vote_not_allowed"
    assert refusal.value.extra["max_allowed_vote"] == "no"
    submitted.assert_not_called()
    recompute.assert_not_called()
    scorecard = Scorecard.objects.get()
    assert (scorecard.status, services.stored_input(scorecard)) == ("draft", before)


def test_the_rules_use_the_thresholds_of_the_rubric_the_interview_pins(interviewer):
    # given an interview pinned to a rubric where a single red flag is already a Strong No
    strict = make_rubric(name="Strict", red_flags_for_strong_no=1)
    interview = InterviewFactory(interviewer=interviewer, loop__position=PositionFactory(rubric=strict))
    # when one flag is checked
    ceiling = services.scorecard_check(
        interview=interview, data=typed(interview, full_body(red_flags=("defensive",)))
    ).ceiling
    # then
    assert ceiling.max_allowed_vote == "strong_no"
    assert pinned_rubric(strict).thresholds.red_flags_for_strong_no == 1


def test_evidence_for_extremes_can_be_switched_off_by_the_rubric(interviewer):
    lenient = make_rubric(name="Lenient", evidence_required_for_extremes=False)
    interview = InterviewFactory(interviewer=interviewer, loop__position=PositionFactory(rubric=lenient))
    body = full_body(score=5, vote="strong_yes")
    body["scores"] = {key: {"score": 5, "evidence": ""} for key in body["scores"]}
    data = typed(interview, body)
    assert data.problems(pinned_rubric(interview.rubric)) == []
