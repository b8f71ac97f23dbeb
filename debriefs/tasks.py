"""Celery tasks: interfaces only. They take no arguments, read the database and call a service.

Both are safe to run twice or in parallel: the dispatcher claims each row before sending it, and the sweep ends an
interview through the idempotent interview_end. Beat runs them every REMINDER_DISPATCH_SECONDS
(CELERY_BEAT_SCHEDULE in settings); the outbox also nudges the dispatcher by name on commit.
"""

from __future__ import annotations

from celery import shared_task

from debriefs.reminders import reminders_dispatch
from debriefs.webhooks import webhooks_dispatch
from interviewloop.services import interviews_end_overdue


@shared_task(name="debriefs.tasks.dispatch_reminders", ignore_result=True)
def dispatch_reminders() -> dict[str, int]:
    """Send the due reminders, each marked as soon as the mail server accepts it (see debriefs.reminders)."""
    return reminders_dispatch().as_dict()


@shared_task(name="debriefs.tasks.sweep_ended_interviews", ignore_result=True)
def sweep_ended_interviews() -> int:
    """End interviews nobody ended at their scheduled end, so the five-minute clock always starts."""
    return len(interviews_end_overdue())


@shared_task(name="debriefs.tasks.dispatch_webhooks", ignore_result=True)
def dispatch_webhooks() -> dict[str, int]:
    """Deliver the due webhook events, signed. At-least-once (see debriefs.webhooks)."""
    return webhooks_dispatch().as_dict()
