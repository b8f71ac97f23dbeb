"""The reminders' rules as pure functions on plain values: when they fall due, whether one still applies,
how a failed send is retried, and how a deadline reads to a busy person.

No Django here: debriefs.outbox, debriefs.reminders (the dispatcher) and the emails call these
(see DESIGN.md, "Reminders").
"""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from debriefs.aggregation import DEBRIEF_WITHHELD, debrief_access
from scorecards.rules import scorecard_due_at

NOTE_NOW = "note_now"
NOTE_OVERDUE = "note_overdue"
SCORECARD_OVERDUE = "scorecard_overdue"
DEBRIEF_READY = "debrief_ready"
DEBRIEF_MEETING = "debrief_meeting"
# Notices to an interviewer whose interview the recruiter cancelled, moved, or gave to (or took from) them.
INTERVIEW_CANCELLED = "interview_cancelled"
INTERVIEW_RESCHEDULED = "interview_rescheduled"
INTERVIEW_ASSIGNED = "interview_assigned"
NOTICE_KINDS: tuple[str, ...] = (INTERVIEW_CANCELLED, INTERVIEW_RESCHEDULED, INTERVIEW_ASSIGNED)
KINDS: tuple[str, ...] = (NOTE_NOW, NOTE_OVERDUE, SCORECARD_OVERDUE, DEBRIEF_READY, DEBRIEF_MEETING, *NOTICE_KINDS)
FINAL_DECISIONS: tuple[str, ...] = ("hire", "no_hire")

# A failed send waits this long before the next try, doubling each time, never more than the cap.
RETRY_FIRST_DELAY = timedelta(seconds=30)
RETRY_MAX_DELAY = timedelta(hours=1)


@dataclass(frozen=True)
class ScorecardReminder:
    sequence: int  # 1 for the first, 2 for the second...
    due_at: datetime
    copy_recruiter: bool  # "recruiter copied from the second"


def scorecard_reminders(ended_at: datetime, *, due_hours: float, most: int) -> list[ScorecardReminder]:
    """scorecard_overdue: ended_at + due_hours, then every due_hours, `most` at most; the recruiter copied from the second."""
    period = timedelta(hours=due_hours)
    due_at = scorecard_due_at(ended_at, due_hours=due_hours)  # the scorecard's deadline: the first reminder
    assert due_at is not None
    return [
        ScorecardReminder(sequence=n, due_at=shifted(due_at, period * (n - 1)), copy_recruiter=n >= 2)
        for n in range(1, most + 1)
    ]


def debrief_meeting_due_at(debrief_at: datetime, *, lead_minutes: float) -> datetime:
    return shifted(debrief_at, -timedelta(minutes=lead_minutes))


