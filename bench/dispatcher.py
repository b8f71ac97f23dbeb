"""The reminder dispatcher under load: 10,000 due reminders through one Celery worker to a local SMTP sink,
and the sweep with nothing due on the full data set (timed, with the claim query's EXPLAIN plan).

The reminders are real outbox rows for a "dispatch pool" of loops (ended interviews with no note and no
scorecard yet, a debrief meeting to come), so the dispatcher's re-check finds each one still applies
and sends it. Every run re-arms the same rows (pending, due now) rather than growing the table.
"""

from __future__ import annotations

import contextlib
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from debriefs.models import Reminder
from interviewloop.models import Interview, Loop, Position
from interviewloop.roles import INTERVIEWERS, RECRUITERS

POOL_DOMAIN = "dispatch.bench.example.com"
PER_INTERVIEW = 4  # note_overdue and scorecard_overdue 1, 2 (recruiter copied), 3


class SmtpSink:
    """An aiosmtpd server on a free loopback port that accepts and counts every message."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received = 0
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with sink._lock:
                    sink.received += 1
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=_free_port())

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.controller.port}"

    def __enter__(self) -> SmtpSink:
        import logging

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line at INFO
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def available() -> tuple[bool, str]:
    try:
        from debriefs.reminders import reminders_dispatch  # noqa: F401
        from debriefs.tasks import dispatch_reminders  # noqa: F401
    except ImportError as error:
        return False, f"debriefs.tasks / debriefs.reminders not importable ({error})"
    return True, ""


def arm_pool(*, reminders: int, rng: random.Random | None = None) -> int:
    """Make (once) and re-arm the dispatch pool: `reminders` outbox rows, all pending and due a second ago."""
    from scorecards.models import Rubric

    rng = rng or random.Random(11)
    interviews_needed = -(-reminders // PER_INTERVIEW)
    pool = Interview.objects.filter(loop__candidate__email__endswith=f"@{POOL_DOMAIN}")
    have = pool.count()
    now = timezone.now()
    if have < interviews_needed:
        from bench.seed import PANEL, _seed_candidates, ended_panels, store_debriefs

        User = get_user_model()
        interviewers = list(User.objects.filter(groups__name=INTERVIEWERS).order_by("id"))
        recruiters = list(User.objects.filter(groups__name=RECRUITERS).order_by("id"))
        rubric = Rubric.objects.filter(status=Rubric.Status.PUBLISHED).order_by("name", "-version").first()
        positions = list(Position.objects.filter(rubric=rubric))
        loops_needed = -(-(interviews_needed - have) // PANEL)
        with transaction.atomic():
            candidates = _seed_candidates(loops_needed, rng)
            for candidate in candidates:
                candidate.email = candidate.email.split("@")[0] + f"@{POOL_DOMAIN}"
            type(candidates[0]).objects.bulk_update(candidates, ["email"], batch_size=2000)
            interviews = ended_panels(
                candidates, rng=rng, rubric=rubric, positions=positions, recruiters=recruiters,
                interviewers=interviewers, ended_at=now - timedelta(hours=1), debrief_at=now + timedelta(days=3),
            )  # fmt: skip
            rows = []
            for interview in interviews:
                common = {"interview": interview, "loop": interview.loop, "recipient_id": interview.interviewer_id}
                rows.append(Reminder(kind=Reminder.Kind.NOTE_OVERDUE, due_at=now, next_attempt_at=now, **common))
                for sequence in (1, 2, 3):
                    rows.append(
                        Reminder(
                            kind=Reminder.Kind.SCORECARD_OVERDUE,
                            sequence=sequence,
                            copy_to_id=interview.loop.recruiter_id if sequence >= 2 else None,
                            due_at=now,
                            next_attempt_at=now,
                            **common,
                        )
                    )
            Reminder.objects.bulk_create(rows, batch_size=2000)
        store_debriefs({interview.loop_id for interview in interviews})
    ids = list(
        Reminder.objects.filter(interview__in=pool.values("id")).order_by("id").values_list("id", flat=True)[:reminders]
    )
    due = now - timedelta(seconds=1)
    Reminder.objects.filter(id__in=ids).update(
        sent_at=None,
        sending_at=None,
        cancelled_at=None,
        cancel_reason="",
        failed_at=None,
        attempts=0,
        last_error="",
        due_at=due,
        next_attempt_at=due,
    )
    Loop.objects.filter(candidate__email__endswith=f"@{POOL_DOMAIN}").update(status=Loop.Status.OPEN)
    return len(ids)


def _pending_due_rows():
    return Reminder.objects.filter(
        sent_at__isnull=True, cancelled_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=timezone.now()
    )


def _pending_due() -> int:
    return _pending_due_rows().count()


# One Celery worker as docker-compose runs it: the prefork pool, one process per core (Celery's default); and,
# for comparison, one worker process alone (the solo pool), which shows what a single core of it does.
POOLS = {"prefork": os.cpu_count() or 1, "solo": 1}


def run(
    *, reminders: int, env: dict[str, str], log_dir: Path, timeout: float, pool: str = "prefork", log=print
) -> dict[str, Any]:
    """Send `reminders` (plus anything else already due) through one Celery worker with `pool`; reminders/s."""
    ok, reason = available()
    if not ok:
        return {"available": False, "reason": reason}
    from debriefs.tasks import dispatch_reminders
    from interviewloop.celery import app

    armed = arm_pool(reminders=reminders)
    due_ids = list(_pending_due_rows().values_list("id", flat=True))
    backlog = len(due_ids)
    log(f"dispatcher: {armed} pool reminders armed; {backlog} due in all (the submit scenario adds debrief_ready rows)")
    app.control.purge()  # stale kicks queued by the web scenarios
    with SmtpSink() as sink:
        worker_env = {**env, "EMAIL_URL": sink.url}
        log_file = open(log_dir / f"worker-{pool}.log", "w")  # noqa: SIM115 - closed in the finally below
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "interviewloop",
                "worker",
                f"--pool={pool}",
                f"--concurrency={POOLS[pool]}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
            ],
            env=worker_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=str(Path(__file__).resolve().parent.parent),
        )
        try:
            deadline = time.monotonic() + 60
            while not app.control.ping(timeout=0.5):
                if worker.poll() is not None or time.monotonic() > deadline:
                    return {
                        "available": False,
                        "reason": f"the Celery worker did not start (see {log_file.name})",
                    }
            # One task sends at most a batch; queue enough back to back that the worker never waits for beat.
            from debriefs import reminders as reminders_module

            batch = _default_limit(reminders_module.reminders_dispatch)
            window_start = timezone.now()
            cpu_before = _tree_cpu_seconds(worker.pid)
            started = time.monotonic()
            for _ in range(backlog // batch + 5):
                dispatch_reminders.apply_async()
            # Watch the sink (free) rather than the outbox: counting the pending rows twenty times a second cost
            # the database more than the dispatcher's own reads. The outbox is asked once a second until the sink
            # has them all (cancelled or failed rows never reach it), then until nothing is left due.
            asked = 0.0
            while time.monotonic() - started < timeout:
                if sink.received >= backlog or time.monotonic() - asked >= 1.0:
                    asked = time.monotonic()
                    if _pending_due() == 0:
                        break
                time.sleep(0.05)
            seconds = time.monotonic() - started
            worker_cpu = _tree_cpu_seconds(worker.pid) - cpu_before
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            log_file.close()
        app.control.purge()
        received = sink.received
    # The rows that were due when the worker started, and what became of each.
    outcome = Reminder.objects.filter(id__in=due_ids)
    sent = outcome.filter(sent_at__gte=window_start).count()
    cancelled = outcome.filter(cancelled_at__gte=window_start).count()
    failed = outcome.filter(failed_at__gte=window_start).count()
    left = _pending_due()
    return {
        "available": True,
        "pool": pool,
        "processes": POOLS[pool],
        "armed": armed,
        "due_at_start": backlog,
        "batch_per_task": batch,
        "sent": sent,
        "cancelled": cancelled,
        "failed": failed,
        "left_due": left,
        "received_by_sink": received,
        "seconds": round(seconds, 2),
        "reminders_per_s": round((sent + cancelled + failed) / seconds, 1) if seconds else None,
        "sent_per_s": round(sent / seconds, 1) if seconds else None,
        # The worker's own CPU (all its processes; PostgreSQL's not included): steadier than the rate on a busy machine.
        "worker_cpu_s": round(worker_cpu, 2),
        "cpu_ms_per_reminder": round(worker_cpu * 1000 / (sent + cancelled + failed), 3)
        if sent + cancelled + failed
        else None,
        "timed_out": left > 0,
    }


def _tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its descendants (the prefork pool's children)."""
    import psutil  # locust's own dependency

    try:
        root = psutil.Process(pid)
        total = 0.0
        for process in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
        return total
    except psutil.Error:
        return 0.0


