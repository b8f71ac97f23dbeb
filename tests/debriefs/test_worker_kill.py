"""A real Celery worker killed (SIGKILL) in the middle of a batch, sending to a real SMTP server (aiosmtpd), over
a real broker: what it delivered is recorded as sent and never sent again, what it was sending at the kill is
recorded as in doubt and sent by the next worker, and every reminder reaches its recipient exactly once.
"""

from __future__ import annotations

import signal
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from debriefs import outbox
from debriefs.models import Reminder
from interviewloop.celery import app
from tests.debriefs.reminder_fixtures import (
    SinkHandler,
    SmtpSink,
    ended_interview,
    ensure_role_groups,
    free_port,
    make_loop,
    needs_shared_database,
    start_worker,
    wait_for,
    worker_env,
)
from tests.factories import UserFactory, make_rubric

pytestmark = [
    needs_shared_database,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

ROWS = 8
ACCEPTED_BEFORE_KILL = 4


class HoldsTheFifth(SinkHandler):
    """Accepts the first ACCEPTED_BEFORE_KILL messages, then holds the next one unanswered (see SinkHandler)."""

    async def handle_DATA(self, server, session, envelope):
        if len(self.messages) >= ACCEPTED_BEFORE_KILL and not self.held:
            self.hold.set()
        return await super().handle_DATA(server, session, envelope)


def test_a_worker_killed_mid_batch_sends_nothing_twice_and_the_outbox_says_what_happened(
    processes, tmp_path, monkeypatch, settings
):
    handler = HoldsTheFifth()
    sink = SmtpSink()
    sink.handler = sink.controller.handler = handler
    # The rows are written before any worker runs: this process's on-commit kicks go nowhere (a closed port).
    monkeypatch.setitem(app.conf, "broker_write_url", f"redis://127.0.0.1:{free_port()}/0")
    ensure_role_groups()
    loop = make_loop(make_rubric(), UserFactory(username="rita", role="recruiter"))
    for n in range(ROWS):
        ended_interview(loop, f"panel{n}", at=timezone.now() - timedelta(minutes=1))
    Reminder.objects.exclude(kind="note_now").delete()
    pks = list(Reminder.objects.order_by("next_attempt_at", "id").values_list("pk", flat=True))

    with sink:
        # One SMTP connection, so exactly one send is in flight at the kill; a short lease for the second worker.
        env = worker_env(
            broker_url=settings.CELERY_BROKER_URL, smtp_port=sink.port, REMINDER_CLAIM_SECONDS=3,
            REMINDER_SEND_CONNECTIONS=1,
        )  # fmt: skip
        first = start_worker("first", env, tmp_path, beat=True)
        processes.append(first)

        # given: the worker has delivered four of the batch and the server holds its fifth send
        wait_for(lambda: handler.held, timeout=40, what=f"the fifth send\n{first.log()[-3000:]}")
        # when: it is killed outright
        first.kill(signal.SIGKILL)

        # then: the outbox says what happened to each row
        rows = {row.pk: row for row in Reminder.objects.all()}
        delivered = {int(header.split()[1]) for header in handler.reminders()}
        assert len(delivered) == ACCEPTED_BEFORE_KILL
        assert all(rows[pk].state == "sent" and rows[pk].attempts == 1 for pk in delivered)
        in_doubt = [pk for pk in pks if rows[pk].in_doubt]
        assert len(in_doubt) == 1 and in_doubt[0] not in delivered
        untouched = set(pks) - delivered - set(in_doubt)
        assert all((rows[pk].state, rows[pk].sending_at) == ("pending", None) for pk in untouched)

        # and a note written now for a delivered reminder leaves it recorded as sent, not "cancelled"
        noted = sorted(delivered)[0]
        outbox.note_written(rows[noted].interview)
        assert Reminder.objects.get(pk=noted).state == "sent"

        # then: a second worker sends what is left (the one in doubt included) once its lease has run out
        handler.hold.clear()
        second = start_worker("second", env, tmp_path, beat=True)
        processes.append(second)
        wait_for(
            lambda: not Reminder.objects.filter(sent_at__isnull=True).exists(),
            timeout=40,
            what=f"every row sent\n{second.log()[-3000:]}",
        )
        copies = Counter(handler.reminders())
        assert copies == {f"note_now {pk}": 1 for pk in pks}
        assert set(Reminder.objects.filter(pk__in=pks).values_list("attempts", "last_error")) == {(1, "")}