def shifted(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta`, or the calendar's first or last instant where that falls outside it (years 1 to 9999).

    A reminder time never overflows: the one before a debrief at 0001-01-01 00:10 is due at 0001-01-01 00:00.
    """
    try:
        return moment + delta
    except OverflowError:
        edge = datetime.max if delta > timedelta(0) else datetime.min
        return edge.replace(tzinfo=moment.tzinfo)


def debrief_ready_applies(decision: str, previous: str) -> bool:
    """A debrief_ready is owed when the decision becomes final (a No, or all scorecards in) or flips between finals."""
    return decision in FINAL_DECISIONS and decision != previous


def debrief_ready_audience(*, recruiter_id: int, panel: Iterable[tuple[int, bool]]) -> list[int]:
    """Who a debrief_ready goes to: the recruiter, and each panel member (shadows too) whose own scorecard is in,
    each once, the recruiter first, then the panel in its order. `panel`: (interviewer id, scorecard submitted).

    Never a member still writing theirs: "ready" while your scorecard is missing could only mean someone said
    No, and your vote would no longer be your own (DESIGN.md, Reminders; the guide's independence).
    """
    return list(dict.fromkeys([recruiter_id, *(user_id for user_id, submitted in panel if submitted)]))


def debrief_ready_owed_on_submit(decision: str, previous: str) -> bool:
    """Whether the panel member who just submitted is owed the debrief_ready of a decision that was ALREADY final
    before their scorecard came in (`previous` → `decision` is what their submit did to it). When their submit
    made it final (or flipped it) the decision's own debrief_ready includes them; when it is not final, none is due.
    """
    return decision in FINAL_DECISIONS and decision == previous


def debrief_withheld(*, recipient_id: int, recruiter_id: int, panel: Iterable[tuple[int, bool]]) -> bool:
    """True when a debrief_ready's recipient sits on the panel without their own scorecard in (and is not the
    recruiter): it must not reach them yet (see `debrief_ready_audience`)."""
    own = [submitted for user_id, submitted in panel if user_id == recipient_id]
    access = debrief_access(recruiter=recipient_id == recruiter_id, on_panel=bool(own), own_submitted=all(own))
    return access == DEBRIEF_WITHHELD


@dataclass(frozen=True)
class Facts:
    """What the dispatcher knows, just before sending, about the thing a reminder is for."""

    now: datetime
    loop_closed: bool = False
    note_written: bool = False
    note_due_at: datetime | None = None  # the interview's five-minute deadline, once it has ended
    scorecard_submitted: bool = False
    decision: str = "pending"
    debrief_at: datetime | None = None
    debrief_withheld: bool = False  # a debrief_ready's recipient is on the panel, their own scorecard not in
    interview_cancelled: bool = False  # the reminder's interview was cancelled by the recruiter
    interview_ended: bool = False
    recipient_holds_interview: bool = True  # the recipient is (still) the reminder's interview's interviewer
    superseded: bool = False  # a later notice of the same kind, interview and recipient exists


def cancel_reason(kind: str, facts: Facts) -> str | None:
    """Why a due reminder no longer applies, or None to send it. A reminder is never sent for work already done."""
    if kind in NOTICE_KINDS:
        return _notice_cancel_reason(kind, facts)
    if facts.loop_closed:
        return "The loop is closed."
    if facts.interview_cancelled:
        return "The interview was cancelled."
    if kind == NOTE_NOW:
        if facts.note_written:
            return "The note was already written."
        if facts.note_due_at is not None and facts.now >= facts.note_due_at:
            # Late by a whole window (a worker was down, or the sweep ended it late): the overdue one says it.
            return "The note window had closed before it could be sent; the note_overdue reminder replaces it."
        return None
    if kind == NOTE_OVERDUE:
        return "The note was written in the meantime." if facts.note_written else None
    if kind == SCORECARD_OVERDUE:
        return "The scorecard was submitted." if facts.scorecard_submitted else None
    if kind == DEBRIEF_READY:
        if facts.decision not in FINAL_DECISIONS:
            return "The decision is no longer final."
        if facts.debrief_withheld:
            return "The recipient's own scorecard is not in yet: the debrief opens to them once it is."
        return None
    if kind == DEBRIEF_MEETING:
        if facts.debrief_at is None:
            return "The debrief meeting is no longer scheduled."
        if facts.debrief_at <= facts.now:
            return "The debrief meeting has already started."
        return None
    return f"Unknown reminder kind {kind!r}."


def _notice_cancel_reason(kind: str, facts: Facts) -> str | None:
    """A notice about an interview's schedule goes out only while it is still true and the latest of its kind.

    A cancellation is told even on a closed loop (a decided No closes it: the interviewer must still hear their
    hour is free); a move or an assignment is not, nor once the interview was cancelled, ended or given away.
    """
    if facts.superseded:
        return "A later notice of the same change replaces it."
    if kind == INTERVIEW_CANCELLED:
        if not facts.interview_cancelled and facts.recipient_holds_interview:
            return "The interview is theirs again and not cancelled."
        return None
    if facts.loop_closed:
        return "The loop is closed."
    if facts.interview_cancelled:
        return "The interview was cancelled."
    if not facts.recipient_holds_interview:
        return "The interview was given to another interviewer."
    if facts.interview_ended:
        return "The interview has already ended."
    return None


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 30 s, 1 min, 2 min, ... at most an hour."""
    doublings = min(max(attempts - 1, 0), 20)  # 2**20 times 30 s is far past the cap, and cannot overflow
    return min(RETRY_FIRST_DELAY * 2**doublings, RETRY_MAX_DELAY)


def is_transient(error: BaseException) -> bool:
    """A send failure worth retrying: the server was unreachable, timed out, hung up or said 4xx ("try later").

    Anything else (a 5xx refusal, bad credentials, a template bug) is permanent: retrying would fail the same way.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(error, TimeoutError | ConnectionError | socket.gaierror)


def deadline_phrase(when: datetime, now: datetime, zone: tzinfo) -> str:
    """The deadline in the reader's terms: "14:35, in 5 minutes" or "14:35, 3 minutes ago" (another day: "Tue 24 Nov 14:35, ...").

    Seconds only show for a clock shorter than a minute (a demo's NOTE_WINDOW_MINUTES=0.2).
    """
    local_when, local_now = when.astimezone(zone), now.astimezone(zone)
    clock = local_when.strftime("%H:%M")
    if local_when.date() != local_now.date():
        clock = f"{local_when.strftime('%a')} {local_when.day} {local_when.strftime('%b %H:%M')}"
    seconds = (when - now).total_seconds()
    if abs(seconds) < 5:
        return f"{clock}, now" if seconds >= 0 else f"{clock}, just now"
    span = _span(abs(seconds))
    return f"{clock}, in {span}" if seconds > 0 else f"{clock}, {span} ago"


def _span(seconds: float) -> str:
    if seconds < 59.5:
        return f"{round(seconds)} seconds"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(seconds / 3600)
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{round(seconds / 86400)} days"
