"""Each reminder is recorded the moment its send is over: a dispatcher that dies mid-batch leaves the rows it
delivered marked sent, the one it was sending "in doubt", and the rest untouched; a write that loses its database
connection (a restart) is made again on a new one rather than left for a second send; and an interrupted send is
never recorded afterwards as if nothing had gone out.

The real kill of a real worker is in test_worker_kill.py; these drive the same paths in-process.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import psycopg
import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.urls import reverse

from debriefs import outbox
from debriefs.models import Reminder
from debriefs.reminders import reminders_dispatch
from tests.debriefs.reminder_fixtures import (
    T0,
    dispatch_at,
    due_note_now_reminders,
    ended_interview,
    needs_shared_database,
)
from tests.factories import NoteFactory

pytestmark = [pytest.mark.django_db]


def panel(loop, size: int) -> list[int]:
    """`size` interviews of `loop` ended at T0, keeping only their note_now; the pks in claim order."""
    for n in range(size):
        ended_interview(loop, f"panel{n}", at=T0)
    Reminder.objects.exclude(kind="note_now").delete()
    return list(Reminder.objects.order_by("next_attempt_at", "id").values_list("pk", flat=True))


class WorkerKilled(BaseException):
    """What a SIGKILL does to a dispatcher, in-process: it stops, mid-send, running nothing after."""


class DiesOnThirdSend(LocmemBackend):
    """Accepts two messages, then the process "dies" while the third is with the server (never accepted)."""

    accepted = 0

    def send_messages(self, messages):
        if DiesOnThirdSend.accepted == 2:
            raise WorkerKilled
        DiesOnThirdSend.accepted += 1
        return super().send_messages(messages)


def test_a_dispatcher_that_dies_mid_batch_leaves_what_it_delivered_marked_and_the_one_in_flight_in_doubt(
    reminder_loop, mailoutbox, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.DiesOnThirdSend"
    settings.REMINDER_SEND_CONNECTIONS = 1
    DiesOnThirdSend.accepted = 0
    pks = panel(reminder_loop, 5)

    with time_machine.travel(T0, tick=False), pytest.raises(WorkerKilled):
        reminders_dispatch()

    rows = {row.pk: row for row in Reminder.objects.all()}
    assert [(rows[pk].state, rows[pk].in_doubt, rows[pk].attempts) for pk in pks] == [
        ("sent", False, 1),
        ("sent", False, 1),
        ("pending", True, 0),
        ("pending", False, 0),
        ("pending", False, 0),
    ]
    assert rows[pks[0]].sent_at == T0

    # The interviewers write their notes now: the delivered ones stay sent, the one in doubt is left to the
    # dispatcher, the untouched ones are cancelled as before.
    for pk in pks:
        interview = rows[pk].interview
        NoteFactory(interview=interview, due_at=interview.note_due_at, submitted_at=T0 + timedelta(seconds=30))
        outbox.note_written(interview)
    after = {row.pk: row for row in Reminder.objects.all()}
    assert [after[pk].state for pk in pks] == ["sent", "sent", "pending", "cancelled", "cancelled"]
    assert after[pks[3]].cancel_reason == "The note was written."

    # When the lease has run out, the next dispatcher re-checks the one in doubt and says what it knows.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert dispatch_at(T0 + timedelta(seconds=settings.REMINDER_CLAIM_SECONDS + 1))["cancelled"] == 1
    doubtful = Reminder.objects.get(pk=pks[2])
    assert doubtful.state == "cancelled"
    assert doubtful.cancel_reason == (
        "The note was already written. An earlier send was interrupted; it may have reached them."
    )
    assert Counter(m.extra_headers["X-Interviewloop-Reminder"] for m in mail.outbox) == {
        f"note_now {pks[0]}": 1,
        f"note_now {pks[1]}": 1,
    }


def test_a_reminder_in_doubt_that_still_applies_is_sent_again_and_recorded_once(reminder_loop, mailoutbox, caplog):
    (pk,) = panel(reminder_loop, 1)
    Reminder.objects.filter(pk=pk).update(sending_at=T0, next_attempt_at=T0)  # a send interrupted at T0

    assert dispatch_at(T0 + timedelta(minutes=1)) == {"sent": 1, "cancelled": 0, "retrying": 0, "failed": 0}

    row = Reminder.objects.get(pk=pk)
    assert (row.state, row.attempts, row.last_error, row.in_doubt) == ("sent", 1, "", False)
    assert "an earlier send was interrupted; sending it again" in caplog.text
    assert len(mail.outbox) == 1


def test_an_admin_cancel_of_a_reminder_in_doubt_says_it_may_have_arrived(reminder_loop, admin):
    pks = panel(reminder_loop, 2)
    Reminder.objects.filter(pk=pks[0]).update(sending_at=T0)

    assert outbox.reminder_cancel(reminders=Reminder.objects.all(), by=admin) == 2

    reasons = dict(Reminder.objects.values_list("pk", "cancel_reason"))
    assert reasons == {
        pks[0]: "Cancelled in admin by ada. An earlier send was interrupted; it may have reached them.",
        pks[1]: "Cancelled in admin by ada.",
    }


class DatabaseRestartsAfterFirstSend(LocmemBackend):
    """Accepts every message; right after the first, PostgreSQL drops the dispatcher's connection, as a restart
    would (pg_terminate_backend from another connection)."""

    terminated = False

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        if not DatabaseRestartsAfterFirstSend.terminated:
            DatabaseRestartsAfterFirstSend.terminated = True
            pid = connection.connection.info.backend_pid
            s = connection.settings_dict
            with psycopg.connect(
                host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"],
                dbname=s["NAME"], autocommit=True,
            ) as other:  # fmt: skip
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
        return sent


@needs_shared_database
@pytest.mark.django_db(transaction=True)
def test_a_mark_that_loses_the_database_is_made_again_on_a_new_connection_not_sent_twice(mailoutbox, settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.DatabaseRestartsAfterFirstSend"
    settings.REMINDER_SEND_CONNECTIONS = 1
    DatabaseRestartsAfterFirstSend.terminated = False
    due_note_now_reminders(4)

    assert reminders_dispatch().as_dict() == {"sent": 4, "cancelled": 0, "retrying": 0, "failed": 0}

    assert DatabaseRestartsAfterFirstSend.terminated
    assert "database write failed" in caplog.text  # the first mark hit the dropped connection
    assert Reminder.objects.filter(sent_at__isnull=False, attempts=1, last_error="").count() == 4
    # and a later run (its lease long over) finds nothing to send again
    assert reminders_dispatch().as_dict()["sent"] == 0
    headers = Counter(m.extra_headers["X-Interviewloop-Reminder"] for m in mail.outbox)
    assert headers == {f"note_now {pk}": 1 for pk in Reminder.objects.values_list("pk", flat=True)}


def test_the_admin_list_shows_a_reminder_in_doubt_as_such(reminder_loop, client, admin):
    (pk,) = panel(reminder_loop, 1)
    Reminder.objects.filter(pk=pk).update(sending_at=T0)
    client.force_login(admin)

    page = client.get(reverse("admin:debriefs_reminder_changelist")).content.decode()

    assert "in doubt (a send was interrupted; it may have arrived)" in page
