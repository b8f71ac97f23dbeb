"""Sending the outbox: the dispatcher's claim, re-check, send and record; the sweep that ends forgotten interviews;
the emails themselves; and the admin's "send again" and "cancel".

Delivery is AT-LEAST-ONCE. A row is claimed (a short lease in `next_attempt_at`), sent, then marked sent; a
worker killed after the mail server accepted the message but before the mark leaves the row claimed, and
when the lease (REMINDER_CLAIM_SECONDS) runs out the next dispatcher sends it again. The other order
(mark, then send) would be at-most-once and could lose a reminder; a duplicate "write your note" is the
cheaper mistake. Two dispatchers never send the same row within a lease: the claim is a
`select_for_update(skip_locked=True)` on PostgreSQL plus a conditional UPDATE that only one of them wins.

Throughput: rows are claimed CLAIM_BATCH at a time (one transaction), their "does it still apply" facts read for
the whole batch in two queries, the panels its debrief_ready emails tell of in one more (all again if they grow
older than FACTS_MAX_AGE), and the emails sent over up to REMINDER_SEND_CONNECTIONS SMTP connections at once, each kept for the whole run and driven by its own thread,
so one message's round trips to the mail server overlap the next one's rendering. Every database read and write
stays on the dispatcher's own thread. A row is only sent while its lease has a send's time left, and a batch's
sent rows are marked together, in one statement, as soon as the batch's last send is over: still within the
lease, so no other dispatcher can take them first. The price is in the crash case only: a worker killed
mid-batch leaves that batch's sent rows unmarked, and they go out again when their lease runs out.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import smtplib
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import Max, Model, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from debriefs import reminder_rules
from debriefs.models import Reminder
from debriefs.services import PanelSeat, loop_panels
from interviewloop import calendar
from interviewloop.compiled import CompiledQuery, columns, instances
from interviewloop.invites import invite_for
from interviewloop.models import Interview, Loop
from interviewloop.profiles import Profile, time_zone_of, zone_or_site

logger = logging.getLogger(__name__)

PENDING = Q(sent_at__isnull=True, cancelled_at__isnull=True, failed_at__isnull=True)
# How many due rows one claim takes (one transaction), then sends over the same SMTP connection.
CLAIM_BATCH = 50
# The batch's "does it still apply" facts are read again when older than this (a slow mail server).
FACTS_MAX_AGE = timedelta(seconds=2)


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
    """Send every due reminder (at most `limit` per run), claimed CLAIM_BATCH rows at a time over one SMTP
    connection. Safe to run in parallel."""
    result = DispatchResult()
    done = 0
    with _Senders(settings.REMINDER_SEND_CONNECTIONS) as senders:
        while done < limit:
            batch, lease_until = _claim_batch(min(CLAIM_BATCH, limit - done))
            if not batch:
                break
            done += _deliver_batch(batch, lease_until, senders, result)
    return result


def _claim_batch(size: int) -> tuple[list[Reminder], datetime]:
    """Claim up to `size` due rows for this dispatcher in one transaction: push their `next_attempt_at` one lease
    ahead. Returns them (with what the emails need) in claim order, and the lease's end.

    skip_locked lets parallel dispatchers pass over each other's rows on PostgreSQL (SQLite ignores it and
    serialises the transaction instead); the UPDATE only takes rows that are still pending and not leased, so
    even without row locks no two dispatchers can both win a row. If it wins fewer rows than it read (someone
    else got there between the two statements: only possible without row locks), the claim is rolled back
    and retried one row at a time.
    """
    while True:
        now = timezone.now()
        lease_until = now + timedelta(seconds=settings.REMINDER_CLAIM_SECONDS)
        with transaction.atomic():
            ids = list(
                Reminder.objects.filter(PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "id")
                .select_for_update(skip_locked=True)
                .values_list("id", flat=True)[:size]
            )
            if not ids:
                return [], lease_until
            won = Reminder.objects.filter(PENDING, pk__in=ids, next_attempt_at__lte=now).update(
                next_attempt_at=lease_until
            )
            if won != len(ids):
                transaction.set_rollback(True)
        if won == len(ids):
            break
        size = 1
    return _load(ids), lease_until


def _load(ids: list[int]) -> list[Reminder]:
    """The rows with everything their emails and re-check need, in the order of `ids` (one query).

    As `Reminder.objects.select_related("interview", "loop__candidate", "loop__position", "recipient",
    "copy_to").in_bulk(ids)` would load them, but with only the columns the emails and the re-check read (the
    rest deferred) and SQL compiled once per process: building every column of seven models was a tenth of a
    send's CPU. tests/debriefs/test_reminders_batch.py compares the two.
    """
    query, parts = _load_query()
    by_pk = {}
    for row in query(ids=ids):
        reminder, interview, loop, candidate, position, recipient, copy_to, profile = instances(row, *parts)
        # The recipient's time zone, for the email's times (no profile: the site's zone), read with the row.
        recipient.loaded_time_zone = zone_or_site(profile.time_zone if profile is not None else None)
        _LOOP_FIELDS["candidate"].set_cached_value(loop, candidate)
        _LOOP_FIELDS["position"].set_cached_value(loop, position)
        for name, value in (("interview", interview), ("loop", loop), ("recipient", recipient), ("copy_to", copy_to)):
            _REMINDER_FIELDS[name].set_cached_value(reminder, value)
        by_pk[reminder.pk] = reminder
    return [by_pk[pk] for pk in ids if pk in by_pk]


_REMINDER_FIELDS: dict[str, Any] = {
    name: Reminder._meta.get_field(name) for name in ("interview", "loop", "recipient", "copy_to")
}
_LOOP_FIELDS: dict[str, Any] = {name: Loop._meta.get_field(name) for name in ("candidate", "position")}


@cache
def _load_query() -> tuple[CompiledQuery, tuple[tuple[type[Model], tuple[str, ...]], ...]]:
    """_load's compiled read and its parts: (path from the reminder, model, the columns the dispatcher reads); the
    recipient's profile too, for the time zone the email's times are in."""
    from interviewloop.models import Candidate, Position

    user = ("id", "username", "first_name", "email")
    parts = (
        ("", Reminder, columns(Reminder)),
        ("interview__", Interview, columns(Interview)),
        ("loop__", Loop, ("id", "candidate_id", "position_id", "recruiter_id", "debrief_at", "status", "decision")),
        ("loop__candidate__", Candidate, ("id", "name")),
        ("loop__position__", Position, ("id", "title")),
        ("recipient__", get_user_model(), user),
        ("copy_to__", get_user_model(), user),
        ("recipient__profile__", Profile, ("id", "user_id", "time_zone")),  # a LEFT JOIN: no row, the site's zone
    )
    selected = [path + name for path, _, names in parts for name in names]
    query = CompiledQuery(lambda ids: Reminder.objects.filter(pk__in=ids).values_list(*selected))
    return query, tuple((model, names) for _, model, names in parts)


def _deliver_batch(batch: list[Reminder], lease_until: datetime, senders: _Senders, result: DispatchResult) -> int:
    """Re-check, send and record each claimed row in turn; returns how many it dealt with.

    The re-check's facts (the loop, the interview, notes and scorecards) are read for the whole batch at once,
    and read again for the rest of it whenever they are more than FACTS_MAX_AGE old (a slow mail server).
    A row is only sent while its lease still has one send's time (EMAIL_TIMEOUT) left, so another dispatcher
    cannot take it meanwhile; once the lease runs short, the rest of the batch is handed back, due now, for the
    next claim. The first row of a batch is always tried, as a one-row claim would be.
    """
    margin = timedelta(seconds=min(settings.EMAIL_TIMEOUT, settings.REMINDER_CLAIM_SECONDS))
    sent: list[_Sent] = []
    checked_at = timezone.now()
    done = _BatchFacts.load(batch)
    index = 0
    while index < len(batch):
        now = timezone.now()
        if index and now + margin > lease_until:
            rest = [row.pk for row in batch[index:]]
            Reminder.objects.filter(PENDING, pk__in=rest, next_attempt_at=lease_until).update(next_attempt_at=now)
            logger.warning("reminders: lease running out, %s claimed reminders handed back", len(rest))
            break
        if now - checked_at > FACTS_MAX_AGE:
            batch = batch[:index] + _load([row.pk for row in batch[index:]])
            done, checked_at = _BatchFacts.load(batch[index:]), now
            if index == len(batch):
                break
        reminder = batch[index]
        _deliver(reminder, senders, result, sent, now=now, done=done)
        index += 1
    senders.wait_all()
    _mark_sent(sent)
    return index


def _deliver(
    reminder: Reminder,
    senders: _Senders,
    result: DispatchResult,
    sent: list[_Sent],
    *,
    now: datetime,
    done: _BatchFacts,
) -> None:
    """Cancel the row if it no longer applies (by the batch's facts, `done`); else hand its email to a sender and
    record the outcome when the send is over (on this thread, see _Senders): a success joins `sent`, marked with the
    rest of the batch."""
    reason = reminder_rules.cancel_reason(reminder.kind, reminder_facts(reminder, now, done=done))
    if reason:
        Reminder.objects.filter(PENDING, pk=reminder.pk).update(cancelled_at=now, cancel_reason=reason)
        logger.info("reminders: cancelled %s #%s: %s", reminder.kind, reminder.pk, reason)
        result.cancelled.append(reminder.pk)
        return
    try:
        message = reminder_email(reminder, now=now, done=done)
    except Exception as error:
        _record(reminder, result, sent, error)
        return
    senders.send(message, lambda error: _record(reminder, result, sent, error))


def _record(reminder: Reminder, result: DispatchResult, sent: list[_Sent], error: BaseException | None) -> None:
    """What became of one send: sent (to be marked with its batch), to retry later, or failed for good."""
    attempts = reminder.attempts + 1
    if error is not None:  # every failure is recorded on the row; is_transient decides retry or give up
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
    # If this process dies before the batch is marked, the lease runs out and the row is sent again: at-least-once.
    sent.append(_Sent(pk=reminder.pk, attempts=attempts, at=timezone.now()))
    logger.info("reminders: sent %s #%s to %s", reminder.kind, reminder.pk, reminder.recipient.get_username())
    result.sent.append(reminder.pk)


@dataclass(frozen=True)
class _Sent:
    pk: int
    attempts: int
    at: datetime


def _mark_sent(rows: list[_Sent]) -> None:
    """Mark a batch's sent rows, each with its own time and attempt count, in one transaction (one statement on
    PostgreSQL): one commit per batch rather than one per row halved the database's share of a send. The SQL is
    written once per vendor rather than compiled by Django each time (see _mark_sent_sql)."""
    if not rows:
        return
    sql = _mark_sent_sql(connection.vendor)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                sql, ["", [row.at for row in rows], [row.attempts for row in rows], [row.pk for row in rows]]
            )
        else:
            adapt = connection.ops.adapt_datetimefield_value
            cursor.executemany(sql, [(adapt(row.at), row.attempts, "", row.pk) for row in rows])


@cache
def _mark_sent_sql(vendor: str) -> str:
    """`Reminder.objects.filter(pk=pk, sent_at__isnull=True).update(sent_at=at, attempts=attempts, last_error="")`
    for a whole batch, built once from the model's metadata: on PostgreSQL one UPDATE over unnest()ed arrays of
    (sent_at, attempts, id); elsewhere the one-row UPDATE, for executemany."""
    quote = connection.ops.quote_name
    fields = {field.name: field for field in Reminder._meta.concrete_fields}
    column = {name: quote(fields[name].column) for name in ("id", "sent_at", "attempts", "last_error")}
    table = quote(Reminder._meta.db_table)
    if vendor == "postgresql":
        array = {name: f"%s::{fields[name].db_type(connection)}[]" for name in ("sent_at", "attempts", "id")}
        return (
            f"UPDATE {table} SET {column['sent_at']} = sent.at, {column['attempts']} = sent.attempts, "  # noqa: S608
            f"{column['last_error']} = %s "
            f"FROM unnest({array['sent_at']}, {array['attempts']}, {array['id']}) AS sent (at, attempts, id) "
            f"WHERE {table}.{column['id']} = sent.id AND {table}.{column['sent_at']} IS NULL"
        )
    return (
        f"UPDATE {table} SET {column['sent_at']} = %s, {column['attempts']} = %s, "  # noqa: S608
        f"{column['last_error']} = %s WHERE {column['id']} = %s AND {column['sent_at']} IS NULL"
    )


class _Senders:
    """Sends emails over up to `size` SMTP connections at once, each driven by its own thread; `on_sent(error)` runs
    on the caller's thread once that send is over, so every database write stays there (and inside its
    transaction). With one connection the send happens right away on the caller's thread."""

    def __init__(self, size: int) -> None:
        self.free = [_Mailer() for _ in range(max(size, 1))]
        self.mailers = list(self.free)
        self.pool = ThreadPoolExecutor(len(self.free), thread_name_prefix="reminder-smtp") if size > 1 else None
        self.in_flight: dict[Future[None], tuple[_Mailer, Callable[[BaseException | None], None]]] = {}

    def __enter__(self) -> _Senders:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.wait_all()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)
            for mailer in self.mailers:
                mailer.close()

    def send(self, message: EmailMultiAlternatives, on_sent: Callable[[BaseException | None], None]) -> None:
        if self.pool is None:
            error: BaseException | None = None
            try:
                self.free[0].send(message)
            except Exception as failure:
                error = failure
            on_sent(error)
            return
        while not self.free:
            self._collect(block=True)
        mailer = self.free.pop()
        self.in_flight[self.pool.submit(mailer.send, message)] = (mailer, on_sent)
        self._collect(block=False)

    def wait_all(self) -> None:
        """Until every send handed over is over (and recorded)."""
        while self.in_flight:
            self._collect(block=True)

    def _collect(self, *, block: bool) -> None:
        finished, _ = wait(self.in_flight, timeout=None if block else 0, return_when=FIRST_COMPLETED)
        for future in finished:
            mailer, on_sent = self.in_flight.pop(future)
            self.free.append(mailer)
            on_sent(future.exception())


