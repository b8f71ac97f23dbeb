"""The dispatcher in-process: each kind sent once at the right time, nothing for work already done, the emails
themselves, SMTP failures against a real local server, the sweep, and the admin's actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from debriefs import outbox
from debriefs.models import Reminder
from debriefs.outbox import reminder_cancel, reminder_send_again
from debriefs.reminders import reminders_dispatch
from debriefs.services import loop_recompute_decision
from interviewloop.models import Interview
from interviewloop.services import interviews_end_overdue
from scorecards.services import scorecard_save_draft, scorecard_submit
from tests.debriefs.reminder_fixtures import (
    T0,
    SmtpSink,
    dispatch_at,
    ended_interview,
    free_port,
)
from tests.factories import InterviewFactory, NoteFactory, UserFactory, make_scorecard
from tests.scorecards.conftest import full_body, typed

pytestmark = [pytest.mark.django_db]


def sent():
    """(kind, to, cc) of every email sent so far, in order."""
    return [(m.extra_headers["X-Interviewloop-Reminder"].split()[0], m.to, m.cc) for m in mail.outbox]


def test_each_interview_reminder_is_sent_once_at_its_time(reminder_loop, mailoutbox):
    with time_machine.travel(T0, tick=False):
        ended_interview(reminder_loop, "alice", at=T0)
    alice, rita = ["alice@example.com"], ["rita@example.com"]

    assert dispatch_at(T0) == {"sent": 1, "cancelled": 0, "retrying": 0, "failed": 0}
    assert sent() == [("note_now", alice, [])]
    assert dispatch_at(T0 + timedelta(minutes=4, seconds=59))["sent"] == 0
    assert dispatch_at(T0 + timedelta(minutes=5))["sent"] == 1
    assert dispatch_at(T0 + timedelta(minutes=6))["sent"] == 0
    assert sent()[1:] == [("note_overdue", alice, [])]

    for hours, cc in ((24, []), (48, rita), (72, rita)):
        assert dispatch_at(T0 + timedelta(hours=hours, seconds=-1))["sent"] == 0
        assert dispatch_at(T0 + timedelta(hours=hours))["sent"] == 1
        assert sent()[-1] == ("scorecard_overdue", alice, cc)
    assert dispatch_at(T0 + timedelta(days=30))["sent"] == 0
    assert len(mail.outbox) == 5
    assert set(Reminder.objects.values_list("attempts", "last_error")) == {(1, "")}
    assert sorted(Reminder.objects.values_list("sent_at", flat=True)) == [
        T0,
        T0 + timedelta(minutes=5),
        T0 + timedelta(hours=24),
        T0 + timedelta(hours=48),
        T0 + timedelta(hours=72),
    ]


def test_nothing_is_sent_for_a_note_already_written(reminder_loop, mailoutbox):
    interview = ended_interview(reminder_loop, "alice", at=T0)
    # Written straight to the database, bypassing the outbox: the dispatcher's own re-check must catch it.
    NoteFactory(interview=interview, due_at=interview.note_due_at, submitted_at=T0 + timedelta(minutes=1))

    assert dispatch_at(T0 + timedelta(minutes=5)) == {"sent": 0, "cancelled": 2, "retrying": 0, "failed": 0}
    assert mail.outbox == []
    assert dict(Reminder.objects.filter(kind__startswith="note").values_list("kind", "cancel_reason")) == {
        "note_now": "The note was already written.",
        "note_overdue": "The note was written in the meantime.",
    }


def test_nothing_is_sent_for_a_scorecard_already_submitted(reminder_loop, mailoutbox):
    interview = ended_interview(reminder_loop, "alice", at=T0)
    NoteFactory(interview=interview, due_at=interview.note_due_at, submitted_at=T0 + timedelta(minutes=1))
    dispatch_at(T0 + timedelta(hours=25))
    assert sent() == [("scorecard_overdue", ["alice@example.com"], [])]

    make_scorecard(interview, vote="yes", at=T0 + timedelta(hours=30))  # no outbox call: the re-check stops it
    dispatch_at(T0 + timedelta(days=5))

    assert len(mail.outbox) == 1
    assert (
        list(Reminder.objects.filter(kind="scorecard_overdue", sent_at=None).values_list("cancel_reason", flat=True))
        == ["The scorecard was submitted."] * 2
    )


def test_nothing_is_sent_on_a_closed_loop(reminder_loop, mailoutbox):
    ended_interview(reminder_loop, "alice", at=T0)
    reminder_loop.status = "closed"
    reminder_loop.save()

    assert dispatch_at(T0 + timedelta(days=5)) == {"sent": 0, "cancelled": 5, "retrying": 0, "failed": 0}


def test_a_late_dispatcher_sends_the_overdue_note_not_both(reminder_loop, mailoutbox):
    ended_interview(reminder_loop, "alice", at=T0)

    dispatch_at(T0 + timedelta(minutes=40))  # the workers were down for half an hour

    assert sent() == [("note_overdue", ["alice@example.com"], [])]
    assert Reminder.objects.get(kind="note_now").state == "cancelled"


def test_note_emails_say_what_to_do_by_when_with_one_link(reminder_loop, mailoutbox, settings):
    settings.SITE_URL = "https://loops.example.com"
    reminder_loop.candidate.name = "Jordan O'Neil"
    reminder_loop.candidate.save()
    with time_machine.travel(T0, tick=False):
        interview = ended_interview(reminder_loop, "alice", at=T0)
    dispatch_at(T0)
    dispatch_at(T0 + timedelta(minutes=8))

    now, overdue = mail.outbox
    link = f"https://loops.example.com{_path('interview-note', interview.pk, f'/interviews/{interview.pk}/note/')}"
    assert now.subject == "Five-minute note on Jordan O'Neil: due 14:35, in 5 minutes"
    assert now.to == ["alice@example.com"]
    assert "Due 14:35, in 5 minutes (UTC)." in now.body
    assert f"Write it now: {link}" in now.body
    assert "Your interview with Jordan O'Neil for LLM Reliability Engineer has ended." in now.body
    html, mimetype = now.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "Due 14:35, in 5 minutes" in html
    assert "Jordan O&#x27;Neil" in html  # escaped in HTML, plain in text
    assert overdue.subject == "Overdue: your five-minute note on Jordan O'Neil (was due 14:35, 3 minutes ago)"
    assert link in overdue.body


def test_scorecard_email_links_the_scorecard_and_says_which_repeat(reminder_loop, mailoutbox):
    interview = ended_interview(reminder_loop, "alice", at=T0)
    NoteFactory(interview=interview, due_at=interview.note_due_at, submitted_at=T0)

    dispatch_at(T0 + timedelta(hours=48, minutes=10))

    first, second = mail.outbox  # a dispatcher down for a day sends both
    assert first.subject == "Overdue: your scorecard on Jordan Rivera (reminder 1 of 3)"
    assert second.subject == "Overdue: your scorecard on Jordan Rivera (reminder 2 of 3)"
    assert second.cc == ["rita@example.com"]
    assert "was due 14:30, 10 minutes ago (UTC)" in second.body  # the same day: the time is enough
    assert _path("interview-scorecard", interview.pk, f"/interviews/{interview.pk}/scorecard/") in second.body
    assert "The recruiter is copied." in second.body


def test_debrief_ready_carries_the_decision_and_tally_and_waits_for_who_has_not_submitted(reminder_loop, mailoutbox):
    alice = ended_interview(reminder_loop, "alice", at=T0)
    bob = ended_interview(reminder_loop, "bob", at=T0)
    carol = ended_interview(reminder_loop, "carol", at=T0)
    Reminder.objects.all().delete()  # only the debrief's reminders here
    make_scorecard(alice, vote="no", scores=2)
    make_scorecard(bob, vote="strong_yes", scores=5)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        loop_recompute_decision(loop=reminder_loop)

    dispatch_at(T0 + timedelta(hours=2))

    by_recipient = {m.to[0]: m for m in mail.outbox}
    # carol has not submitted: independence first, so no "ready" at all yet (it would tell her someone said No).
    assert sorted(by_recipient) == ["alice@example.com", "bob@example.com", "rita@example.com"]
    recruiter = by_recipient["rita@example.com"]
    assert recruiter.subject == "Debrief ready: Jordan Rivera, LLM Reliability Engineer: No hire"
    assert "Decision: No hire\n- alice voted No: One No = No Hire.\n" in recruiter.body
    assert "Votes: Strong Yes 1 · Yes 0 · No 1 · Strong No 0" in recruiter.body
    link = _path("loop-debrief", reminder_loop.pk, f"/loops/{reminder_loop.pk}/")
    assert link in recruiter.body
    assert by_recipient["bob@example.com"].body == recruiter.body.replace("Hi Rita", "Hi Bob")
    assert dispatch_at(T0 + timedelta(hours=3))["sent"] == 0

    # when carol's scorecard comes in, hers is written and sent, with the decision and the votes
    with time_machine.travel(T0 + timedelta(hours=4), tick=False):
        NoteFactory(interview=carol)
        scorecard_save_draft(interview=carol, data=typed(carol, full_body(vote="yes")))
        scorecard_submit(interview=carol)
    assert dispatch_at(T0 + timedelta(hours=4))["sent"] == 1
    theirs = mail.outbox[-1]
    assert theirs.to == ["carol@example.com"]
    assert theirs.subject == "Debrief ready: Jordan Rivera, LLM Reliability Engineer: No hire"
    assert "Votes: Strong Yes 1 · Yes 1 · No 1 · Strong No 0" in theirs.body


def test_the_dispatcher_cancels_a_debrief_ready_to_a_panel_member_whose_scorecard_is_not_in(reminder_loop, mailoutbox):
    # given a debrief_ready row to carol, who has not submitted (as rows were written before the rule was kept)
    alice = ended_interview(reminder_loop, "alice", at=T0)
    carol = ended_interview(reminder_loop, "carol", at=T0)
    Reminder.objects.all().delete()
    make_scorecard(alice, vote="no", scores=2)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        loop_recompute_decision(loop=reminder_loop)
    row = Reminder.objects.create(
        kind="debrief_ready", loop=reminder_loop, recipient=carol.interviewer, due_at=T0, next_attempt_at=T0
    )

    # when the dispatcher runs, its re-check refuses it; the recruiter's and alice's go
    assert dispatch_at(T0 + timedelta(hours=2)) == {"sent": 2, "cancelled": 1, "retrying": 0, "failed": 0}
    row.refresh_from_db()
    assert (row.state, row.cancel_reason) == (
        "cancelled",
        "The recipient's own scorecard is not in yet: the debrief opens to them once it is.",
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "rita@example.com"]


def test_debrief_meeting_is_sent_the_lead_before_the_meeting(reminder_loop, mailoutbox):
    ended_interview(reminder_loop, "alice", at=T0)
    Reminder.objects.all().delete()
    reminder_loop.debrief_at = T0 + timedelta(days=1)
    reminder_loop.save()
    outbox.debrief_scheduled(reminder_loop)

    assert dispatch_at(T0 + timedelta(days=1, minutes=-31))["sent"] == 0
    assert dispatch_at(T0 + timedelta(days=1, minutes=-30))["sent"] == 2

    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "rita@example.com"]
    assert mail.outbox[0].subject == "Debrief for Jordan Rivera at 14:30, in 30 minutes"
    assert dispatch_at(T0 + timedelta(days=1, minutes=-1))["sent"] == 0


def test_a_meeting_moved_after_its_reminder_was_claimed_is_not_announced(reminder_loop, mailoutbox):
    reminder_loop.debrief_at = T0 + timedelta(hours=1)
    reminder_loop.save()
    outbox.debrief_scheduled(reminder_loop)
    reminder_loop.debrief_at = None  # cleared without the outbox (a bulk update, say): the re-check catches it
    reminder_loop.save()

    assert dispatch_at(T0 + timedelta(minutes=45))["cancelled"] == 1
    assert mail.outbox == []


# --- SMTP failures against a real local server ----------------------------------------------------------------


@pytest.fixture
def smtp_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens here until a test starts a sink on it
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 2
    settings.REMINDER_MAX_ATTEMPTS = 4
    return settings


def test_an_unreachable_smtp_server_is_retried_with_backoff_then_recorded(reminder_loop, smtp_settings):
    ended_interview(reminder_loop, "alice", at=T0)
    Reminder.objects.exclude(kind="note_now").delete()
    note_now = Reminder.objects.get()
    when = T0
    waits = []

    for attempt in (1, 2, 3):
        assert dispatch_at(when) == {"sent": 0, "cancelled": 0, "retrying": 1, "failed": 0}
        note_now.refresh_from_db()
        assert (note_now.state, note_now.attempts) == ("pending", attempt)
        assert note_now.last_error.startswith("ConnectionRefusedError:")
        waits.append(note_now.next_attempt_at - when)
        assert dispatch_at(note_now.next_attempt_at - timedelta(seconds=1))["retrying"] == 0  # not before its time
        when = note_now.next_attempt_at
    assert waits == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]

    # The fourth try is REMINDER_MAX_ATTEMPTS: given up and recorded, for the admin to see.
    assert dispatch_at(when) == {"sent": 0, "cancelled": 0, "retrying": 0, "failed": 1}
    note_now.refresh_from_db()
    assert (note_now.state, note_now.attempts, note_now.failed_at) == ("failed", 4, when)
    assert "Connection refused" in note_now.last_error
    assert dispatch_at(when + timedelta(days=1))["failed"] == 0


def test_a_transient_failure_is_sent_once_the_server_is_back(reminder_loop, smtp_settings):
    ended_interview(reminder_loop, "alice", at=T0)
    Reminder.objects.exclude(kind="note_now").delete()
    assert dispatch_at(T0)["retrying"] == 1

    with SmtpSink(port=smtp_settings.EMAIL_PORT) as sink:
        assert dispatch_at(T0 + timedelta(seconds=30)) == {"sent": 1, "cancelled": 0, "retrying": 0, "failed": 0}

    (message,) = sink.handler.messages
    assert message["To"] == "alice@example.com"
    assert message["Subject"] == "Five-minute note on Jordan Rivera: due 14:35, in 4 minutes"
    assert {part.get_content_type() for part in message.iter_parts()} == {"text/plain", "text/html"}
    reminder = Reminder.objects.get()
    assert (reminder.state, reminder.attempts, reminder.last_error) == ("sent", 2, "")


def test_a_refusal_fails_at_once_with_the_servers_reply(reminder_loop, smtp_settings):
    ended_interview(reminder_loop, "alice", at=T0)
    Reminder.objects.exclude(kind="note_now").delete()

    with SmtpSink(port=smtp_settings.EMAIL_PORT) as sink:
        sink.handler.refuse = "550 5.7.1 message rejected as spam"
        assert dispatch_at(T0) == {"sent": 0, "cancelled": 0, "retrying": 0, "failed": 1}

    reminder = Reminder.objects.get()
    assert (reminder.state, reminder.attempts) == ("failed", 1)
    assert reminder.last_error.startswith("SMTPDataError: (550, b'5.7.1 message rejected as spam')")


def test_a_recipient_without_an_address_fails_with_a_reason(reminder_loop, mailoutbox):
    interview = ended_interview(reminder_loop, "alice", at=T0)
    interview.interviewer.email = ""
    interview.interviewer.save()

    assert dispatch_at(T0)["failed"] == 1
    assert Reminder.objects.get(kind="note_now").last_error == "PermanentSendError: alice has no email address."


# --- The sweep --------------------------------------------------------------------------------------------------


def test_the_sweep_ends_forgotten_interviews_at_their_scheduled_end(reminder_loop, mailoutbox):
    alice = UserFactory(username="alice", role="interviewer")
    bob = UserFactory(username="bob", role="interviewer")
    forgotten = InterviewFactory(
        loop=reminder_loop, interviewer=alice, scheduled_start=T0 - timedelta(hours=1), scheduled_end=T0
    )
    running = InterviewFactory(
        loop=reminder_loop,
        interviewer=bob,
        scheduled_start=T0 - timedelta(minutes=30),
        scheduled_end=T0 + timedelta(minutes=30),
    )

    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        assert interviews_end_overdue() == [forgotten.pk]
        assert interviews_end_overdue() == []
        reminders_dispatch()

    forgotten.refresh_from_db()
    running.refresh_from_db()
    assert (forgotten.ended_at, running.ended_at) == (T0, None)
    assert sent() == [("note_now", ["alice@example.com"], [])]
    assert Reminder.objects.get(kind="note_overdue").due_at == T0 + timedelta(minutes=5)


def test_the_sweep_reads_the_partial_index_query(reminder_loop, django_assert_num_queries):
    # One SELECT over interview_not_ended_idx's rows (ended_at IS NULL AND scheduled_end <= now), nothing to end.
    InterviewFactory(loop=reminder_loop, scheduled_start=T0, scheduled_end=T0 + timedelta(hours=1))
    with time_machine.travel(T0, tick=False), django_assert_num_queries(1) as captured:
        assert interviews_end_overdue() == []
    sql = captured.captured_queries[0]["sql"]
    assert '"ended_at" IS NULL' in sql and '"scheduled_end" <=' in sql
    assert Interview.objects.filter(ended_at__isnull=True).count() == 1


# --- Admin actions ----------------------------------------------------------------------------------------------


def test_send_again_requeues_even_failed_ones_and_the_re_check_still_applies(reminder_loop, mailoutbox):
    interview = ended_interview(reminder_loop, "alice", at=T0)
    Reminder.objects.filter(kind="note_now").update(failed_at=T0, attempts=5, last_error="SMTPDataError: 550")

    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        assert reminder_send_again(reminders=Reminder.objects.filter(kind="note_now")) == 1
    note_now = Reminder.objects.get(kind="note_now")
    assert (note_now.state, note_now.attempts, note_now.last_error) == ("pending", 0, "")
    assert note_now.next_attempt_at == T0 + timedelta(minutes=1)
    dispatch_at(T0 + timedelta(minutes=1))
    assert sent() == [("note_now", ["alice@example.com"], [])]

    NoteFactory(interview=interview, due_at=interview.note_due_at, submitted_at=T0 + timedelta(minutes=2))
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        reminder_send_again(reminders=Reminder.objects.filter(kind="note_now"))
    dispatch_at(T0 + timedelta(minutes=3))
    assert len(mail.outbox) == 1  # not again: the note is written
    assert Reminder.objects.get(kind="note_now").cancel_reason == "The note was already written."


def test_cancel_touches_only_pending_ones(reminder_loop, admin):
    ended_interview(reminder_loop, "alice", at=T0)
    Reminder.objects.filter(kind="note_now").update(sent_at=T0)

    assert reminder_cancel(reminders=Reminder.objects.all(), by=admin) == 4

    assert Reminder.objects.get(kind="note_now").state == "sent"
    assert set(Reminder.objects.exclude(kind="note_now").values_list("cancel_reason", flat=True)) == {
        "Cancelled in admin by ada."
    }


def _path(name: str, pk: int, fallback: str) -> str:
    from django.urls import NoReverseMatch

    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return fallback


# --- The tasks ----------------------------------------------------------------------------------------------


def test_beat_runs_the_registered_tasks_and_each_run_expires(settings):
    from interviewloop.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovery finds debriefs.tasks
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {entry["task"] for entry in schedule.values()} == {
        "debriefs.tasks.dispatch_reminders",
        "debriefs.tasks.sweep_ended_interviews",
        "debriefs.tasks.dispatch_webhooks",  # beat's third entry since the webhooks (debriefs.webhooks)
    }
    for entry in schedule.values():
        assert entry["task"] in app.tasks
        assert entry["options"]["expires"] >= 1


def test_the_tasks_are_thin_and_safe_to_run_twice(reminder_loop, mailoutbox):
    from debriefs.tasks import dispatch_reminders, sweep_ended_interviews

    InterviewFactory(loop=reminder_loop, scheduled_start=T0 - timedelta(hours=1), scheduled_end=T0)
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        assert (sweep_ended_interviews(), sweep_ended_interviews()) == (1, 0)
        assert dispatch_reminders() == {"sent": 1, "cancelled": 0, "retrying": 0, "failed": 0}
        assert dispatch_reminders() == {"sent": 0, "cancelled": 0, "retrying": 0, "failed": 0}
    assert len(mail.outbox) == 1
