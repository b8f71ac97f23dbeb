"""The reminder outbox: every write to it. Services call these inside their transaction, so a reminder exists iff
its cause does; the admin's "send again" and "cancel" are here too.

The dispatcher (debriefs.reminders, run by the debriefs.tasks.dispatch_reminders task) sends the rows. After a
transaction that wrote some commits, that task is nudged by name so a reminder already due goes out within
seconds; if the broker is down the nudge is lost but the rows are not, and beat's next run sends them.

Each reminder is written once per channel its recipient gets (`_by_channel`: their profile's choice of email, Slack
or both; email alone while SLACK_BOT_TOKEN is empty), so each channel's delivery has its own state and retries; every
cancel here matches rows by kind, interview, loop and recipient, so it stops both channels.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from debriefs import reminder_rules, slack_rules
from debriefs.models import PENDING, Reminder
from debriefs.panels import debrief_ready_audience, loop_audience
from debriefs.slack import slack_enabled
from interviewloop.models import Interview, Loop
from interviewloop.profiles import Profile

DISPATCH_TASK = "debriefs.tasks.dispatch_reminders"
# A send of these began and its outcome is not recorded: the dispatcher decides (and says) what became of them.
IN_DOUBT_NOTE = " An earlier send was interrupted; it may have reached them."

logger = logging.getLogger(__name__)


def interview_ended(interview: Interview) -> None:
    """note_now at ended_at, note_overdue at note_due_at, scorecard_overdue from ended_at + SCORECARD_DUE_HOURS."""
    assert interview.ended_at is not None, "interview_ended needs the interview's ended_at"
    ended_at: datetime = interview.ended_at
    note_due_at = interview.note_due_at
    assert note_due_at is not None
    loop = interview.loop
    common = {"interview": interview, "loop": loop, "recipient_id": interview.interviewer_id}
    rows = [
        Reminder(kind=Reminder.Kind.NOTE_NOW, due_at=ended_at, next_attempt_at=ended_at, **common),
        Reminder(kind=Reminder.Kind.NOTE_OVERDUE, due_at=note_due_at, next_attempt_at=note_due_at, **common),
    ]
    for step in reminder_rules.scorecard_reminders(
        ended_at, due_hours=settings.SCORECARD_DUE_HOURS, most=settings.SCORECARD_REMINDERS_MAX
    ):
        copy_to = loop.recruiter_id if step.copy_recruiter and loop.recruiter_id != interview.interviewer_id else None
        rows.append(
            Reminder(
                kind=Reminder.Kind.SCORECARD_OVERDUE,
                sequence=step.sequence,
                due_at=step.due_at,
                next_attempt_at=step.due_at,
                copy_to_id=copy_to,
                **common,
            )
        )
    # The debrief meeting may have been scheduled before this interviewer joined the panel: invite them too.
    meeting = (
        Reminder.objects.filter(loop=loop, kind=Reminder.Kind.DEBRIEF_MEETING, interview__isnull=True)
        .filter(sent_at__isnull=True, cancelled_at__isnull=True, failed_at__isnull=True)
        .order_by("-sequence")
        .first()
    )
    if meeting is not None:
        rows.append(
            Reminder(
                kind=Reminder.Kind.DEBRIEF_MEETING,
                loop=loop,
                recipient_id=interview.interviewer_id,
                sequence=meeting.sequence,
                due_at=meeting.due_at,
                next_attempt_at=meeting.due_at,
            )
        )
    # An interview ends once (interview_end is idempotent); the unique constraint makes a replay harmless too.
    Reminder.objects.bulk_create(_by_channel(rows), ignore_conflicts=True)
    _kick_after_commit()


def note_written(interview: Interview) -> None:
    """Cancel the interview's pending note reminders."""
    _cancel(
        Reminder.objects.filter(interview=interview, kind__in=[Reminder.Kind.NOTE_NOW, Reminder.Kind.NOTE_OVERDUE]),
        "The note was written.",
    )