class _Mailer:
    """One SMTP connection for a whole dispatcher run, opened on the first send and reopened after any error
    (so an unreachable server still fails, and is recorded, row by row)."""

    def __init__(self) -> None:
        self.connection: BaseEmailBackend | None = None
        self.sent_on_connection = 0

    def __enter__(self) -> _Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, message: EmailMultiAlternatives) -> None:
        reused = self.connection is not None and self.sent_on_connection > 0
        try:
            self._send(message)
        except smtplib.SMTPServerDisconnected:
            if not reused:
                raise
            # The server dropped a connection it had been keeping (idle, or a cap per connection): one fresh try.
            self._send(message)

    def _send(self, message: EmailMultiAlternatives) -> None:
        if self.connection is None:
            connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
            connection.open()
            self.connection, self.sent_on_connection = connection, 0
        message.connection = self.connection
        try:
            message.send()
        except Exception:
            self.close()
            raise
        self.sent_on_connection += 1

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()


@dataclass(frozen=True)
class _BatchFacts:
    """Which of a batch's interviews have a note, and which a submitted scorecard; and the panel of each loop the
    batch tells of a final decision: three queries for the batch at most, none for a kind it has no row of."""

    noted: frozenset[int]
    submitted: frozenset[int]
    panels: dict[int, list[PanelSeat]] = field(default_factory=dict)
    # (kind, interview id, recipient id) → the latest sequence written, for the batch's notices (one query more)
    latest_notices: dict[tuple[str, int, int], int] = field(default_factory=dict)

    @classmethod
    def load(cls, batch: list[Reminder]) -> _BatchFacts:
        from scorecards.models import Note, Scorecard

        note_kinds = (Reminder.Kind.NOTE_NOW, Reminder.Kind.NOTE_OVERDUE)
        for_note = {r.interview_id for r in batch if r.interview_id is not None and r.kind in note_kinds}
        for_scorecard = {
            r.interview_id for r in batch if r.interview_id is not None and r.kind == Reminder.Kind.SCORECARD_OVERDUE
        }
        for_panel = {r.loop_id for r in batch if r.kind == Reminder.Kind.DEBRIEF_READY}
        noted = Note.objects.filter(interview_id__in=for_note).values_list("interview_id", flat=True)
        submitted = Scorecard.objects.filter(
            interview_id__in=for_scorecard, status=Scorecard.Status.SUBMITTED
        ).values_list("interview_id", flat=True)
        for_notice = {
            r.interview_id for r in batch if r.interview_id is not None and r.kind in reminder_rules.NOTICE_KINDS
        }
        latest = (
            Reminder.objects.filter(interview_id__in=for_notice, kind__in=reminder_rules.NOTICE_KINDS)
            .order_by()
            .values_list("kind", "interview_id", "recipient_id")
            .annotate(latest=Max("sequence"))
        )
        return cls(
            noted=frozenset(noted) if for_note else frozenset(),
            submitted=frozenset(submitted) if for_scorecard else frozenset(),
            panels=loop_panels(for_panel) if for_panel else {},
            latest_notices={(kind, i, r): n for kind, i, r, n in latest} if for_notice else {},
        )


