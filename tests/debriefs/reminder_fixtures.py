"""Helpers for the reminder tests: an interview that ends at a known time, and a real local SMTP server.

Imported by the reminder test modules (tests/debriefs/conftest.py belongs to the debrief tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.conf import settings
from django.contrib.auth.models import Group

from interviewloop.services import interview_end
from tests.factories import InterviewFactory, LoopFactory, PositionFactory, UserFactory

# Monday 23 November 2026, 14:30 UTC: the settings' TIME_ZONE in tests is UTC, so emails read "14:35".
T0 = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)


# These tests never log in: MD5 instead of PBKDF2 for the factories' passwords (a second a user under load).
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
# A dispatcher run on PostgreSQL sets synchronous_commit off for its session at its start and resets it at its end.
RUN_SETTINGS_QUERIES = 2 if ON_POSTGRESQL else 0
# Another thread or process needs to see the test's committed rows; pytest's SQLite database is in memory.
needs_shared_database = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="needs PostgreSQL: another thread or process cannot share pytest's in-memory SQLite database "
    "(CI runs these on PostgreSQL: DATABASE_URL=postgres://...)",
)


def ensure_role_groups() -> None:
    """transaction=True tests start from a flushed database, without the groups the data migration made."""
    for name in ("interviewers", "recruiters"):
        Group.objects.get_or_create(name=name)


def make_loop(rubric, recruiter, *, candidate: str = "Jordan Rivera"):
    return LoopFactory(
        candidate__name=candidate,
        position=PositionFactory(title="LLM Reliability Engineer", rubric=rubric),
        recruiter=recruiter,
    )


def ended_interview(loop, username: str, *, at: datetime = T0, counts: bool = True):
    """An interview of `loop` by `username` that ran for an hour and was ended at `at` through the service."""
    interviewer = UserFactory(username=username, role="interviewer")
    interview = InterviewFactory(
        loop=loop,
        interviewer=interviewer,
        scheduled_start=at - timedelta(hours=1),
        scheduled_end=at,
        counts_toward_decision=counts,
    )
    return interview_end(interview=interview, at=at)


def due_note_now_reminders(count: int) -> None:
    """`count` interviews just ended, each leaving exactly one due reminder: its note_now."""
    from debriefs.models import Reminder
    from tests.factories import make_rubric

    ensure_role_groups()
    loop = make_loop(make_rubric(), UserFactory(username="rita", role="recruiter"))
    now = datetime.now(UTC)
    for n in range(count):
        ended_interview(loop, f"panel{n}", at=now - timedelta(minutes=1))
    Reminder.objects.exclude(kind="note_now").delete()


def dispatch_in_parallel(dispatchers: int) -> list[dict[str, int]]:
    """Run `dispatchers` reminder dispatchers at once, in threads released together; what each one did."""
    from django.db import connection

    from debriefs.reminders import reminders_dispatch

    start = threading.Barrier(dispatchers)
    results: list[dict[str, int]] = []

    def dispatcher() -> None:
        start.wait()
        try:
            results.append(reminders_dispatch().as_dict())
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(dispatchers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def free_port() -> int:
    """A TCP port with nothing listening on it (as of now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SinkHandler:
    """Collects what the server accepts. `hold` keeps a message's DATA unanswered until released; `refuse` answers
    every message with that SMTP reply instead of accepting it, `refuse_to` only those to that address.
    `peers` records the client's (host, port) for every message: one port per SMTP connection."""

    messages: list[EmailMessage] = field(default_factory=list)
    held: list[bytes] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    refuse: str | None = None
    refuse_to: dict[str, str] = field(default_factory=dict)
    peers: list[tuple[str, int]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.peers.append(session.peer)
        for address in envelope.rcpt_tos:
            if address in self.refuse_to:
                return self.refuse_to[address]
        if self.hold.is_set():
            self.held.append(envelope.content)
            while self.hold.is_set():
                await asyncio.sleep(0.05)
            # The sender was killed while we held it: never acknowledged, so never delivered.
            return "451 4.3.0 held message released unacknowledged"
        if self.refuse:
            return self.refuse
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def reminders(self) -> list[str]:
        """The X-Interviewloop-Reminder header ("<kind> <id>") of every accepted message, in order."""
        return [str(message["X-Interviewloop-Reminder"]) for message in self.messages]


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a local port, in a thread."""

    def __init__(self, port: int | None = None):
        self.handler = SinkHandler()
        self.port = port or free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.handler.hold.clear()
        self.controller.stop()


def wait_for(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll `predicate` until it returns something truthy (for other processes: a worker, a broker)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database (pytest's, not the configured one) as a URL a subprocess's settings can read."""
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Process:
    """A subprocess in its own process group with its output in a log file; `kill()` ends that group only."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
            self.popen.wait(10)
        self._log.close()


def worker_env(*, broker_url: str, smtp_port: int, **overrides: object) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "5",
        "REMINDER_DISPATCH_SECONDS": "0.5",
        "CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REQUIRE_REAL_STACK", None)
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def start_worker(name: str, env: dict[str, str], log_dir: Path, *, beat: bool = False) -> Process:
    """A real `celery worker` (solo pool: one process to kill), optionally with beat embedded (-B)."""
    args = [
        str(ROOT / ".venv/bin/celery"), "-A", "interviewloop", "worker", "--pool=solo", "--loglevel=INFO",
        f"--hostname={name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    if beat:
        args += ["-B", f"--schedule={log_dir / (name + '-beat-schedule')}"]
    return Process(name, args, env, log_dir)


def start_beat(name: str, env: dict[str, str], log_dir: Path) -> Process:
    args = [str(ROOT / ".venv/bin/celery"), "-A", "interviewloop", "beat", "--loglevel=INFO"]
    args += [f"--schedule={log_dir / (name + '-schedule')}"]
    return Process(name, args, env, log_dir)


def start_redis(port: int, log_dir: Path) -> Process:
    """A throwaway redis-server (no persistence): killing it loses whatever it held, like a real outage."""
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        pytest.skip("no redis-server on this machine: the broker outage test starts its own")
    args = [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = Process(f"redis-{port}", args, dict(os.environ), log_dir)
    wait_for(lambda: _accepts(port), timeout=10, what=f"redis-server on port {port}")
    return process


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def smtp_to_local_port(settings) -> Any:
    """Point Django's SMTP backend at a free local port (a SmtpSink started there, or nothing: a refused
    connection); a short timeout and four attempts per reminder."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 2
    settings.REMINDER_MAX_ATTEMPTS = 4
    return settings


def dispatch_at(when) -> dict[str, int]:
    """One dispatcher run with test time frozen at `when`; what it did (sent, cancelled, retrying, failed)."""
    from debriefs.reminders import reminders_dispatch

    with time_machine.travel(when, tick=False):
        return reminders_dispatch().as_dict()
