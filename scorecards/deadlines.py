"""The interview's two deadlines with their settings: the note's (NOTE_WINDOW_MINUTES) and the scorecard's
(SCORECARD_DUE_HOURS).

The rules themselves are `scorecards.rules.note_due_at` and `scorecard_due_at` (pure); this module only reads the
settings for them, and builds the one SQL form of the note's deadline from the same setting, for the queries that
compare it in the database (tests/scorecards/test_deadlines.py ties the two).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import DateTimeField, ExpressionWrapper, F

from scorecards import rules


def note_due_at(ended_at: datetime | None) -> datetime | None:
    """When the five-minute note of an interview that ended at `ended_at` is due (None before it ends)."""
    return rules.note_due_at(ended_at, window_minutes=settings.NOTE_WINDOW_MINUTES)


def scorecard_due_at(ended_at: datetime | None) -> datetime | None:
    """When the scorecard of an interview that ended at `ended_at` is due (None before it ends)."""
    return rules.scorecard_due_at(ended_at, due_hours=settings.SCORECARD_DUE_HOURS)


def note_due_at_sql(ended_at: str = "ended_at") -> ExpressionWrapper:
    """`note_due_at` in SQL, for a queryset whose `ended_at` column is reached by the path `ended_at` (NULL before
    the end, as `note_due_at` gives None)."""
    return ExpressionWrapper(
        F(ended_at) + timedelta(minutes=settings.NOTE_WINDOW_MINUTES), output_field=DateTimeField()
    )
