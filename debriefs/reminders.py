"""Sending the outbox: the dispatcher's claim, re-check, send and record; the sweep that ends forgotten interviews;
the emails themselves; and the admin's "send again" and "cancel".

Delivery is AT-LEAST-ONCE. A row is claimed (a short lease in `next_attempt_at`), sent, then marked sent; a
worker killed after the mail server accepted the message but before the mark leaves the row claimed, and
when the lease (REMINDER_CLAIM_SECONDS) runs out the next dispatcher sends it again. The other order
(mark, then send) would be at-most-once and could lose a reminder; a duplicate "write your note" is the
cheaper mistake. Two dispatchers never send the same row within a lease: the claim is a
`select_for_update(skip_locked=True)` on PostgreSQL plus a conditional UPDATE that only one of them wins.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from debriefs import reminder_rules
from debriefs.models import Reminder
from interviewloop.models import Interview, Loop

logger = logging.getLogger(__name__)

PENDING = Q(sent_at__isnull=True, cancelled_at__isnull=True, failed_at__isnull=True)


class PermanentSendError(Exception):
    """A reminder that cannot be sent however often it is tried (no address, say)."""


@dataclass
class DispatchResult:
    sent: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in ("sent", "cancelled", "retrying", "failed")}


def reminders_dispatch(*, limit: int = 200) -> DispatchResult:
    """Send every due reminder (at most `limit` per run), one claimed row at a time. Safe to run in parallel."""
    result = DispatchResult()
    for _ in range(limit):
        reminder = _claim_next()
        if reminder is None:
            break
        _deliver(reminder, result)
    return result


def _claim_next() -> Reminder | None:
    """Claim the next due row for this dispatcher: push its `next_attempt_at` one lease ahead.

    skip_locked lets parallel dispatchers pass over each other's rows on PostgreSQL (SQLite ignores it and
    serialises the transaction instead); the UPDATE is conditional on the value just read, so even without
    row locks only one dispatcher can win a row.
    """
    while True:
        now = timezone.now()
        with transaction.atomic():
            candidate = (
                Reminder.objects.filter(PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "id")
                .select_for_update(skip_locked=True)
                .only("id", "next_attempt_at")
                .first()
            )
            if candidate is None:
                return None
            won = Reminder.objects.filter(PENDING, pk=candidate.pk, next_attempt_at=candidate.next_attempt_at).update(
                next_attempt_at=now + timedelta(seconds=settings.REMINDER_CLAIM_SECONDS)
            )
        if won:
            return Reminder.objects.select_related(
                "interview", "loop__candidate", "loop__position", "loop__recruiter", "recipient", "copy_to"
            ).get(pk=candidate.pk)


def _deliver(reminder: Reminder, result: DispatchResult) -> None:
    now = timezone.now()
    facts = reminder_facts(reminder, now)
    reason = reminder_rules.cancel_reason(reminder.kind, facts)
    if reason:
        Reminder.objects.filter(PENDING, pk=reminder.pk).update(cancelled_at=now, cancel_reason=reason)
        logger.info("reminders: cancelled %s #%s: %s", reminder.kind, reminder.pk, reason)
        result.cancelled.append(reminder.pk)
        return
    attempts = reminder.attempts + 1
    try:
        message = reminder_email(reminder, now=now)
        with get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT) as connection:
            message.connection = connection
            message.send()
    except Exception as error:  # every failure is recorded on the row; is_transient decides retry or give up
        last_error = f"{type(error).__name__}: {error}"[:2000]
        if reminder_rules.is_transient(error) and attempts < settings.REMINDER_MAX_ATTEMPTS:
            retry_at = timezone.now() + reminder_rules.retry_delay(attempts)
            Reminder.objects.filter(PENDING, pk=reminder.pk).update(
                attempts=attempts, last_error=last_error, next_attempt_at=retry_at
            )
            logger.warning("reminders: %s #%s failed (%s), retrying at %s", reminder.kind, reminder.pk, error, retry_at)
            result.retrying.append(reminder.pk)
        else:
            Reminder.objects.filter(PENDING, pk=reminder.pk).update(
                attempts=attempts, last_error=last_error, failed_at=timezone.now()
            )
            logger.error("reminders: %s #%s failed for good: %s", reminder.kind, reminder.pk, last_error)
            result.failed.append(reminder.pk)
        return
    # If this process dies right here, the lease runs out and the row is sent again: at-least-once.
    Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=attempts, last_error=""
    )
    logger.info("reminders: sent %s #%s to %s", reminder.kind, reminder.pk, reminder.recipient.get_username())
    result.sent.append(reminder.pk)


def reminder_facts(reminder: Reminder, now: datetime) -> reminder_rules.Facts:
    """What cancel_reason needs, read fresh from the database (two small queries at most)."""
    from scorecards.models import Note, Scorecard

    loop = reminder.loop
    interview = reminder.interview
    note_written = scorecard_submitted = False
    if interview is not None:
        if reminder.kind in (Reminder.Kind.NOTE_NOW, Reminder.Kind.NOTE_OVERDUE):
            note_written = Note.objects.filter(interview_id=interview.pk).exists()
        if reminder.kind == Reminder.Kind.SCORECARD_OVERDUE:
            scorecard_submitted = Scorecard.objects.filter(
                interview_id=interview.pk, status=Scorecard.Status.SUBMITTED
            ).exists()
    return reminder_rules.Facts(
        now=now,
        loop_closed=loop.status == Loop.Status.CLOSED,
        note_written=note_written,
        note_due_at=interview.note_due_at if interview is not None else None,
        scorecard_submitted=scorecard_submitted,
        decision=loop.decision,
        debrief_at=loop.debrief_at,
    )


# --- The emails ------------------------------------------------------------------------------------------------


def reminder_email(reminder: Reminder, *, now: datetime) -> EmailMultiAlternatives:
    """The reminder as a plain-text + HTML email: what to do, by when in the reader's terms, and one link to do it."""
    recipient = reminder.recipient
    if not recipient.email:
        raise PermanentSendError(f"{recipient.get_username()} has no email address.")
    context = _email_context(reminder, now=now)
    subject = " ".join(render_to_string(f"emails/{reminder.kind}_subject.txt", context).split())
    text = render_to_string(f"emails/{reminder.kind}.txt", context)
    html = render_to_string(f"emails/{reminder.kind}.html", context)
    cc = [reminder.copy_to.email] if reminder.copy_to is not None and reminder.copy_to.email else []
    message = EmailMultiAlternatives(subject=subject, body=text, to=[recipient.email], cc=cc)
    message.attach_alternative(html, "text/html")
    # Lets a mail filter (and a test) tell reminders apart without parsing the prose.
    message.extra_headers["X-Interviewloop-Reminder"] = f"{reminder.kind} {reminder.pk}"
    return message


