"""Reminder emails give their times in the recipient's zone, named; the batch reads the zones with its rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from debriefs.models import Reminder
from debriefs.reminders import reminders_dispatch
from interviewloop.profiles import user_set_time_zone
from tests.debriefs.reminder_fixtures import RUN_SETTINGS_QUERIES, T0, dispatch_at, ended_interview

pytestmark = [pytest.mark.django_db]


def test_a_note_email_to_a_recipient_in_paris_gives_the_paris_time_and_names_the_zone(reminder_loop, mailoutbox):
    # given: alice reads times in Paris (UTC+1 in November); her note is due 14:35 UTC
    interview = ended_interview(reminder_loop, "alice", at=T0)
    user_set_time_zone(user=interview.interviewer, time_zone="Europe/Paris")

    dispatch_at(T0)

    (email,) = mail.outbox
    assert email.subject == "Five-minute note on Jordan Rivera: due 15:35, in 5 minutes"
    assert "Due 15:35, in 5 minutes (Europe/Paris)." in email.body
    html, _ = email.alternatives[0]
    assert "<strong>Due 15:35, in 5 minutes (Europe/Paris)</strong>" in html
    assert "times are Europe/Paris" in html
    assert "14:35" not in email.body + html


def test_the_debrief_meeting_email_gives_each_recipient_their_own_clock(reminder_loop, mailoutbox, recruiter):
    from debriefs import outbox

    ended_interview(reminder_loop, "alice", at=T0)
    user_set_time_zone(user=recruiter, time_zone="America/New_York")  # UTC-5 in November
    Reminder.objects.all().delete()
    reminder_loop.debrief_at = T0 + timedelta(days=1)  # Tuesday 24 November, 14:30 UTC
    reminder_loop.save()
    outbox.debrief_scheduled(reminder_loop)

    dispatch_at(T0 + timedelta(days=1) - timedelta(minutes=30))

    by_recipient = {email.to[0]: email for email in mail.outbox}
    assert "is at 09:30, in 30 minutes (America/New_York)." in by_recipient["rita@example.com"].body
    assert "is at 14:30, in 30 minutes (UTC)." in by_recipient["alice@example.com"].body


@pytest.mark.parametrize("size", [2, 7])
def test_a_batch_of_recipients_in_many_zones_costs_the_queries_a_batch_always_did(
    reminder_loop, mailoutbox, django_assert_num_queries, size
):
    zones = ["Asia/Kolkata", "Europe/Paris", "America/New_York", None]
    expected = {}
    for n in range(size):
        interview = ended_interview(reminder_loop, f"panel{n}", at=T0)
        zone = zones[n % len(zones)]
        if zone is not None:
            user_set_time_zone(user=interview.interviewer, time_zone=zone)
        expected[interview.interviewer.email] = zone or "UTC"
    Reminder.objects.exclude(kind="note_now").delete()
    # as test_a_batch_reads_a_fixed_number_of_times_whatever_its_size_and_writes_each_row_at_once: the claim (4), the rows with their
    # recipients' profiles (1), the notes (1), each row's two writes (begun, sent), the empty claim (3)
    with time_machine.travel(T0, tick=False), django_assert_num_queries(6 + 2 * size + 3 + RUN_SETTINGS_QUERIES):
        assert reminders_dispatch().as_dict() == {"sent": size, "cancelled": 0, "retrying": 0, "failed": 0}
    clock = {"Asia/Kolkata": "20:05", "Europe/Paris": "15:35", "America/New_York": "09:35", "UTC": "14:35"}
    for email in mail.outbox:
        zone = expected[email.to[0]]
        assert f"Due {clock[zone]}, in 5 minutes ({zone})." in email.body
