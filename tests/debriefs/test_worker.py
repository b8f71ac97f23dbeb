"""Reminders on a real `celery worker` process against a real broker, with the faults the outbox is for.

The worker reads the test's PostgreSQL database (these tests commit: transaction=True) and sends through a
real local SMTP server (aiosmtpd). Each row is marked sent as soon as the server accepts it: see debriefs.reminders
(a kill mid-batch: test_worker_kill.py).
"""

from __future__ import annotations

import signal
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from debriefs.models import Reminder
from interviewloop.celery import app
from tests.debriefs.reminder_fixtures import (
    SmtpSink,
    ended_interview,
    ensure_role_groups,
    free_port,
    make_loop,
    needs_shared_database,
    start_beat,
    start_redis,
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


@pytest.fixture
def sink():
    with SmtpSink() as running:
        yield running


@pytest.fixture
def panel_loop():
    ensure_role_groups()
    return make_loop(make_rubric(), UserFactory(username="rita", role="recruiter"))


def end_now(loop, username):
    """End an interview that started an hour ago, now, through the service (so the kick goes out on commit)."""
    return ended_interview(loop, username, at=timezone.now())


def sent_kinds(sink) -> list[str]:
    return [header.split()[0] for header in sink.handler.reminders()]


def logs(*processes) -> str:
    return "\n".join(f"--- {p.name} ---\n{p.log()[-3000:]}" for p in processes)


def test_the_worker_sends_note_now_within_seconds_of_the_end_and_beat_the_overdue_one(
    panel_loop, sink, processes, tmp_path, settings
):
    # A tenth of a minute: the note window closes six seconds after the end.
    settings.NOTE_WINDOW_MINUTES = 0.1
    env = worker_env(broker_url=settings.CELERY_BROKER_URL, smtp_port=sink.port, NOTE_WINDOW_MINUTES=0.1)
    worker = start_worker("worker", env, tmp_path)
    processes.append(worker)
    wait_for(lambda: " ready." in worker.log(), timeout=30, what="the worker to start")

    # when: the interview ends (no beat running: only the on-commit kick can wake the worker)
    ended = time.monotonic()
    interview = end_now(panel_loop, "alice")

    # then: the five-minute note reminder arrives within seconds
    wait_for(lambda: sink.handler.messages, timeout=10, what=f"note_now\n{logs(worker)}")
    assert time.monotonic() - ended < 10
    assert sent_kinds(sink) == ["note_now"]
    assert sink.handler.messages[0]["To"] == "alice@example.com"
    wait_for(lambda: Reminder.objects.get(kind="note_now").sent_at, timeout=5, what="the row marked sent")

    # and beat's dispatcher sends the overdue one once the window has closed, and nothing twice
    beat = start_beat("beat", env, tmp_path)
    processes.append(beat)
    wait_for(lambda: len(sink.handler.messages) >= 2, timeout=20, what=f"note_overdue\n{logs(worker, beat)}")
    assert sent_kinds(sink) == ["note_now", "note_overdue"]
    wait_for(lambda: Reminder.objects.filter(sent_at__isnull=False).count() == 2, timeout=5, what="both marked sent")
    assert Reminder.objects.get(kind="note_overdue").sent_at >= interview.note_due_at


def test_a_broker_outage_delays_reminders_but_loses_none(panel_loop, sink, processes, tmp_path, monkeypatch, caplog):
    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    redis = start_redis(port, tmp_path)
    processes.append(redis)
    # This process's kicks go to the throwaway broker too: they are what the outage breaks.
    monkeypatch.setitem(app.conf, "broker_write_url", broker_url)
    env = worker_env(broker_url=broker_url, smtp_port=sink.port)
    worker = start_worker("worker", env, tmp_path, beat=True)
    processes.append(worker)
    wait_for(lambda: " ready." in worker.log(), timeout=30, what="the worker to start")

    # given: the broker goes down
    redis.kill()
    # when: interviews end meanwhile; ending one does not wait on the dead broker
    started = time.monotonic()
    for name in ("alice", "bob", "carol"):
        end_now(panel_loop, name)
    assert time.monotonic() - started < 5
    # the on-commit kick really went to the dead broker, and failed there without failing the end
    wait_for(lambda: "could not kick the dispatcher" in caplog.text, timeout=20, what="the failed kick")
    assert Reminder.objects.filter(kind="note_now", sent_at__isnull=True).count() == 3
    assert sink.handler.messages == []

    # then: the broker comes back, and every reminder goes out, once
    processes.append(start_redis(port, tmp_path))
    wait_for(lambda: len(sink.handler.messages) >= 3, timeout=40, what=f"3 note_now after the outage\n{logs(worker)}")
    assert sorted(m["To"] for m in sink.handler.messages) == [
        "alice@example.com",
        "bob@example.com",
        "carol@example.com",
    ]
    # The worker marks a row sent just after the server accepts it.
    wait_for(lambda: Reminder.objects.filter(kind="note_now", sent_at__isnull=False).count() == 3, timeout=5)


def test_a_worker_killed_mid_send_leaves_the_reminder_to_another_worker(panel_loop, sink, processes, tmp_path):
    env = worker_env(broker_url=settings.CELERY_BROKER_URL, smtp_port=sink.port, REMINDER_CLAIM_SECONDS=2)
    first = start_worker("first", env, tmp_path)
    processes.append(first)
    wait_for(lambda: " ready." in first.log(), timeout=30, what="the first worker to start")

    # given: the first worker is in the middle of sending (the mail server holds its message unanswered)
    sink.handler.hold.set()
    end_now(panel_loop, "alice")
    wait_for(lambda: sink.handler.held, timeout=15, what=f"the first worker's send\n{logs(first)}")

    # when: it is killed outright, before it could mark anything
    first.kill(signal.SIGKILL)
    sink.handler.hold.clear()
    reminder = Reminder.objects.get(kind="note_now")
    assert (reminder.state, reminder.attempts) == ("pending", 0)
    assert reminder.next_attempt_at > reminder.due_at  # still claimed: its lease has not run out

    # then: a second worker (with beat) sends it once the lease has run out
    second = start_worker("second", env, tmp_path, beat=True)
    processes.append(second)
    wait_for(lambda: sink.handler.messages, timeout=30, what=f"the second worker's send\n{logs(second)}")
    assert sent_kinds(sink) == ["note_now"]
    wait_for(lambda: Reminder.objects.get(pk=reminder.pk).sent_at, timeout=5, what="the row marked sent")
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts, reminder.last_error) == ("sent", 1, "")
    assert reminder.sent_at >= reminder.due_at + timedelta(seconds=2)