def _email_context(reminder: Reminder, *, now: datetime) -> dict[str, object]:
    zone = timezone.get_default_timezone()
    loop = reminder.loop
    interview = reminder.interview
    recipient = reminder.recipient
    context: dict[str, object] = {
        "reminder": reminder,
        "recipient_name": recipient.first_name or recipient.get_username(),
        "candidate": loop.candidate.name,
        "position": loop.position.title,
        "copied": reminder.copy_to is not None,
        "time_zone": str(zone),
        "note_window_minutes": _number(settings.NOTE_WINDOW_MINUTES),
        "reminders_max": settings.SCORECARD_REMINDERS_MAX,
    }
    if reminder.kind in (Reminder.Kind.NOTE_NOW, Reminder.Kind.NOTE_OVERDUE):
        assert interview is not None and interview.note_due_at is not None
        context["link"] = page_url("interview-note", interview.pk, fallback=f"/interviews/{interview.pk}/note/")
        context["deadline"] = reminder_rules.deadline_phrase(interview.note_due_at, now, zone)
    elif reminder.kind == Reminder.Kind.SCORECARD_OVERDUE:
        assert interview is not None
        context["link"] = page_url(
            "interview-scorecard", interview.pk, fallback=f"/interviews/{interview.pk}/scorecard/"
        )
        context["deadline"] = reminder_rules.deadline_phrase(reminder.due_at, now, zone)
    elif reminder.kind == Reminder.Kind.DEBRIEF_READY:
        context.update(_debrief_context(reminder))
        context["link"] = page_url("loop-debrief", loop.pk, fallback=f"/loops/{loop.pk}/")
    elif reminder.kind == Reminder.Kind.DEBRIEF_MEETING:
        assert loop.debrief_at is not None
        context["link"] = page_url("loop-debrief", loop.pk, fallback=f"/loops/{loop.pk}/")
        context["deadline"] = reminder_rules.deadline_phrase(loop.debrief_at, now, zone)
    return context


