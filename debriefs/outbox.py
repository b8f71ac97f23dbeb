"""Reminder outbox writers: called by services inside their transaction, so a reminder exists iff its cause does.

Each function writes (or cancels) `Reminder` rows; the dispatcher (debriefs.tasks) sends them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from interviewloop.models import Interview, Loop


def interview_ended(interview: Interview) -> None:
    """note_now at ended_at, note_overdue at note_due_at, scorecard_overdue from ended_at + SCORECARD_DUE_HOURS."""


def note_written(interview: Interview) -> None:
    """Cancel the interview's pending note reminders."""


def scorecard_submitted(interview: Interview) -> None:
    """Cancel the interview's pending scorecard_overdue reminders."""


def decision_changed(loop: Loop, *, previous: str) -> None:
    """debrief_ready to the recruiter and panel when the decision becomes final."""


def debrief_scheduled(loop: Loop) -> None:
    """debrief_meeting DEBRIEF_MEETING_LEAD_MINUTES before loop.debrief_at (rescheduling replaces it)."""
