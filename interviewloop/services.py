"""Writes on loops and interviews. Keyword-only, atomic; reminders go through the outbox in the same transaction."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from debriefs import outbox
from interviewloop.errors import Conflict
from interviewloop.models import Interview


@transaction.atomic
def interview_end(*, interview: Interview, at: datetime | None = None) -> Interview:
    """End an interview now (or at `at`); idempotent: a second call keeps the first end time."""
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    if locked.ended_at is not None:
        return locked
    now = timezone.now()
    ended_at = at or now
    if ended_at < locked.scheduled_start:
        raise Conflict(
            "This interview has not started yet: it can be ended once its scheduled start has passed.",
            code="interview_not_started",
        )
    locked.ended_at = ended_at
    locked.save(update_fields=["ended_at"])
    outbox.interview_ended(locked)
    return locked
