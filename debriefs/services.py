"""Writes on a loop's decision. The rule itself is debriefs.aggregation.decide (pure)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from debriefs import outbox, webhooks
from debriefs.aggregation import Outcome, decide, may_record
from debriefs.selectors import loop_panel
from interviewloop.errors import Conflict, Invalid
from interviewloop.models import Loop


def loop_lock(loop_id: int) -> Loop:
    """Lock the loop row, for the rest of the caller's transaction, and read it fresh.

    Every write that can change the decision (a vote submitted or amended, an interview that starts or stops
    counting, a counting interview added) and the recruiter's decision itself take this lock FIRST, before any
    interview or scorecard row: so they run one after the other per loop, each sees the loop's `status` as the
    one before left it, and, all taking their locks in the same order (loop, interview, scorecard), none can
    deadlock another.
    """
    return Loop.objects.select_for_update().get(pk=loop_id)


@transaction.atomic(savepoint=False)
def loop_recompute_decision(*, loop: Loop, locked: bool = False) -> Outcome:
    """Recompute the rule's decision and store it on the loop, with when and why it changed.

    Called whenever a scorecard is submitted or amended. The loop row is locked (`loop_lock`) so two submissions
    landing together recompute one after the other, each seeing the other's scorecard; `locked=True` says the
    caller already holds that lock on `loop` (read under it), so it is not read again. Inside a caller's
    transaction it takes no savepoint of its own (no caller goes on after it fails: the whole write is undone).
    """
    row = loop if locked else loop_lock(loop.pk)
    outcome = decide(loop_panel(row))
    reason = " ".join(outcome.reasons)
    if row.decision != outcome.decision or row.decision_reason != reason:
        previous = row.decision
        row.decision = outcome.decision
        row.decision_reason = reason
        if previous != outcome.decision:
            row.decision_changed_at = timezone.now()
        row.save(update_fields=["decision", "decision_reason", "decision_changed_at"])
        if previous != outcome.decision:
            outbox.decision_changed(row, previous=previous)
            webhooks.decision_changed(row, previous=previous)
    loop.decision, loop.decision_reason = row.decision, row.decision_reason
    loop.decision_changed_at = row.decision_changed_at
    return outcome


_REFUSALS = {
    "one_no_is_no_hire": "A No from {who}: One No = No Hire. Record no_hire, or wait for an amended scorecard.",
    "decision_pending": "The decision is still pending ({why}): a hire needs every counting scorecard in, all Yes.",
}


@transaction.atomic
def loop_record_decision(*, loop: Loop, decision: str, by: Any) -> Loop:
    """Record the recruiter's outcome and close the loop.

    `no_hire` may be recorded any time; `hire` only when the rule, recomputed now from the
    submitted scorecards, gives hire (aggregation.may_record). A closed loop keeps its outcome.
    """
    locked = loop_lock(loop.pk)
    if locked.status == Loop.Status.CLOSED:
        raise Conflict(
            f"This loop is already closed as {locked.get_outcome_display()}.",
            code="loop_closed",
            outcome=locked.outcome,
        )
    outcome = loop_recompute_decision(loop=locked, locked=True)
    allowed, code = may_record(outcome.decision, decision)
    if not allowed:
        if code == "invalid_decision":
            raise Invalid("The decision must be hire or no_hire.", code="invalid_decision")
        message = _REFUSALS[str(code)].format(
            who=", ".join(outcome.deciding), why=" ".join(outcome.reasons).rstrip(".")
        )
        raise Conflict(message, code=str(code), decision=outcome.decision, reasons=list(outcome.reasons))
    locked.outcome = decision
    locked.outcome_at = timezone.now()
    locked.outcome_by = by
    locked.status = Loop.Status.CLOSED
    locked.save(update_fields=["outcome", "outcome_at", "outcome_by", "status"])
    webhooks.loop_closed(locked)
    return locked