def reminder_facts(reminder: Reminder, now: datetime, *, done: _BatchFacts | None = None) -> reminder_rules.Facts:
    """What cancel_reason needs, read fresh from the database (two small queries at most), or from `done`, read
    for the whole batch just before its first send."""
    if done is None:
        done = _BatchFacts.load([reminder])
    loop = reminder.loop
    interview = reminder.interview
    seats = done.panels.get(loop.pk, []) if reminder.kind == Reminder.Kind.DEBRIEF_READY else []
    return reminder_rules.Facts(
        now=now,
        debrief_withheld=reminder_rules.debrief_withheld(
            recipient_id=reminder.recipient_id,
            recruiter_id=loop.recruiter_id,
            panel=[(seat.interviewer_id, seat.vote.submitted) for seat in seats],
        ),
        loop_closed=loop.status == Loop.Status.CLOSED,
        note_written=interview is not None and interview.pk in done.noted,
        note_due_at=interview.note_due_at if interview is not None else None,
        scorecard_submitted=interview is not None and interview.pk in done.submitted,
        decision=loop.decision,
        debrief_at=loop.debrief_at,
        interview_cancelled=interview is not None and interview.cancelled_at is not None,
        interview_ended=interview is not None and interview.ended_at is not None,
        recipient_holds_interview=interview is None or interview.interviewer_id == reminder.recipient_id,
        superseded=interview is not None
        and done.latest_notices.get((reminder.kind, interview.pk, reminder.recipient_id), 0) > reminder.sequence,
    )


