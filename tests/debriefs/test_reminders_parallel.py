"""One dispatcher run sends over several SMTP connections at once (REMINDER_SEND_CONNECTIONS), against a real
SMTP server (aiosmtpd): the sends overlap, every row is recorded once with its own outcome, and every database
write stays on the dispatcher's thread (these tests run inside the test's transaction, which no other thread
could see)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from debriefs.models import Reminder
from tests.debriefs.reminder_fixtures import (
    T0,
    SinkHandler,
    SmtpSink,
    dispatch_at,
    ended_interview,
    smtp_to_local_port,
)

pytestmark = [pytest.mark.django_db]

CONNECTIONS = 3


@pytest.fixture(autouse=True)
def smtp_settings(settings):
    settings.REMINDER_SEND_CONNECTIONS = CONNECTIONS
    smtp_to_local_port(settings)
    settings.EMAIL_TIMEOUT = 5  # the gathering below holds messages for up to 3 s
    return settings


def note_now_panel(loop, size: int) -> list[int]:
    for n in range(size):
        ended_interview(loop, f"panel{n}", at=T0)
    Reminder.objects.exclude(kind="note_now").delete()
    return list(Reminder.objects.order_by("next_attempt_at", "id").values_list("pk", flat=True))


class GatheringHandler(SinkHandler):
    """Holds each of the first `gather` messages until that many are in DATA at once (or a few seconds pass)."""

    gather = CONNECTIONS

    def __init__(self) -> None:
        super().__init__()
        self.started = 0
        self.in_data = 0
        self.most_at_once = 0
        self.gathered = False

    async def handle_DATA(self, server, session, envelope):
        self.started += 1
        self.in_data += 1
        self.most_at_once = max(self.most_at_once, self.in_data)
        self.gathered = self.gathered or self.in_data >= self.gather
        try:
            if self.started <= self.gather:
                loop = asyncio.get_running_loop()
                deadline = loop.time() + 3  # less than EMAIL_TIMEOUT: a sender that never overlaps fails the count
                while not self.gathered and loop.time() < deadline:
                    await asyncio.sleep(0.01)
            return await super().handle_DATA(server, session, envelope)
        finally:
            self.in_data -= 1


def sink_with(handler: SinkHandler, port: int) -> SmtpSink:
    sink = SmtpSink(port=port)
    sink.handler = sink.controller.handler = handler
    return sink


def test_sends_overlap_over_several_connections_and_each_row_is_marked_once(reminder_loop, smtp_settings):
    pks = note_now_panel(reminder_loop, 7)
    handler = GatheringHandler()

    with sink_with(handler, smtp_settings.EMAIL_PORT):
        assert dispatch_at(T0) == {"sent": 7, "cancelled": 0, "retrying": 0, "failed": 0}

    assert handler.most_at_once == CONNECTIONS  # three messages in DATA at the same moment
    assert len(set(handler.peers)) == CONNECTIONS  # over three connections, kept for the whole run
    assert sorted(handler.reminders()) == sorted(f"note_now {pk}" for pk in pks)
    assert Reminder.objects.filter(pk__in=pks, sent_at=T0, attempts=1, last_error="").count() == 7


def test_each_connections_refusals_are_recorded_on_their_own_rows(reminder_loop, smtp_settings):
    pks = note_now_panel(reminder_loop, 6)
    handler = SinkHandler()
    handler.refuse_to = {
        "panel1@example.com": "550 5.1.1 no such mailbox",
        "panel4@example.com": "451 4.3.0 try again later",
    }

    with sink_with(handler, smtp_settings.EMAIL_PORT):
        assert dispatch_at(T0) == {"sent": 4, "cancelled": 0, "retrying": 1, "failed": 1}

    rows = {row.recipient.email: row for row in Reminder.objects.filter(pk__in=pks).select_related("recipient")}
    assert {email: row.state for email, row in rows.items()} == {
        "panel0@example.com": "sent",
        "panel1@example.com": "failed",
        "panel2@example.com": "sent",
        "panel3@example.com": "sent",
        "panel4@example.com": "pending",
        "panel5@example.com": "sent",
    }
    assert rows["panel1@example.com"].last_error == "SMTPDataError: (550, b'5.1.1 no such mailbox')"
    assert rows["panel4@example.com"].next_attempt_at == T0 + timedelta(seconds=30)
    assert sorted(handler.reminders()) == sorted(f"note_now {rows[f'panel{n}@example.com'].pk}" for n in (0, 2, 3, 5))
