"""The loop decision under "One No = No Hire": the guide's examples, then hypothesis properties.

Pure functions: no database and no Django (these run with ``-p no:django`` too).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from debriefs.aggregation import Outcome, PanelVote, decide, may_record, tally
from scorecards.rules import VOTES

# Hypothesis keeps no example database: these tests leave nothing behind in the tree.
properties = settings(database=None, max_examples=300, deadline=None)


def voted(interviewer: str, vote: str) -> PanelVote:
    return PanelVote(interviewer=interviewer, counts_toward_decision=True, submitted=True, vote=vote)


def waiting(interviewer: str) -> PanelVote:
    return PanelVote(interviewer=interviewer, counts_toward_decision=True, submitted=False, vote=None)


def shadow(interviewer: str, vote: str | None) -> PanelVote:
    return PanelVote(interviewer=interviewer, counts_toward_decision=False, submitted=vote is not None, vote=vote)


# --- decide: the guide's examples -----------------------------------------------------------------


def test_every_yes_is_a_hire():
    outcome = decide([voted("alice", "yes"), voted("bob", "strong_yes"), voted("carol", "yes")])

    assert outcome == Outcome(
        decision="hire",
        reasons=("Every interviewer voted Yes or Strong Yes.",),
        deciding=(),
        missing=(),
        final=True,
    )


def test_one_no_is_a_no_hire():
    outcome = decide([voted("alice", "no"), voted("bob", "strong_yes"), voted("carol", "strong_yes")])

    assert outcome == Outcome(
        decision="no_hire",
        reasons=("alice voted No: One No = No Hire.",),
        deciding=("alice",),
        missing=(),
        final=True,
    )


def test_one_no_is_a_no_hire_at_once_whatever_is_still_missing():
    # given: bob and dave have not submitted yet
    panel = [voted("alice", "yes"), waiting("bob"), voted("carol", "strong_no"), waiting("dave")]

    # when
    outcome = decide(panel)

    # then
    assert outcome == Outcome(
        decision="no_hire",
        reasons=("carol voted Strong No: One No = No Hire.",),
        deciding=("carol",),
        missing=("bob", "dave"),
        final=True,
    )


def test_every_no_is_named_as_deciding():
    outcome = decide([voted("alice", "strong_no"), voted("bob", "yes"), voted("carol", "no")])

    assert outcome.deciding == ("alice", "carol")
    assert outcome.reasons == (
        "alice voted Strong No: One No = No Hire.",
        "carol voted No: One No = No Hire.",
    )


def test_yes_so_far_with_scorecards_missing_is_pending():
    outcome = decide([voted("alice", "strong_yes"), waiting("bob"), waiting("carol")])

    assert outcome == Outcome(
        decision="pending",
        reasons=("Waiting for scorecards from bob, carol.",),
        deciding=(),
        missing=("bob", "carol"),
        final=False,
    )


def test_a_draft_no_does_not_decide():
    # A vote only counts once the scorecard is submitted.
    draft = PanelVote(interviewer="bob", counts_toward_decision=True, submitted=False, vote="no")

    outcome = decide([voted("alice", "yes"), draft])

    assert outcome.decision == "pending"
    assert outcome.missing == ("bob",)


def test_a_shadow_no_does_not_decide():
    outcome = decide([voted("alice", "yes"), voted("bob", "yes"), shadow("sam", "strong_no")])

    assert outcome.decision == "hire"
    assert outcome.deciding == ()


def test_a_shadow_not_submitted_does_not_hold_up_a_hire():
    outcome = decide([voted("alice", "yes"), shadow("sam", None)])

    assert outcome.decision == "hire"
    assert outcome.missing == ()


@pytest.mark.parametrize("panel", [[], [shadow("sam", "yes")], [shadow("sam", None)]], ids=["empty", "shadow", "late"])
def test_a_loop_without_counting_interviews_is_pending(panel):
    assert decide(panel) == Outcome(
        decision="pending",
        reasons=("No interview in this loop counts toward the decision yet.",),
        deciding=(),
        missing=(),
        final=False,
    )


def test_nobody_submitted_yet_is_pending():
    outcome = decide([waiting("alice"), waiting("bob")])

    assert outcome.decision == "pending"
    assert outcome.missing == ("alice", "bob")
    assert outcome.reasons == ("Waiting for scorecards from alice, bob.",)


def test_a_submitted_scorecard_without_a_vote_is_never_a_hire():
    broken = PanelVote(interviewer="bob", counts_toward_decision=True, submitted=True, vote=None)

    outcome = decide([voted("alice", "yes"), broken])

    assert outcome.decision == "pending"
    assert outcome.reasons == ("No vote on the submitted scorecard of bob.",)


def test_an_interviewer_with_two_interviews_is_named_once():
    outcome = decide([waiting("bob"), waiting("bob"), voted("alice", "no"), voted("alice", "no")])

    assert outcome.missing == ("bob",)
    assert outcome.deciding == ("alice",)
    assert outcome.reasons == ("alice voted No: One No = No Hire.",)


# --- tally ----------------------------------------------------------------------------------------


def test_tally_counts_submitted_counting_votes_with_every_vote_present():
    panel = [
        voted("alice", "yes"),
        voted("bob", "yes"),
        voted("carol", "strong_no"),
        waiting("dave"),
        PanelVote(interviewer="erin", counts_toward_decision=True, submitted=False, vote="no"),
        shadow("sam", "strong_yes"),
    ]

    assert tally(panel) == {"strong_no": 1, "no": 0, "yes": 2, "strong_yes": 0}
    assert list(tally(panel)) == list(VOTES)


def test_tally_of_an_empty_panel_is_all_zero():
    assert tally([]) == {"strong_no": 0, "no": 0, "yes": 0, "strong_yes": 0}


# --- may_record -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision_now", "requested", "expected"),
    [
        ("hire", "hire", (True, None)),
        ("no_hire", "hire", (False, "one_no_is_no_hire")),
        ("pending", "hire", (False, "decision_pending")),
        ("hire", "no_hire", (True, None)),
        ("no_hire", "no_hire", (True, None)),
        ("pending", "no_hire", (True, None)),
    ],
)
def test_may_record(decision_now, requested, expected):
    assert may_record(decision_now, requested) == expected


def test_may_not_record_something_that_is_not_an_outcome():
    assert may_record("pending", "pending") == (False, "invalid_decision")


# --- decide: properties ---------------------------------------------------------------------------


@st.composite
def panel_votes(draw, counts_toward_decision=None):
    interviewer = draw(st.sampled_from(("alice", "bob", "carol", "dave", "erin", "frank")))
    counts = draw(st.booleans()) if counts_toward_decision is None else counts_toward_decision
    submitted = draw(st.booleans())
    vote = draw(st.sampled_from(VOTES)) if submitted else None
    return PanelVote(interviewer=interviewer, counts_toward_decision=counts, submitted=submitted, vote=vote)


panels = st.lists(panel_votes(), max_size=8)
shadow_panels = st.lists(panel_votes(counts_toward_decision=False), max_size=4)


def is_no(member: PanelVote) -> bool:
    return member.counts_toward_decision and member.submitted and member.vote in ("no", "strong_no")


@properties
@given(panel=panels, no=st.sampled_from(("no", "strong_no")), position=st.integers(min_value=0, max_value=8))
def test_a_single_counting_no_anywhere_is_a_no_hire(panel, no, position):
    # given: any panel, with one counting No slipped in anywhere
    panel = [*panel[:position], voted("zoe", no), *panel[position:]]

    # when
    outcome = decide(panel)

    # then
    assert outcome.decision == "no_hire"
    assert outcome.final
    assert "zoe" in outcome.deciding


@properties
@given(panel=panels)
def test_hire_only_when_every_counting_scorecard_is_in_and_says_yes(panel):
    counting = [member for member in panel if member.counts_toward_decision]
    everyone_said_yes = bool(counting) and all(
        member.submitted and member.vote in ("yes", "strong_yes") for member in counting
    )

    assert (decide(panel).decision == "hire") is everyone_said_yes


@properties
@given(panel=panels)
def test_no_hire_exactly_when_a_counting_scorecard_says_no(panel):
    outcome = decide(panel)

    assert (outcome.decision == "no_hire") is any(is_no(member) for member in panel)
    assert set(outcome.deciding) == {member.interviewer for member in panel if is_no(member)}


@properties
@given(panel=panels, shadows=shadow_panels, data=st.data())
def test_shadow_votes_never_change_the_decision(panel, shadows, data):
    # given: the same panel with shadows mixed in anywhere
    mixed = list(panel)
    for member in shadows:
        mixed.insert(data.draw(st.integers(min_value=0, max_value=len(mixed))), member)

    # then: the same outcome, the same tally
    assert decide(mixed) == decide(panel)
    assert tally(mixed) == tally(panel)


@properties
@given(panel=panels)
def test_outcome_is_consistent(panel):
    outcome = decide(panel)
    counting = [member for member in panel if member.counts_toward_decision]

    assert outcome.final is (outcome.decision in ("hire", "no_hire"))
    assert set(outcome.missing) == {member.interviewer for member in counting if not member.submitted}
    assert outcome.reasons
    assert sum(tally(panel).values()) == sum(member.submitted for member in counting)
    assert may_record(outcome.decision, "hire")[0] is (outcome.decision == "hire")
    assert may_record(outcome.decision, "no_hire") == (True, None)