# --- The emails ------------------------------------------------------------------------------------------------


class ReminderEmail(EmailMultiAlternatives):
    """Django's text + HTML email, whose MIME boundary is a fresh 128-bit random token rather than one the stdlib
    picks at send time: to be sure of its 63-bit pick, the stdlib compiles a new regular expression for each
    message and searches the whole message with it, a sixth of the cost of writing a reminder out. A random
    128-bit token cannot be guessed from the text around it, so it cannot occur in a body by chance or design."""

    def message(self) -> Any:
        mime = super().message()
        if mime.is_multipart():
            mime.set_boundary(f"=_interviewloop_{secrets.token_hex(16)}")
        return mime


def reminder_email(reminder: Reminder, *, now: datetime, done: _BatchFacts | None = None) -> EmailMultiAlternatives:
    """The reminder as a plain-text + HTML email: what to do, by when in the reader's terms, and one link to do it.
    A debrief_ready email reads its loop's panel from `done` (the batch's), else from the database."""
    recipient = reminder.recipient
    if not recipient.email:
        raise PermanentSendError(f"{recipient.get_username()} has no email address.")
    context = _email_context(reminder, now=now, done=done)
    subject = " ".join(render_to_string(f"emails/{reminder.kind}_subject.txt", context).split())
    text = render_to_string(f"emails/{reminder.kind}.txt", context)
    html = render_to_string(f"emails/{reminder.kind}.html", context)
    cc = [reminder.copy_to.email] if reminder.copy_to is not None and reminder.copy_to.email else []
    message = ReminderEmail(subject=subject, body=text, to=[recipient.email], cc=cc)
    message.attach_alternative(html, "text/html")
    if reminder.kind in reminder_rules.NOTICE_KINDS and reminder.interview is not None:
        # RFC 6047: the invite as a text/calendar alternative, so mail clients offer to add, move or remove it.
        method = calendar.CANCEL if reminder.kind == Reminder.Kind.INTERVIEW_CANCELLED else calendar.REQUEST
        ics = invite_for(reminder.interview, method=method, recipient=recipient, time_zone=str(context["time_zone"]))
        message.attach_alternative(ics.decode(), f"text/calendar; method={method}")
    # Lets a mail filter (and a test) tell reminders apart without parsing the prose.
    message.extra_headers["X-Interviewloop-Reminder"] = f"{reminder.kind} {reminder.pk}"
    return message