def scorecard_submitted(interview: Interview, *, decision_before: str) -> None:
    """Cancel the interview's pending scorecard_overdue reminders; and if the loop's decision was already final
    before this scorecard came in (`decision_before`, the loop's decision now), the debrief_ready its interviewer
    was not sent then (see `debrief_ready_audience`), in the same round (sequence) as everyone else's."""
    _cancel(
        Reminder.objects.filter(interview=interview, kind=Reminder.Kind.SCORECARD_OVERDUE),
        "The scorecard was submitted.",
    )
    loop = interview.loop
    if not reminder_rules.debrief_ready_owed_on_submit(loop.decision, decision_before):
        return
    kind = Reminder.Kind.DEBRIEF_READY
    last = Reminder.objects.filter(loop=loop, kind=kind, interview__isnull=True).order_by("-sequence").first()
    now = timezone.now()
    Reminder.objects.bulk_create(
        _by_channel(
            [
                Reminder(
                    kind=kind,
                    loop=loop,
                    recipient_id=interview.interviewer_id,
                    sequence=last.sequence if last else 1,
                    due_at=now,
                    next_attempt_at=now,
                )
            ]
        ),
        ignore_conflicts=True,  # already theirs in this round (the recruiter, say): nothing to add
    )
    _kick_after_commit()


def decision_changed(loop: Loop, *, previous: str) -> None:
    """debrief_ready to the recruiter, and to each panel member whose own scorecard is in, when the decision
    becomes final; the others get theirs when they submit (`scorecard_submitted`)."""
    pending = Reminder.objects.filter(loop=loop, kind=Reminder.Kind.DEBRIEF_READY)
    if not reminder_rules.debrief_ready_applies(loop.decision, previous):
        if loop.decision not in reminder_rules.FINAL_DECISIONS:
            _cancel(pending, "The decision is no longer final.")
        return
    # A flip between finals (an amendment turned a hire into a no hire) replaces a not-yet-sent one.
    _cancel(pending, f"Replaced: the decision changed to {loop.get_decision_display()}.")
    now = timezone.now()
    _write_for_loop(loop, Reminder.Kind.DEBRIEF_READY, due_at=now, audience=debrief_ready_audience(loop))


def debrief_scheduled(loop: Loop) -> None:
    """debrief_meeting DEBRIEF_MEETING_LEAD_MINUTES before loop.debrief_at (rescheduling replaces it)."""
    # Serialises two reschedules of one loop, so each numbers its reminders after the other's.
    Loop.objects.select_for_update().filter(pk=loop.pk).first()
    _cancel(
        Reminder.objects.filter(loop=loop, kind=Reminder.Kind.DEBRIEF_MEETING),
        "The debrief meeting was rescheduled." if loop.debrief_at else "The debrief meeting was cancelled.",
    )
    if loop.debrief_at is None:
        return
    due_at = reminder_rules.debrief_meeting_due_at(loop.debrief_at, lead_minutes=settings.DEBRIEF_MEETING_LEAD_MINUTES)
    _write_for_loop(loop, Reminder.Kind.DEBRIEF_MEETING, due_at=due_at, audience=loop_audience(loop))


def interview_cancelled(interview: Interview) -> None:
    """The interview's pending reminders cancelled with its reason, its interviewer told (interview_cancelled), and
    the debrief meeting's reminder rewritten without them if the meeting is still ahead."""
    _cancel(
        Reminder.objects.filter(interview=interview).exclude(kind=Reminder.Kind.INTERVIEW_CANCELLED),
        f"The interview was cancelled: {interview.cancel_reason}"[:200],
    )
    _notice(interview, Reminder.Kind.INTERVIEW_CANCELLED, recipient_id=interview.interviewer_id)
    meeting_follows_panel(interview.loop)


def interview_scheduled(interview: Interview) -> None:
    """Tell the interviewer they have an interview (interview_assigned), with its calendar invite."""
    _notice(interview, Reminder.Kind.INTERVIEW_ASSIGNED, recipient_id=interview.interviewer_id)


