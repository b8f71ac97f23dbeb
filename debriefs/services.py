"""Writes on a loop's decision and its stored debrief. The rule itself is debriefs.aggregation.decide (pure).

`debrief_document_write` is the one writer of the stored debrief (`DebriefDocument`): every service whose write
changes what a debrief shows calls it, under the loop's lock (`loop_lock`), in the same transaction;
`loop_recompute_decision` does it for every write that can change the decision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from debriefs import outbox, webhooks
from debriefs.aggregation import Outcome, decide, may_record
from debriefs.calibration import Term
from debriefs.models import DebriefDocument, LeniencyTerm
from debriefs.panels import loop_panel
from debriefs.stored import StoredDebrief, debrief_document_fresh
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
def debrief_document_write(*, loop_id: int) -> StoredDebrief:
    """Rebuild the loop's debrief and list row from its rows and store them (one upsert), with the loop's leniency
    terms (its rows replaced: one delete, one insert). The caller holds the loop's lock (`loop_lock`) in its
    transaction, so two writes on one loop store their documents one after the other, the second built with the
    first's rows."""
    fresh = debrief_document_fresh(loop_id)
    row = DebriefDocument(
        loop_id=loop_id, document=fresh.document, row=fresh.row, **fresh.counts, updated_at=timezone.now()
    )
    DebriefDocument.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["loop"],
        update_fields=["document", "row", *fresh.counts, "updated_at"],
    )
    leniency_terms_write(loop_id=loop_id, terms=fresh.leniency_terms)
    return fresh


def leniency_terms_write(*, loop_id: int, terms: dict[int, Term]) -> None:
    """Replace the loop's stored leniency terms (`LeniencyTerm`) by `terms` (by interviewer id); only those with a
    scorecard compared (n ≥ 1) are kept. Called by `debrief_document_write`, under the loop's lock."""
    LeniencyTerm.objects.filter(loop_id=loop_id).delete()
    rows = [
        LeniencyTerm(loop_id=loop_id, interviewer_id=interviewer, difference=term.difference, n=term.n)
        for interviewer, term in sorted(terms.items())
        if term.n
    ]
    if rows:
        LeniencyTerm.objects.bulk_create(rows)


@transaction.atomic
def debrief_documents_refresh(*, loop_ids: Iterable[int]) -> None:
    """Rewrite the debriefs of these loops, each under its lock (in id order, so two refreshes never deadlock):
    for a write elsewhere that a debrief shows (a candidate erased or renamed, a position's title, an interviewer's
    name)."""
    for loop_id in sorted(set(loop_ids)):
        loop_lock(loop_id)
        debrief_document_write(loop_id=loop_id)


# The names a debrief shows that are saved outside the services (admin, `adduser`, the erasure): by model, the
# fields shown and the loops that show them. A save that may change one rewrites those loops' debriefs.
def _loops_of_user(user: Any) -> Any:
    return Loop.objects.filter(Q(interviews__interviewer=user) | Q(recruiter=user) | Q(outcome_by=user))


SHOWN_ELSEWHERE: dict[str, tuple[frozenset[str], Callable[[Any], Any]]] = {
    "candidate": (frozenset({"name"}), lambda candidate: Loop.objects.filter(candidate=candidate)),
    "position": (frozenset({"title", "rubric"}), lambda position: Loop.objects.filter(position=position)),
    "user": (frozenset({"username", "first_name", "last_name"}), _loops_of_user),
}


def debrief_names_saved(sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    """post_save of a Candidate, Position or user (connected in DebriefsConfig.ready)."""
    fields, loops_of = SHOWN_ELSEWHERE[sender._meta.model_name]
    if created or (update_fields is not None and not fields.intersection(update_fields)):
        return  # a sign-in saves `last_login` only, for one
    loop_ids = list(loops_of(instance).values_list("pk", flat=True).distinct())
    if loop_ids:
        debrief_documents_refresh(loop_ids=loop_ids)


@transaction.atomic(savepoint=False)
def loop_recompute_decision(*, loop: Loop, locked: bool = False, document: bool = True) -> Outcome:
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
    if document:  # `document=False`: the caller writes more that the debrief shows, then the document itself
        debrief_document_write(loop_id=row.pk)
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
    outcome = loop_recompute_decision(loop=locked, locked=True, document=False)
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
    debrief_document_write(loop_id=locked.pk)
    return locked
