"""Writes on a loop's decision. The rule itself is debriefs.aggregation.decide (pure)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from debriefs import outbox
from debriefs.aggregation import Outcome, PanelVote, decide
from interviewloop.models import Interview, Loop
from scorecards.models import Scorecard


def loop_panel(loop: Loop) -> list[PanelVote]:
    """The loop's interviews as the decision sees them (one query)."""
    rows = (
        Interview.objects.filter(loop=loop).select_related("interviewer", "scorecard").order_by("scheduled_start", "id")
    )
    panel = []
    for interview in rows:
        scorecard = getattr(interview, "scorecard", None)
        submitted = scorecard is not None and scorecard.status == Scorecard.Status.SUBMITTED
        panel.append(
            PanelVote(
                interviewer=interview.interviewer.username,
                counts_toward_decision=interview.counts_toward_decision,
                submitted=submitted,
                vote=scorecard.vote if submitted and scorecard is not None else None,
            )
        )
    return panel


@transaction.atomic
def loop_recompute_decision(*, loop: Loop) -> Outcome:
    """Recompute the rule's decision and store it on the loop, with when and why it changed.

    Called whenever a scorecard is submitted or amended. The loop row is locked so two submissions
    landing together recompute one after the other, each seeing the other's scorecard.
    """
    locked = Loop.objects.select_for_update().get(pk=loop.pk)
    outcome = decide(loop_panel(locked))
    reason = " ".join(outcome.reasons)
    if locked.decision != outcome.decision or locked.decision_reason != reason:
        previous = locked.decision
        locked.decision = outcome.decision
        locked.decision_reason = reason
        if previous != outcome.decision:
            locked.decision_changed_at = timezone.now()
        locked.save(update_fields=["decision", "decision_reason", "decision_changed_at"])
        if previous != outcome.decision:
            outbox.decision_changed(locked, previous=previous)
    loop.decision, loop.decision_reason = locked.decision, locked.decision_reason
    loop.decision_changed_at = locked.decision_changed_at
    return outcome
