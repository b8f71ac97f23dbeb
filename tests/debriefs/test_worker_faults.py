"""The broker dies under a busy production-shaped worker: the prefork pool (two processes), tasks in flight, a
separate beat, a slow real SMTP server; then the broker comes back on the same port.

What must hold (issue 15, "Faults"): the worker process survives the outage (it used to exit for good with
`Unrecoverable error: AttributeError("'NoneType' object has no attribute 'hostname'")` out of kombu's redis
transport), sends every due reminder (at-least-once: each one at least once, and every row marked sent), and the
end-of-interview sweep goes on running.
"""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from debriefs.models import Reminder
from debriefs.tasks import dispatch_reminders
from interviewloop.celery import app
from interviewloop.models import Interview
from tests.debriefs.reminder_fixtures import (
    ROOT,
    Process,
    SinkHandler,
    ended_interview,
    ensure_role_groups,
    free_port,
    make_loop,
    needs_shared_database,
    start_beat,
    start_redis,
    wait_for,
    worker_env,
)
from tests.factories import InterviewFactory, UserFactory, make_rubric

pytestmark = [
    needs_shared_database,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

# Per trial: this many reminders fall due at once, and the mail server takes SEND_SECONDS over each, so with the
# dispatcher's four SMTP connections one run is busy for about REMINDERS * SEND_SECONDS / 4 = 2 s: less than
# beat's period, so one dispatcher run is in flight (its message unacknowledged under late acks) while the worker
# still has a free pool process and so is waiting on the broker for more. That is the state the crash needed.
REMINDERS = 40
SEND_SECONDS = 0.2
DISPATCH_SECONDS = 4
OUTAGE_SECONDS = 4
TRIALS = 3


class SlowSinkHandler(SinkHandler):
    """A mail server that takes its time over every message, so a dispatcher run is in flight for seconds."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(SEND_SECONDS)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_sink():
    handler = SlowSinkHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def start_prefork_worker(name: str, env: dict[str, str], log_dir: Path) -> Process:
    """A worker as docker-compose runs it: the prefork pool (two processes here), mingle, gossip and heartbeats."""
    args = [
        str(ROOT / ".venv/bin/celery"), "-A", "interviewloop", "worker", "--pool=prefork", "--concurrency=2",
        "--loglevel=INFO", f"--hostname={name}@%h",
    ]  # fmt: skip
    return Process(name, args, env, log_dir)


def due_reminders(loop, prefix: str, count: int) -> set[str]:
    """`count` interviews of `loop` that ended a minute ago: each leaves one due note_now. Their reminder ids."""
    now = timezone.now()
    for n in range(count):
        ended_interview(loop, f"{prefix}{n}", at=now - timedelta(minutes=1))
    Reminder.objects.filter(interview__interviewer__username__startswith=prefix).exclude(kind="note_now").delete()
    ids = Reminder.objects.filter(interview__interviewer__username__startswith=prefix).values_list("id", flat=True)
    return {f"note_now {pk}" for pk in ids}


def test_the_prefork_worker_survives_a_broker_outage_with_tasks_in_flight_and_sends_every_reminder(
    slow_sink, processes, tmp_path, monkeypatch
):
    handler, smtp_port = slow_sink
    redis_port = free_port()
    broker_url = f"redis://127.0.0.1:{redis_port}/0"
    redis = start_redis(redis_port, tmp_path)
    processes.append(redis)
    # Only beat wakes the worker here: this process's on-commit kicks go nowhere (a closed port), so what is in
    # flight when the broker dies is exactly one dispatcher run (and, briefly, a sweep).
    monkeypatch.setitem(app.conf, "broker_write_url", f"redis://127.0.0.1:{free_port()}/0")
    env = worker_env(
        broker_url=broker_url,
        smtp_port=smtp_port,
        REMINDER_CLAIM_SECONDS=30,
        REMINDER_DISPATCH_SECONDS=DISPATCH_SECONDS,
    )
    worker = start_prefork_worker("worker", env, tmp_path)
    processes.append(worker)
    beat = start_beat("beat", env, tmp_path)
    processes.append(beat)
    wait_for(lambda: " ready." in worker.log(), timeout=30, what="the worker to start")

    def logs() -> str:
        return "\n".join(f"--- {p.name} ---\n{p.log()[-4000:]}" for p in (worker, beat))

    ensure_role_groups()
    loop = make_loop(make_rubric(), UserFactory(username="rita", role="recruiter"))
    expected: set[str] = set()
    for trial in range(TRIALS):
        # given: a trial's reminders fall due, and the worker is in the middle of sending them
        due = due_reminders(loop, f"t{trial}p", REMINDERS)
        expected |= due
        wait_for(lambda due=due: due & set(handler.reminders()), timeout=20, what=f"trial {trial}: sending\n{logs()}")
        assert not due <= set(handler.reminders()), "the outage must come mid-send"

        # when: the broker is killed outright, stays down a few seconds, and comes back (empty) on its port
        redis.kill(signal.SIGKILL)
        time.sleep(OUTAGE_SECONDS)  # the outage itself: a real process stays dead this long
        assert worker.popen.poll() is None, f"trial {trial}: the worker died during the outage\n{logs()}"
        redis = start_redis(redis_port, tmp_path)
        processes.append(redis)

        # then: the worker is still there, and every reminder due so far goes out (at-least-once) and is marked
        wait_for(
            lambda expected=expected: expected <= set(handler.reminders()) or worker.popen.poll() is not None,
            timeout=45,
            what=f"trial {trial}: every reminder sent after the outage\n{logs()}",
        )
        assert worker.popen.poll() is None, f"trial {trial}: the worker exited\n{logs()}"
        assert "Unrecoverable error" not in worker.log(), logs()
        wait_for(
            lambda: not Reminder.objects.filter(sent_at__isnull=True).exists(),
            timeout=15,
            what=f"trial {trial}: every row marked sent\n{logs()}",
        )
        assert Reminder.objects.filter(sent_at__isnull=False).count() == len(expected)

    # and the sweep still runs: an interview nobody ended is ended, and its note reminder goes out
    forgotten = InterviewFactory(
        loop=loop,
        interviewer=UserFactory(username="forgetful", role="interviewer"),
        scheduled_start=timezone.now() - timedelta(hours=1),
        scheduled_end=timezone.now() - timedelta(seconds=1),
    )
    wait_for(
        lambda: Interview.objects.get(pk=forgotten.pk).ended_at,
        timeout=20,
        what=f"the sweep to end it\n{logs()}",
    )
    note_now = Reminder.objects.get(interview=forgotten, kind="note_now")
    wait_for(lambda: f"note_now {note_now.pk}" in handler.reminders(), timeout=20, what=f"its note_now\n{logs()}")
    assert worker.popen.poll() is None
    assert beat.popen.poll() is None, logs()


def test_the_prefork_worker_survives_a_broker_outage_with_both_processes_busy_and_a_run_waiting(
    slow_sink, processes, tmp_path, monkeypatch
):
    """The other shape of the crash: every pool process is running a task and one more message has been taken
    from Redis and waits for a free process (so under early acks too, one message is unacknowledged)."""
    handler, smtp_port = slow_sink
    redis_port = free_port()
    broker_url = f"redis://127.0.0.1:{redis_port}/0"
    redis = start_redis(redis_port, tmp_path)
    processes.append(redis)
    monkeypatch.setitem(app.conf, "broker_write_url", f"redis://127.0.0.1:{free_port()}/0")  # no kicks: see above
    worker = start_prefork_worker("worker", worker_env(broker_url=broker_url, smtp_port=smtp_port), tmp_path)
    processes.append(worker)
    wait_for(lambda: " ready." in worker.log(), timeout=30, what="the worker to start")

    def dispatcher_runs(count: int) -> None:
        with app.connection_for_write(broker_url) as connection:
            for _ in range(count):
                dispatch_reminders.apply_async(connection=connection)  # type: ignore[call-arg]

    ensure_role_groups()
    loop = make_loop(make_rubric(), UserFactory(username="rita", role="recruiter"))
    # given: enough due reminders for two dispatcher runs at once to take about three seconds
    expected = due_reminders(loop, "busy", 3 * REMINDERS)
    # when: three runs are asked for: two start, the third waits in the worker for a free process
    dispatcher_runs(3)
    wait_for(lambda: worker.log().count("dispatch_reminders[") >= 3 and handler.messages, timeout=20, what=worker.log())
    # and the broker dies meanwhile, and comes back
    redis.kill(signal.SIGKILL)
    time.sleep(OUTAGE_SECONDS)  # the outage itself: a real process stays dead this long
    processes.append(start_redis(redis_port, tmp_path))

    # then: the worker reconnects (on the old code it logged "Unrecoverable error", finished its two runs and exited)
    wait_for(
        lambda: worker.log().count(" Connected to ") >= 2 or worker.popen.poll() is not None,
        timeout=30,
        what=f"the worker to reconnect\n{worker.log()[-4000:]}",
    )
    assert worker.popen.poll() is None, worker.log()[-6000:]
    assert "Unrecoverable error" not in worker.log(), worker.log()[-6000:]
    # and every reminder went out (at-least-once) and is marked sent, and it takes new work after the outage
    wait_for(lambda: expected <= set(handler.reminders()), timeout=30, what=f"every reminder\n{worker.log()[-4000:]}")
    later = due_reminders(loop, "later", 1)
    dispatcher_runs(1)
    wait_for(lambda: later <= set(handler.reminders()), timeout=20, what=f"the later reminder\n{worker.log()[-4000:]}")
    wait_for(lambda: not Reminder.objects.filter(sent_at__isnull=True).exists(), timeout=15, what="all marked sent")
    assert worker.popen.poll() is None