def interview_rescheduled(interview: Interview) -> None:
    """Tell the interviewer the interview moved (interview_rescheduled); a notice of an earlier move not yet sent
    is replaced (the dispatcher's re-check would drop it as superseded anyway)."""
    _notice(interview, Reminder.Kind.INTERVIEW_RESCHEDULED, recipient_id=interview.interviewer_id)


def interview_reassigned(interview: Interview, *, previous_interviewer_id: int) -> None:
    """The interview went from `previous_interviewer_id` to its interviewer now: the old one is told it is off
    their calendar (interview_cancelled), the new one that it is theirs (interview_assigned); notices meant for
    the old one that are not sent yet are cancelled, and the meeting's reminder follows the panel."""
    _cancel(
        Reminder.objects.filter(interview=interview, recipient_id=previous_interviewer_id).exclude(
            kind=Reminder.Kind.INTERVIEW_CANCELLED
        ),
        "The interview was given to another interviewer.",
    )
    _notice(interview, Reminder.Kind.INTERVIEW_CANCELLED, recipient_id=previous_interviewer_id)
    _notice(interview, Reminder.Kind.INTERVIEW_ASSIGNED, recipient_id=interview.interviewer_id)
    meeting_follows_panel(interview.loop)


def _notice(interview: Interview, kind: str, *, recipient_id: int) -> None:
    """One notice, due now, numbered after the last of its kind to the same person about the same interview; the
    earlier ones not yet sent are cancelled as superseded."""
    earlier = Reminder.objects.filter(interview=interview, kind=kind, recipient_id=recipient_id)
    last = earlier.order_by("-sequence").values_list("sequence", flat=True).first()
    _cancel(earlier, "Superseded by a later change to the interview.")
    now = timezone.now()
    notice = Reminder(
        kind=kind,
        interview=interview,
        loop_id=interview.loop_id,
        recipient_id=recipient_id,
        sequence=(last or 0) + 1,
        due_at=now,
        next_attempt_at=now,
    )
    Reminder.objects.bulk_create(_by_channel([notice]))
    _kick_after_commit()


def meeting_follows_panel(loop: Loop) -> None:
    """The debrief meeting's reminder goes to the panel and the recruiter as they are when written: rewrite a future
    one (after a change to either)."""
    if loop.debrief_at is not None and loop.debrief_at > timezone.now():
        debrief_scheduled(loop)


def _write_for_loop(loop: Loop, kind: str, *, due_at: datetime, audience: list[int]) -> None:
    last = Reminder.objects.filter(loop=loop, kind=kind, interview__isnull=True).order_by("-sequence").first()
    sequence = (last.sequence + 1) if last else 1
    Reminder.objects.bulk_create(
        _by_channel(
            [
                Reminder(
                    kind=kind, loop=loop, recipient_id=user_id, sequence=sequence, due_at=due_at, next_attempt_at=due_at
                )
                for user_id in audience
            ]
        ),
        ignore_conflicts=True,
    )
    _kick_after_commit()


def _by_channel(rows: list[Reminder]) -> list[Reminder]:
    """Each row once per channel its recipient gets (slack_rules.channels_for their profile's notify_by): no query
    while Slack is off, one with it on. A copy (the recruiter Cc'd from the second scorecard reminder) rides on the
    email: a row that copies someone keeps its email even for a recipient who chose Slack alone, so the copy is
    never lost; the Slack message goes to the recipient only."""
    if not rows or not slack_enabled():
        return rows
    chosen = dict(
        Profile.objects.filter(user_id__in={row.recipient_id for row in rows}).values_list("user_id", "notify_by")
    )
    written: list[Reminder] = []
    for row in rows:
        channels = slack_rules.channels_for(chosen.get(row.recipient_id, slack_rules.EMAIL), slack_enabled=True)
        if row.copy_to_id is not None and slack_rules.EMAIL not in channels:
            channels = (slack_rules.EMAIL, *channels)
        written.extend(
            Reminder(
                kind=row.kind,
                channel=channel,
                interview_id=row.interview_id,
                loop_id=row.loop_id,
                recipient_id=row.recipient_id,
                copy_to_id=row.copy_to_id if channel == slack_rules.EMAIL else None,
                sequence=row.sequence,
                due_at=row.due_at,
                next_attempt_at=row.next_attempt_at,
            )
            for channel in channels
        )
    return written


