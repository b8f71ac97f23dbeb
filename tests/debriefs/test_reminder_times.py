"""Reminder times never overflow the calendar: the due-time rules of debriefs.reminder_rules at its edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from debriefs.reminder_rules import debrief_meeting_due_at, scorecard_reminders, shifted

FIRST = datetime.min.replace(tzinfo=UTC)
LAST = datetime.max.replace(tzinfo=UTC)
moments = st.datetimes(min_value=datetime.min, max_value=datetime.max, timezones=st.just(UTC))


def test_a_debrief_meeting_at_the_first_instant_is_reminded_at_that_instant():
    assert debrief_meeting_due_at(FIRST, lead_minutes=30) == FIRST
    assert debrief_meeting_due_at(FIRST + timedelta(minutes=10), lead_minutes=30) == FIRST


def test_scorecard_reminders_after_the_last_instant_fall_on_it():
    steps = scorecard_reminders(LAST - timedelta(hours=30), due_hours=24, most=3)
    assert [step.due_at for step in steps] == [LAST - timedelta(hours=6), LAST, LAST]
    assert [step.copy_recruiter for step in steps] == [False, True, True]


@given(moments, st.floats(min_value=0, max_value=60 * 24 * 365 * 100, allow_nan=False))
def test_the_meeting_reminder_is_the_lead_before_or_the_first_instant(debrief_at, lead_minutes):
    due = debrief_meeting_due_at(debrief_at, lead_minutes=lead_minutes)
    lead = timedelta(minutes=lead_minutes)
    assert due <= debrief_at
    assert due == (debrief_at - lead if debrief_at - FIRST >= lead else FIRST)


@given(moments, st.floats(min_value=0, max_value=24 * 365 * 100, allow_nan=False), st.integers(1, 10))
def test_scorecard_reminders_are_each_period_after_the_end_or_the_last_instant(ended_at, due_hours, most):
    steps = scorecard_reminders(ended_at, due_hours=due_hours, most=most)
    period = timedelta(hours=due_hours)
    assert [step.sequence for step in steps] == list(range(1, most + 1))
    for step in steps:
        exact = period * step.sequence
        assert step.due_at == (ended_at + exact if LAST - ended_at >= exact else LAST)
    assert [step.due_at for step in steps] == sorted(step.due_at for step in steps)


@given(moments, st.timedeltas(min_value=-timedelta(days=10**6), max_value=timedelta(days=10**6)))
def test_shifting_a_time_stays_in_the_calendar_and_keeps_its_order(moment, delta):
    result = shifted(moment, delta)
    assert FIRST <= result <= LAST
    assert (result >= moment) if delta >= timedelta(0) else (result <= moment)