def _default_limit(function) -> int:
    import inspect

    parameter = inspect.signature(function).parameters.get("limit")
    return int(parameter.default) if parameter is not None and isinstance(parameter.default, int) else 100


def defer_due() -> int:
    """Push anything still due (the dispatcher run was cut short) a day ahead, so the sweep finds nothing due."""
    later = timezone.now() + timedelta(days=1)
    return Reminder.objects.filter(
        sent_at__isnull=True, cancelled_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=timezone.now()
    ).update(next_attempt_at=later)


def time_empty_sweep(*, runs: int = 50) -> dict[str, Any]:
    """The dispatcher with nothing due, over the full outbox: timed in this process, and the claim's EXPLAIN."""
    ok, reason = available()
    if not ok:
        return {"available": False, "reason": reason}
    from debriefs.reminders import reminders_dispatch

    deferred = defer_due()
    reminders_dispatch()  # warm: connection, imports
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        result = reminders_dispatch()
        timings.append((time.perf_counter() - started) * 1000)
        assert not any(result.as_dict().values()), result.as_dict()
    with CaptureQueriesContext(connection) as queries:
        reminders_dispatch()
    claim = next((q["sql"] for q in queries.captured_queries if 'FROM "debriefs_reminder"' in q["sql"]), None)
    plan = ""
    if claim and connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + claim)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    pending = Reminder.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True, failed_at__isnull=True).count()
    return {
        "available": True,
        "runs": runs,
        "median_ms": round(statistics.median(timings), 3),
        "best_ms": round(min(timings), 3),
        "p95_ms": round(sorted(timings)[int(0.95 * (len(timings) - 1))], 3),
        "queries": len(queries.captured_queries),
        "reminder_rows": Reminder.objects.count(),
        "pending_not_due": pending,
        "deferred_before_sweep": deferred,
        "claim_sql": claim,
        "explain": plan,
        "uses_index": bool(plan) and "Index" in plan and "Seq Scan on debriefs_reminder" not in plan,
    }