def in_doubt(reason: str) -> str:
    """A cancel reason for a reminder whose interrupted send may have delivered it: it says so."""
    return (reason + IN_DOUBT_NOTE)[:200]


def _cancel(reminders: QuerySet[Reminder], reason: str) -> int:
    """Cancel the pending ones among `reminders` whose send has not begun. One being sent right now is left to its
    dispatcher (its outcome is recorded in a moment, and is the truth); one whose send was interrupted is left to the
    next dispatcher, whose re-check says it may have arrived rather than that it never went."""
    return reminders.filter(PENDING, sending_at__isnull=True).update(cancelled_at=timezone.now(), cancel_reason=reason)


@transaction.atomic
def reminder_send_again(*, reminders: QuerySet[Reminder]) -> int:
    """Queue reminders to be sent again now (sent, failed or cancelled ones too). The dispatcher still re-checks
    that each applies, so "send again" never nags someone about work already done."""
    now = timezone.now()
    count = reminders.update(
        sent_at=None,
        sending_at=None,
        cancelled_at=None,
        cancel_reason="",
        failed_at=None,
        attempts=0,
        last_error="",
        next_attempt_at=now,
    )
    if count:
        _kick_after_commit()
    return count


@transaction.atomic
def reminder_cancel(*, reminders: QuerySet[Reminder], by: object) -> int:
    """Cancel the pending ones among `reminders` (sent, failed and already cancelled ones are left as they are); one
    whose earlier send was interrupted is cancelled too, saying it may have arrived."""
    user = by if isinstance(by, get_user_model()) else None
    reason = f"Cancelled in admin by {user.get_username() if user is not None else 'an admin'}."
    now = timezone.now()
    pending = reminders.filter(PENDING)
    doubtful = pending.filter(sending_at__isnull=False).update(cancelled_at=now, cancel_reason=in_doubt(reason))
    return doubtful + _cancel(reminders, reason)


def _kick_after_commit() -> None:
    transaction.on_commit(kick_dispatcher)


def kick_dispatcher() -> None:
    """Ask a worker to dispatch now. Best effort by design, and never on the caller's time: the rows are already
    committed, so if the broker is slow or down the kick is only logged and the reminders wait for beat's next
    dispatcher run (a refused Redis connection alone takes seconds of client retries; a request must not wait)."""
    global _kick_waiting
    with _kick_lock:
        if _kick_waiting:
            return  # one queued kick covers every row committed before it runs
        _kick_waiting = True
    _kick_pool().submit(_publish_kick)


_kick_lock = threading.Lock()
_kick_waiting = False
_kick_executor: ThreadPoolExecutor | None = None


def _kick_pool() -> ThreadPoolExecutor:
    global _kick_executor
    with _kick_lock:  # created on first use, so after a pre-forking server or worker has forked
        if _kick_executor is None:
            _kick_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reminder-kick")
        return _kick_executor


def _publish_kick() -> None:
    global _kick_waiting
    with _kick_lock:
        _kick_waiting = False
    try:
        # A connection of its own, not the producer pool: a pooled connection broken by an outage is not reused.
        with current_app.connection_for_write() as connection:
            # A kick is only a nudge: a stale one (queued during an outage) is dropped rather than run late.
            current_app.send_task(
                DISPATCH_TASK,
                connection=connection,
                retry=False,
                expires=max(settings.REMINDER_DISPATCH_SECONDS * 4, 60),
            )
    except Exception as error:  # any broker failure: the outbox row is the record, the kick is not
        logger.warning("reminders: could not kick the dispatcher (%s); beat will send them", error)