def _debrief_context(reminder: Reminder) -> dict[str, object]:
    """The decision and the tally, except to a panel member who has not submitted: independence comes first
    ("an interviewer sees their own note and scorecard only, until they have submitted their scorecard")."""
    from debriefs.aggregation import decide, tally
    from debriefs.services import loop_panel
    from scorecards.models import Scorecard
    from scorecards.rules import VOTE_LABELS

    loop = reminder.loop
    own = Interview.objects.filter(loop=loop, interviewer_id=reminder.recipient_id).select_related("scorecard").first()
    own_scorecard = getattr(own, "scorecard", None) if own is not None else None
    if own is not None and (own_scorecard is None or own_scorecard.status != Scorecard.Status.SUBMITTED):
        return {
            "withheld": True,
            "scorecard_link": page_url("interview-scorecard", own.pk, fallback=f"/interviews/{own.pk}/scorecard/"),
        }
    panel = loop_panel(loop)
    outcome = decide(panel)
    return {
        "withheld": False,
        "decision": loop.get_decision_display(),
        "decision_key": loop.decision,
        "reasons": list(outcome.reasons),
        "tally": [(VOTE_LABELS[vote], count) for vote, count in reversed(list(tally(panel).items()))],
    }


def page_url(name: str, pk: int, *, fallback: str) -> str:
    """An absolute link for an email: the named page if it is registered, else its path from DESIGN.md."""
    try:
        path = reverse(name, args=[pk])
    except NoReverseMatch:
        path = fallback
    return f"{settings.SITE_URL}{path}"


def _number(value: float) -> str:
    return f"{value:g}"


# --- The sweep -------------------------------------------------------------------------------------------------


def interviews_end_overdue(*, limit: int = 500) -> list[int]:
    """End, at their scheduled end, interviews whose scheduled end has passed with nobody ending them.

    Uses the partial index interview_not_ended_idx. Each goes through interview_end in its own
    transaction (which writes its reminders), so one bad row does not hold back the rest.
    """
    from interviewloop.services import interview_end

    now = timezone.now()
    overdue = list(
        Interview.objects.filter(ended_at__isnull=True, scheduled_end__lte=now).order_by("scheduled_end")[:limit]
    )
    ended: list[int] = []
    for interview in overdue:
        try:
            interview_end(interview=interview, at=interview.scheduled_end)
        except Exception:
            logger.exception("reminders: could not end interview #%s at its scheduled end", interview.pk)
            continue
        ended.append(interview.pk)
    return ended


# --- Admin actions ---------------------------------------------------------------------------------------------


@transaction.atomic
def reminder_send_again(*, reminders: QuerySet[Reminder]) -> int:
    """Queue reminders to be sent again now (sent, failed or cancelled ones too). The dispatcher still re-checks
    that each applies, so "send again" never nags someone about work already done."""
    now = timezone.now()
    count = reminders.update(
        sent_at=None,
        cancelled_at=None,
        cancel_reason="",
        failed_at=None,
        attempts=0,
        last_error="",
        next_attempt_at=now,
    )
    if count:
        from debriefs.outbox import kick_dispatcher

        transaction.on_commit(kick_dispatcher)
    return count


@transaction.atomic
def reminder_cancel(*, reminders: QuerySet[Reminder], by: object) -> int:
    """Cancel the pending ones among `reminders`; sent, failed and already cancelled ones are left as they are."""
    user = by if isinstance(by, get_user_model()) else None
    who = user.get_username() if user is not None else "an admin"
    return reminders.filter(PENDING).update(cancelled_at=timezone.now(), cancel_reason=f"Cancelled in admin by {who}.")
