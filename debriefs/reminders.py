"""The reminder dispatcher: claim due outbox rows, re-check that each still applies, send it, and record at once
what happened to it.

A claim takes up to CLAIM_BATCH due rows with `select_for_update(skip_locked=True)` and leases them (pushes
`next_attempt_at` REMINDER_CLAIM_SECONDS ahead), so two dispatchers never send the same row. Each row's
`sending_at` is committed just before its email goes to the mail server, and the row is marked sent as soon as
the server has accepted it: a worker killed mid-batch leaves its delivered rows marked, the rows it had not
reached pending, and the one it was sending "in doubt" (pending with `sending_at`), which the next dispatcher
re-checks and sends again or, if it no longer applies, cancels saying it may have arrived. Every write here is
retried through a lost database connection (a restart) for as long as the lease lasts, so an accepted email is
recorded as sent rather than sent again when its lease runs out.

A Slack row (channel "slack") goes the same way on the dispatcher's own thread: `sending_at` before the post, the
outcome as soon as Slack answers, decided by `slack_rules.slack_outcome` (a 429 waits out its Retry-After, and the
run's other Slack rows wait with it rather than hammer Slack). The recipient's Slack id is looked up by email once
and kept (`SlackUser`).
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from debriefs import emails, reminder_rules, slack, slack_rules
from debriefs.models import PENDING, Reminder, SlackUser
from debriefs.outbox import in_doubt
from debriefs.panels import PanelSeat, loop_panels
from interviewloop import calendar
from interviewloop.invites import invite_for
from interviewloop.models import Loop
from interviewloop.profiles import time_zone_of
from scorecards.models import Note, Scorecard

logger = logging.getLogger(__name__)

# How many due rows one claim takes (one transaction); they are then sent one by one.
CLAIM_BATCH = 50
# The batch's "does it still apply" facts are read again when older than this (a slow mail server), so a note
# written during a slow batch still stops its reminder: a correctness rule, not a speed-up.
FACTS_MAX_AGE = timedelta(seconds=2)
# A lost database connection is retried after these many seconds, doubling up to the last.
RETRY_FIRST, RETRY_MOST = 0.05, 1.0

PermanentSendError = emails.PermanentSendError


@dataclass
class DispatchResult:
    sent: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in ("sent", "cancelled", "retrying", "failed")}


def reminders_dispatch(*, limit: int = 200) -> DispatchResult:
    """Send every due reminder (at most `limit` per run), claimed CLAIM_BATCH rows at a time. Safe in parallel."""
    result = DispatchResult()
    done = 0
    with _Senders(settings.REMINDER_SEND_CONNECTIONS) as senders, _commits_not_waiting_for_the_disk():
        while done < limit:
            batch, lease_until = _claim_batch(min(CLAIM_BATCH, limit - done))
            if not batch:
                break
            done += _deliver_batch(batch, lease_until, senders, result)
    return result


@contextlib.contextmanager
def _commits_not_waiting_for_the_disk() -> Iterator[None]:
    """On PostgreSQL, this run's commits do not wait for the disk (synchronous_commit off for the session until the
    run ends): 32.9 against 64.0 reminders/s in the bench (README, Benchmark). A mark survives a killed worker and a
    restarted PostgreSQL; only a crash of PostgreSQL itself can lose the last fraction of a second of them."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with contextlib.suppress(OperationalError, InterfaceError), connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _claim_batch(size: int) -> tuple[list[Reminder], datetime]:
    """Claim up to `size` due rows for this dispatcher in one transaction: push their `next_attempt_at` one lease
    ahead. Returns them (with what the emails need) in claim order, and the lease's end.

    skip_locked lets parallel dispatchers pass over each other's rows on PostgreSQL (SQLite ignores it and
    serialises the transaction instead); the UPDATE only takes rows that are still pending and not leased, so
    even without row locks no two dispatchers can both win a row. If it wins fewer rows than it read (only
    possible without row locks), the claim is rolled back and retried one row at a time.
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
    """The rows with everything their emails and re-check read (one query), in the order of `ids`."""
    rows = Reminder.objects.select_related(
        "interview", "loop__candidate", "loop__position", "recipient__profile", "copy_to"
    ).in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def _deliver_batch(batch: list[Reminder], lease_until: datetime, senders: _Senders, result: DispatchResult) -> int:
    """Re-check, send and record each claimed row in turn; returns how many it dealt with.

    The re-check's facts are read for the whole batch at once, and again for the rest of it whenever they are
    more than FACTS_MAX_AGE old. A row is only sent while its lease still has one send's time (EMAIL_TIMEOUT)
    left, so no other dispatcher can take it meanwhile; once the lease runs short the rest of the batch is handed
    back, due now, for the next claim. The first row of a batch is always tried, as a one-row claim would be.
    """
    send_seconds = float(settings.EMAIL_TIMEOUT)
    if any(row.channel == Reminder.Channel.SLACK for row in batch):
        send_seconds = max(send_seconds, 2.0 * settings.SLACK_TIMEOUT_SECONDS)  # a lookup and a post
    margin = timedelta(seconds=min(send_seconds, settings.REMINDER_CLAIM_SECONDS))
    checked_at = timezone.now()
    done = _BatchFacts.load(batch)
    index = 0
    while index < len(batch):
        now = timezone.now()
        if index and now + margin > lease_until:
            rest = batch[index:]
            handed_back = Reminder.objects.filter(PENDING, pk__in=[row.pk for row in rest], next_attempt_at=lease_until)
            _write(partial(handed_back.update, next_attempt_at=now), until=lease_until)
            logger.warning("reminders: lease running out, %s claimed reminders handed back", len(rest))
            break
        if now - checked_at > FACTS_MAX_AGE:
            batch = batch[:index] + _load([row.pk for row in batch[index:]])
            done, checked_at = _BatchFacts.load(batch[index:]), now
            if index == len(batch):
                break
        _deliver(batch[index], senders, result, now=now, done=done, lease_until=lease_until)
        index += 1
    senders.wait_all()
    return index


def _deliver(
    reminder: Reminder,
    senders: _Senders,
    result: DispatchResult,
    *,
    now: datetime,
    done: _BatchFacts,
    lease_until: datetime,
) -> None:
    """Cancel the row if it no longer applies (by the batch's facts, `done`); else note that its send begins, hand
    its email to a sender, and record the outcome the moment the send is over (on this thread, see _Senders)."""
    pk = reminder.pk
    reason = reminder_rules.cancel_reason(reminder.kind, reminder_facts(reminder, now, done=done))
    if reason:
        if reminder.sending_at is not None:  # an interrupted send may have delivered it: say so
            reason = in_doubt(reason)
        _write(
            lambda: Reminder.objects.filter(PENDING, pk=pk).update(cancelled_at=now, cancel_reason=reason),
            until=lease_until,
        )
        logger.info("reminders: cancelled %s #%s: %s", reminder.kind, pk, reason)
        result.cancelled.append(pk)
        return
    if reminder.channel == Reminder.Channel.SLACK:
        _deliver_slack(reminder, senders.slack, result, now=now, done=done, lease_until=lease_until)
        return
    try:
        message = reminder_email(reminder, now=now, done=done)
    except Exception as error:
        _record(reminder, result, error, until=lease_until)
        return
    if reminder.sending_at is not None:
        logger.warning("reminders: %s #%s: an earlier send was interrupted; sending it again", reminder.kind, pk)
    _write(lambda: Reminder.objects.filter(pk=pk).update(sending_at=now), until=lease_until)
    senders.send(message, lambda error: _record(reminder, result, error, until=lease_until))


def _mark_sent(pk: int, *, attempts: int, now: datetime, until: datetime) -> None:
    """Record an accepted send (an email or a Slack message), at once; never over a row already marked sent."""
    _write(
        lambda: Reminder.objects.filter(pk=pk, sent_at__isnull=True).update(
            sent_at=now, attempts=attempts, last_error=""
        ),
        until=until,
    )


def _mark_retry(pk: int, *, attempts: int, last_error: str, retry_at: datetime, until: datetime) -> None:
    """Record a send that failed for now: pending again, due at `retry_at`, its send no longer in progress."""
    _write(
        lambda: Reminder.objects.filter(PENDING, pk=pk).update(
            attempts=attempts, last_error=last_error, next_attempt_at=retry_at, sending_at=None
        ),
        until=until,
    )


def _mark_failed(pk: int, *, attempts: int, last_error: str, now: datetime, until: datetime) -> None:
    """Record a send that failed for good."""
    _write(
        lambda: Reminder.objects.filter(PENDING, pk=pk).update(attempts=attempts, last_error=last_error, failed_at=now),
        until=until,
    )


def _record(reminder: Reminder, result: DispatchResult, error: BaseException | None, *, until: datetime) -> None:
    """What became of one send, written at once: sent, to retry later, or failed for good."""
    pk, attempts, now = reminder.pk, reminder.attempts + 1, timezone.now()
    if error is None:
        _mark_sent(pk, attempts=attempts, now=now, until=until)
        logger.info("reminders: sent %s #%s to %s", reminder.kind, pk, reminder.recipient.get_username())
        result.sent.append(pk)
        return
    last_error = f"{type(error).__name__}: {error}"[:2000]  # every failure is recorded on the row
    if reminder_rules.is_transient(error) and attempts < settings.REMINDER_MAX_ATTEMPTS:
        retry_at = now + reminder_rules.retry_delay(attempts)
        _mark_retry(pk, attempts=attempts, last_error=last_error, retry_at=retry_at, until=until)
        logger.warning("reminders: %s #%s failed (%s), retrying at %s", reminder.kind, pk, error, retry_at)
        result.retrying.append(pk)
    else:
        _mark_failed(pk, attempts=attempts, last_error=last_error, now=now, until=until)
        logger.error("reminders: %s #%s failed for good: %s", reminder.kind, pk, last_error)
        result.failed.append(pk)


class _SlackRun:
    """One dispatcher run's Slack client (made on the first Slack row) and the moment until which Slack asked us
    to wait (a 429's Retry-After): the run's later Slack rows are put off until then without calling Slack."""

    def __init__(self) -> None:
        self.client: Any = None
        self.wait_until: datetime | None = None

    def get_client(self) -> Any:
        if self.client is None:
            self.client = slack.slack_client()
        return self.client


def _deliver_slack(
    reminder: Reminder,
    run: _SlackRun,
    result: DispatchResult,
    *,
    now: datetime,
    done: _BatchFacts,
    lease_until: datetime,
) -> None:
    """A Slack row: its message, then (the send begun) the recipient's kept Slack id or a lookup by email, then
    chat.postMessage; each answer decided by slack_rules.slack_outcome and recorded at once."""
    pk = reminder.pk
    if not slack.slack_enabled():
        _record(reminder, result, PermanentSendError("Slack is off (no SLACK_BOT_TOKEN)."), until=lease_until)
        return
    if run.wait_until is not None and now < run.wait_until:
        wait_until = run.wait_until
        _write(
            # sending_at is left as it is: an earlier interrupted send stays in doubt
            lambda: Reminder.objects.filter(PENDING, pk=pk).update(
                next_attempt_at=wait_until, last_error="Waiting out Slack's rate limit."
            ),
            until=lease_until,
        )
        result.retrying.append(pk)
        return
    recipient = reminder.recipient
    try:
        if not recipient.email:
            raise PermanentSendError(f"{recipient.get_username()} has no email address to find them on Slack by.")
        message = emails.reminder_slack_message(email_facts(reminder, done=done), now=now)
    except Exception as error:
        _record(reminder, result, error, until=lease_until)
        return
    if reminder.sending_at is not None:
        logger.warning(
            "reminders: %s #%s (Slack): an earlier send was interrupted; sending it again", reminder.kind, pk
        )
    _write(lambda: Reminder.objects.filter(pk=pk).update(sending_at=now), until=lease_until)
    client = run.get_client()
    kept = done.slack_ids.get(recipient.pk)
    slack_id = kept[1] if kept is not None and kept[0] == recipient.email else None  # a changed address: look up
    kept_user = slack_id is not None
    if slack_id is None:
        answer, slack_id = slack.lookup_user(client, recipient.email)
        if slack_id is not None:
            _write(partial(_keep_slack_id, recipient.pk, recipient.email, slack_id), until=lease_until)
            done.slack_ids[recipient.pk] = (recipient.email, slack_id)
    if slack_id is not None:
        answer = slack.post_direct_message(client, slack_id, message, kept_user=kept_user)
    outcome = slack_rules.slack_outcome(
        answer, attempts=reminder.attempts + 1, max_attempts=settings.REMINDER_MAX_ATTEMPTS
    )
    _record_slack(reminder, outcome, run, result, until=lease_until)


def _keep_slack_id(user_id: int, email: str, slack_id: str) -> int:
    SlackUser.objects.update_or_create(
        user_id=user_id, defaults={"email": email, "slack_id": slack_id, "looked_up_at": timezone.now()}
    )
    return 1


def _record_slack(
    reminder: Reminder, outcome: slack_rules.SlackOutcome, run: _SlackRun, result: DispatchResult, *, until: datetime
) -> None:
    """What became of one Slack send (slack_rules.slack_outcome), written at once."""
    pk, now = reminder.pk, timezone.now()
    attempts = reminder.attempts + (1 if outcome.counts else 0)
    if outcome.forget_user:
        recipient_id = reminder.recipient_id
        _write(lambda: SlackUser.objects.filter(user_id=recipient_id).delete()[0], until=until)
    if outcome.action == "sent":
        _mark_sent(pk, attempts=attempts, now=now, until=until)
        logger.info("reminders: sent %s #%s to %s on Slack", reminder.kind, pk, reminder.recipient.get_username())
        result.sent.append(pk)
        return
    if outcome.action == "retry":
        assert outcome.retry_in is not None
        retry_at = now + outcome.retry_in
        if not outcome.counts:  # Slack said when to come back: the rest of this run's Slack rows wait too
            run.wait_until = max(run.wait_until or retry_at, retry_at)
        _mark_retry(pk, attempts=attempts, last_error=outcome.error, retry_at=retry_at, until=until)
        logger.warning("reminders: %s #%s on Slack: %s; again at %s", reminder.kind, pk, outcome.error, retry_at)
        result.retrying.append(pk)
        return
    _mark_failed(pk, attempts=attempts, last_error=outcome.error, now=now, until=until)
    logger.error("reminders: %s #%s on Slack failed for good: %s", reminder.kind, pk, outcome.error)
    result.failed.append(pk)


def _write(write: Callable[[], int], *, until: datetime) -> int:
    """Run one of the dispatcher's writes (autocommit: each is its own transaction). If the database connection is
    lost (a restart, a failover), reconnect and try again, for as long as the lease (`until`) lasts: an email the
    server accepted is then recorded as sent, not sent again by the next dispatcher."""
    deadline = time.monotonic() + max((until - timezone.now()).total_seconds(), 0.0)
    delay = RETRY_FIRST
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError) as error:
            if connection.in_atomic_block or time.monotonic() + delay > deadline:
                raise
            logger.warning("reminders: database write failed (%s); reconnecting in %.2f s", error, delay)
            connection.close()
            time.sleep(delay)
            delay = min(delay * 2, RETRY_MOST)


class _Senders:
    """Sends emails over up to `size` SMTP connections at once, each driven by its own thread; `on_sent(error)` runs
    on the caller's thread once that send is over, so every database write stays there. With one connection the
    send happens right away on the caller's thread.

    Kept on the bench (README, Benchmark): 4 connections against 1, 51.6 against 35.7 reminders/s (prefork) and
    35.8 against 28.5 (solo) to a loopback sink; a remote server's round trips are what it overlaps."""

    def __init__(self, size: int) -> None:
        self.free = [_Mailer() for _ in range(max(size, 1))]
        self.mailers = list(self.free)
        self.pool = ThreadPoolExecutor(len(self.free), thread_name_prefix="reminder-smtp") if size > 1 else None
        self.in_flight: dict[Future[None], tuple[_Mailer, Callable[[BaseException | None], None]]] = {}
        self.slack = _SlackRun()  # Slack rows are posted on the dispatcher's thread (see _deliver_slack)

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
    # recipient id → (the email it was found by, Slack id), for the batch's Slack rows (one query more)
    slack_ids: dict[int, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, batch: list[Reminder]) -> _BatchFacts:
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
        for_slack = {r.recipient_id for r in batch if r.channel == Reminder.Channel.SLACK}
        kept = SlackUser.objects.filter(user_id__in=for_slack).values_list("user_id", "email", "slack_id")
        return cls(
            slack_ids={user_id: (email, slack_id) for user_id, email, slack_id in kept} if for_slack else {},
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


def reminder_email(reminder: Reminder, *, now: datetime, done: _BatchFacts | None = None) -> EmailMultiAlternatives:
    """The reminder's email (debriefs.emails) from the loaded row. A debrief_ready reads its loop's panel from `done`
    (the batch's), else from the database."""
    return emails.reminder_email(email_facts(reminder, done=done), now=now)


def email_facts(reminder: Reminder, *, done: _BatchFacts | None = None) -> emails.EmailFacts:
    """The plain data debriefs.emails needs, from a row loaded by _load (no query, but a lone debrief_ready's panel)."""
    loop, interview, recipient, copy_to = reminder.loop, reminder.interview, reminder.recipient, reminder.copy_to
    zone = time_zone_of(recipient)
    panel: list[PanelSeat] = []
    if reminder.kind == Reminder.Kind.DEBRIEF_READY:
        panel = done.panels[loop.pk] if done is not None and loop.pk in done.panels else loop_panels({loop.pk})[loop.pk]
    return emails.EmailFacts(
        reminder_id=reminder.pk,
        kind=reminder.kind,
        sequence=reminder.sequence,
        due_at=reminder.due_at,
        recipient_id=recipient.pk,
        recipient_username=recipient.get_username(),
        recipient_name=recipient.first_name or recipient.get_username(),
        recipient_email=recipient.email,
        time_zone=zone,
        copy_to_email=copy_to.email if copy_to is not None else None,
        candidate=loop.candidate.name,
        position=loop.position.title,
        loop_id=loop.pk,
        debrief_at=loop.debrief_at,
        decision=loop.decision,
        decision_label=loop.get_decision_display(),
        interview=None
        if interview is None
        else emails.InterviewFacts(
            id=interview.pk,
            note_due_at=interview.note_due_at,
            scheduled_start=interview.scheduled_start,
            scheduled_end=interview.scheduled_end,
            cancelled=interview.cancelled_at is not None,
            cancel_reason=interview.cancel_reason,
        ),
        panel=tuple(panel),
        invite=_invite(reminder, zone) if reminder.channel == Reminder.Channel.EMAIL else None,  # Slack has no .ics
    )


def _invite(reminder: Reminder, zone: str) -> tuple[str, str] | None:
    """An interview notice's calendar invite in the recipient's zone: CANCEL for a cancelled one, else REQUEST."""
    if reminder.kind not in reminder_rules.NOTICE_KINDS or reminder.interview is None:
        return None
    method = calendar.CANCEL if reminder.kind == Reminder.Kind.INTERVIEW_CANCELLED else calendar.REQUEST
    ics = invite_for(reminder.interview, method=method, recipient=reminder.recipient, time_zone=zone)
    return method, ics.decode()
