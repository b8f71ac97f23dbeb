"""The stored decision for panels of every shape, and the recruiter's recorded outcome (services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from debriefs.services import loop_record_decision
from interviewloop.errors import Conflict, Invalid
from interviewloop.models import Loop
from scorecards.models import ScorecardAmendment
from tests.debriefs.conftest import add_interview, recompute


@pytest.mark.django_db
def test_one_no_among_strong_yeses_is_no_hire_at_once_while_others_are_missing(loop):
    add_interview(loop, "alice", vote="strong_yes")
    add_interview(loop, "bob", vote="strong_yes")
    add_interview(loop, "carol", vote="no")
    add_interview(loop, "dave", vote=None)  # not submitted
    add_interview(loop, "erin", vote=None, ended=False)  # not even held yet

    recompute(loop)

    assert (loop.decision, loop.decision_reason) == ("no_hire", "carol voted No: One No = No Hire.")
    assert loop.decision_changed_at is not None


@pytest.mark.django_db
def test_every_counting_yes_is_a_hire(loop):
    add_interview(loop, "alice", vote="yes")
    add_interview(loop, "bob", vote="strong_yes")
    assert recompute(loop).decision == "hire"


@pytest.mark.django_db
def test_a_missing_scorecard_keeps_it_pending(loop):
    add_interview(loop, "alice", vote="yes")
    add_interview(loop, "bob", vote="yes", submitted=False)
    recompute(loop)
    assert (loop.decision, loop.decision_reason) == ("pending", "Waiting for scorecards from bob.")


@pytest.mark.django_db
def test_a_shadow_interviewers_no_does_not_count(loop):
    add_interview(loop, "alice", vote="yes")
    add_interview(loop, "sam", vote="strong_no", counts=False)
    assert recompute(loop).decision == "hire"


@pytest.mark.django_db
def test_an_amended_vote_recomputes_the_decision(loop):
    # given: a hire
    add_interview(loop, "alice", vote="yes")
    bob = add_interview(loop, "bob", vote="yes")
    assert recompute(loop).decision == "hire"

    # when: bob amends his Yes to a No
    scorecard = bob.scorecard
    ScorecardAmendment.objects.create(
        scorecard=scorecard, previous={"vote": "yes"}, previous_vote="yes", reason="Re-read my notes.",
        amended_by=bob.interviewer, amended_at=timezone.now(),
    )  # fmt: skip
    scorecard.vote, scorecard.amended_at = "no", timezone.now()
    scorecard.save()

    # then
    assert recompute(loop).decision == "no_hire"

    # and back: amended to Yes again, the loop is a hire again
    scorecard.vote = "strong_yes"
    scorecard.save()
    assert recompute(loop).decision == "hire"


# --- loop_record_decision ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_hire_may_be_recorded_any_time_and_closes_the_loop(loop, recruiter):
    add_interview(loop, "alice", vote=None)

    closed = loop_record_decision(loop=loop, decision="no_hire", by=recruiter)

    loop.refresh_from_db()
    assert (loop.status, loop.outcome, loop.outcome_by) == ("closed", "no_hire", recruiter)
    assert timezone.now() - loop.outcome_at < timedelta(seconds=5)
    assert closed.pk == loop.pk


@pytest.mark.django_db
def test_hire_against_a_no_is_refused_with_one_no_is_no_hire(loop, recruiter):
    add_interview(loop, "alice", vote="strong_yes")
    add_interview(loop, "bob", vote="no")
    recompute(loop)  # as scorecard_submit does

    with pytest.raises(Conflict) as refused:
        loop_record_decision(loop=loop, decision="hire", by=recruiter)

    assert refused.value.code == "one_no_is_no_hire"
    assert refused.value.extra == {"decision": "no_hire", "reasons": ["bob voted No: One No = No Hire."]}
    loop.refresh_from_db()
    assert (loop.status, loop.outcome, loop.decision) == ("open", "", "no_hire")


@pytest.mark.django_db
def test_hire_while_scorecards_are_missing_is_refused_with_decision_pending(loop, recruiter):
    add_interview(loop, "alice", vote="yes")
    add_interview(loop, "bob", vote=None)
    with pytest.raises(Conflict) as refused:
        loop_record_decision(loop=loop, decision="hire", by=recruiter)
    assert refused.value.code == "decision_pending"
    assert Loop.objects.get(pk=loop.pk).status == "open"


@pytest.mark.django_db
def test_hire_is_recorded_when_the_rule_gives_hire(loop, recruiter):
    add_interview(loop, "alice", vote="yes")
    loop_record_decision(loop=loop, decision="hire", by=recruiter)
    loop.refresh_from_db()
    assert (loop.status, loop.outcome, loop.decision) == ("closed", "hire", "hire")


@pytest.mark.django_db
def test_a_closed_loop_keeps_its_outcome(loop, recruiter):
    loop_record_decision(loop=loop, decision="no_hire", by=recruiter)
    with pytest.raises(Conflict) as refused:
        loop_record_decision(loop=loop, decision="no_hire", by=recruiter)
    assert refused.value.code == "loop_closed"


@pytest.mark.django_db
def test_an_unknown_decision_is_invalid(loop, recruiter):
    with pytest.raises(Invalid) as refused:
        loop_record_decision(loop=loop, decision="maybe", by=recruiter)
    assert refused.value.code == "invalid_decision"
