"""The notices of a changed interview, sent by the dispatcher: cancelled, moved, assigned; and the re-check that
drops one that no longer holds (a move superseded by a later one, a cancellation undone by a reassignment back)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from debriefs.models import Reminder
from debriefs.reminders import reminders_dispatch
from interviewloop import services
from interviewloop.models import Interview, Loop
from tests.debriefs.reminder_fixtures import T0, dispatch_at
from tests.factories import InterviewFactory, UserFactory

pytestmark = [pytest.mark.django_db]

START = T0 + timedelta(days=1)  # Tue 24 Nov 14:30 UTC


def sent():
    """(kind, to) of every email sent so far, in order."""
    return [(m.extra_headers["X-Interviewloop-Reminder"].split()[0], m.to) for m in mail.outbox]


def upcoming(loop, username):
    interviewer = UserFactory(username=username, role="interviewer")
    return InterviewFactory(
        loop=loop, interviewer=interviewer, scheduled_start=START, scheduled_end=START + timedelta(hours=1)
    )


def test_a_cancel_is_emailed_with_its_reason_even_once_the_loop_is_closed(reminder_loop, recruiter, mailoutbox):
    erin = upcoming(reminder_loop, "erin")
    with time_machine.travel(T0, tick=False):
        services.interview_cancel(interview=erin, reason="Decided No: One No = No Hire.", by=recruiter)
    Loop.objects.filter(pk=reminder_loop.pk).update(status=Loop.Status.CLOSED)  # recorded no hire right after

    assert dispatch_at(T0) == {"sent": 1, "cancelled": 0, "retrying": 0, "failed": 0}

    (email,) = mail.outbox
    assert sent() == [("interview_cancelled", ["erin@example.com"])]
    assert email.subject == "Cancelled: your interview with Jordan Rivera (Tue 24 Nov 14:30, in 24 hours)"
    assert "is cancelled.\n\nReason: Decided No: One No = No Hire." in email.body
    assert "14:30" in email.body and "to 15:30 (UTC)" in email.body
    html, _ = email.alternatives[0]
    assert "Reason: Decided No: One No = No Hire." in html


def test_a_move_is_emailed_with_the_new_time_and_the_kit_link(reminder_loop, mailoutbox, settings):
    settings.SITE_URL = "https://loops.example.com"
    erin = upcoming(reminder_loop, "erin")
    with time_machine.travel(T0, tick=False):
        services.interview_reschedule(
            interview=erin, scheduled_start=START + timedelta(hours=2), scheduled_end=START + timedelta(hours=3)
        )

    dispatch_at(T0)

    (email,) = mail.outbox
    assert email.to == ["erin@example.com"]
    assert email.subject == "Moved: your interview with Jordan Rivera is now Tue 24 Nov 16:30, in 26 hours"
    assert "It is now Tue 24 Nov 16:30, in 26 hours to 17:30 (UTC)." in email.body
    assert f"The kit: https://loops.example.com/interviews/{erin.pk}/" in email.body


def test_a_move_superseded_by_a_later_one_is_sent_once_with_the_latest_time(reminder_loop, mailoutbox):
    erin = upcoming(reminder_loop, "erin")
    with time_machine.travel(T0, tick=False):
        services.interview_reschedule(
            interview=erin, scheduled_start=START + timedelta(hours=1), scheduled_end=START + timedelta(hours=2)
        )
    # The first notice was claimed by nobody yet; a second writer must not let it go out (even if the first row
    # were pending again, e.g. "send again" in admin, the dispatcher's re-check drops it as superseded).
    with time_machine.travel(T0, tick=False):
        services.interview_reschedule(
            interview=erin, scheduled_start=START + timedelta(hours=4), scheduled_end=START + timedelta(hours=5)
        )
    first = Reminder.objects.get(interview=erin, sequence=1)
    Reminder.objects.filter(pk=first.pk).update(cancelled_at=None, cancel_reason="")

    assert dispatch_at(T0) == {"sent": 1, "cancelled": 1, "retrying": 0, "failed": 0}

    assert sent() == [("interview_rescheduled", ["erin@example.com"])]
    assert "18:30" in mail.outbox[0].subject
    first.refresh_from_db()
    assert first.cancel_reason == "A later notice of the same change replaces it."


def test_a_new_interviewer_is_told_it_is_theirs_and_the_old_one_that_it_is_not(reminder_loop, mailoutbox):
    erin = upcoming(reminder_loop, "erin")
    frank = UserFactory(username="frank", role="interviewer")
    with time_machine.travel(T0, tick=False):
        services.interview_change_interviewer(interview=erin, interviewer=frank)

    dispatch_at(T0)

    assert sorted(sent()) == [
        ("interview_assigned", ["frank@example.com"]),
        ("interview_cancelled", ["erin@example.com"]),
    ]
    by_kind = {m.extra_headers["X-Interviewloop-Reminder"].split()[0]: m for m in mail.outbox}
    assert by_kind["interview_assigned"].subject == "New interview: Jordan Rivera at Tue 24 Nov 14:30, in 24 hours"
    assert "no longer yours: the recruiter gave it to another interviewer." in by_kind["interview_cancelled"].body


def test_an_interview_given_away_and_back_sends_no_stale_notice(reminder_loop, mailoutbox):
    erin = upcoming(reminder_loop, "erin")
    frank = UserFactory(username="frank", role="interviewer")
    with time_machine.travel(T0, tick=False):
        services.interview_change_interviewer(interview=erin, interviewer=frank)
        services.interview_change_interviewer(interview=Interview.objects.get(pk=erin.pk), interviewer=erin.interviewer)

    dispatch_at(T0)

    # erin: "it is yours" (the latest); frank: "it is not yours any more". Neither the stale "not yours" to erin
    # nor "yours" to frank goes out.
    assert sorted(sent()) == [
        ("interview_assigned", ["erin@example.com"]),
        ("interview_cancelled", ["frank@example.com"]),
    ]


def test_a_cancelled_interviews_note_reminders_are_never_sent(reminder_loop, recruiter, mailoutbox):
    erin = upcoming(reminder_loop, "erin")
    with time_machine.travel(T0, tick=False):
        services.interview_end(interview=erin)
        # A reminder the writer could not see (written concurrently, or sent again from admin) is still dropped.
        services.interview_cancel(interview=Interview.objects.get(pk=erin.pk), reason="No-show.", by=recruiter)
    Reminder.objects.filter(interview=erin, kind="note_now").update(cancelled_at=None, cancel_reason="")

    with time_machine.travel(T0, tick=False):
        assert reminders_dispatch().as_dict() == {"sent": 1, "cancelled": 1, "retrying": 0, "failed": 0}

    assert sent() == [("interview_cancelled", ["erin@example.com"])]
    assert Reminder.objects.get(interview=erin, kind="note_now").cancel_reason == "The interview was cancelled."