def _email_context(reminder: Reminder, *, now: datetime, done: _BatchFacts | None) -> dict[str, object]:
    """What the templates say; every time in the recipient's zone (their profile's, loaded with the row by _load),
    and named."""
    loop = reminder.loop
    interview = reminder.interview
    recipient = reminder.recipient
    zone = ZoneInfo(getattr(recipient, "loaded_time_zone", None) or time_zone_of(recipient))
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
        context.update(_debrief_context(reminder, done=done))
        context["link"] = page_url("loop-debrief", loop.pk, fallback=f"/loops/{loop.pk}/")
    elif reminder.kind == Reminder.Kind.DEBRIEF_MEETING:
        assert loop.debrief_at is not None
        context["link"] = page_url("loop-debrief", loop.pk, fallback=f"/loops/{loop.pk}/")
        context["deadline"] = reminder_rules.deadline_phrase(loop.debrief_at, now, zone)
    elif reminder.kind in reminder_rules.NOTICE_KINDS:
        context.update(_notice_context(reminder, now=now, zone=zone))
    return context


def _notice_context(reminder: Reminder, *, now: datetime, zone: Any) -> dict[str, object]:
    """An interview cancelled, moved or assigned: when it is (as it stands now), why, and the kit's link."""
    interview = reminder.interview
    assert interview is not None
    context: dict[str, object] = {
        "starts": reminder_rules.deadline_phrase(interview.scheduled_start, now, zone),
        "ends": interview.scheduled_end.astimezone(zone).strftime("%H:%M"),
    }
    if reminder.kind == Reminder.Kind.INTERVIEW_CANCELLED:
        context["cancelled"] = interview.cancelled_at is not None
        context["reason"] = interview.cancel_reason
    else:
        context["link"] = page_url("interview-kit", interview.pk, fallback=f"/interviews/{interview.pk}/")
    return context


def _debrief_context(reminder: Reminder, *, done: _BatchFacts | None) -> dict[str, object]:
    """The decision and the tally, except to a panel member who has not submitted: independence comes first
    ("an interviewer sees their own note and scorecard only, until they have submitted their scorecard")."""
    from debriefs.aggregation import decide, tally
    from scorecards.rules import VOTE_LABELS

    loop = reminder.loop
    seats = done.panels[loop.pk] if done is not None and loop.pk in done.panels else loop_panels({loop.pk})[loop.pk]
    own = next((seat for seat in seats if seat.interviewer_id == reminder.recipient_id), None)
    if own is not None and not own.vote.submitted:
        return {
            "withheld": True,
            "scorecard_link": page_url(
                "interview-scorecard", own.interview_id, fallback=f"/interviews/{own.interview_id}/scorecard/"
            ),
        }
    panel = [seat.vote for seat in seats]
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
        Interview.objects.filter(ended_at__isnull=True, scheduled_end__lte=now, cancelled_at__isnull=True).order_by(
            "scheduled_end"
        )[:limit]
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
