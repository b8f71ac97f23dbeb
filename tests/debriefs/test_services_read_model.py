"""The debrief read model's own small rules: the vote shift and the loop's stage (pure, no database)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from debriefs.documents import vote_shift
from debriefs.selectors import loop_stage
from interviewloop.models import Loop
from scorecards.rules import VOTES

votes = st.sampled_from(VOTES)


@given(votes, votes)
def test_the_shift_is_the_distance_moved_from_the_first_impression(note_vote, scorecard_vote):
    shift = vote_shift(note_vote, scorecard_vote)
    assert shift is not None
    assert (shift["from"], shift["to"]) == (note_vote, scorecard_vote)
    assert VOTES[VOTES.index(note_vote) + shift["steps"]] == scorecard_vote
    assert (shift["steps"] < 0) == (VOTES.index(scorecard_vote) < VOTES.index(note_vote))


def test_the_guides_examples_of_a_shift():
    assert vote_shift("yes", "no") == {"from": "yes", "to": "no", "steps": -1}
    assert vote_shift("strong_no", "strong_yes") == {"from": "strong_no", "to": "strong_yes", "steps": 3}


@given(st.one_of(st.none(), votes), st.one_of(st.none(), st.just("maybe")))
def test_no_shift_without_both_votes(note_vote, scorecard_vote):
    assert vote_shift(note_vote, scorecard_vote) is None
    assert vote_shift(scorecard_vote, note_vote) is None


def loop(status="open", decision="pending", interviews=3, ended=3, submitted=0) -> Loop:
    row = Loop(status=status, decision=decision)
    row.interview_count, row.ended_count, row.submitted_count = interviews, ended, submitted  # type: ignore[attr-defined]
    return row


def test_stages():
    assert loop_stage(loop(interviews=0, ended=0)) == "scheduling"
    assert loop_stage(loop(ended=1)) == "interviewing"
    assert loop_stage(loop(ended=3, submitted=1)) == "scorecards"
    assert loop_stage(loop(submitted=3)) == "debrief"
    assert loop_stage(loop(decision="no_hire", ended=1, submitted=1)) == "debrief"  # a No decides at once
    assert loop_stage(loop(status="closed", decision="no_hire")) == "closed"


@given(st.integers(0, 8), st.integers(0, 8), st.integers(0, 8), st.sampled_from(["pending", "hire", "no_hire"]))
def test_a_final_decision_is_always_ready_for_debrief(interviews, ended, submitted, decision):
    stage = loop_stage(loop(decision=decision, interviews=interviews, ended=ended, submitted=submitted))
    if decision != "pending" and interviews:
        assert stage == "debrief"
    assert stage in ("scheduling", "interviewing", "scorecards", "debrief")
