"""The interview's two deadlines, written once (scorecards.rules) and read through scorecards.deadlines everywhere:
the model, the list rows, the stored Note.due_at, the debrief's missing rows, the reminders and the one SQL form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from debriefs.reminder_rules import scorecard_reminders
from interviewloop.models import Interview
from scorecards import deadlines, rules, selectors, services
from tests.factories import InterviewFactory
from tests.scorecards.conftest import ENDED, START

LAST = datetime.max.replace(tzinfo=UTC)
moments = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.just(UTC))
windows = st.floats(min_value=0, max_value=60 * 24 * 30, allow_nan=False)


def test_the_note_is_due_the_window_after_the_end_and_not_before_it_ends():
    assert rules.note_due_at(ENDED, window_minutes=5) == ENDED + timedelta(minutes=5)
    assert rules.note_due_at(ENDED, window_minutes=0.2) == ENDED + timedelta(seconds=12)
    assert rules.note_due_at(None, window_minutes=5) is None


def test_the_scorecard_is_due_the_hours_after_the_end_and_not_before_it_ends():
    assert rules.scorecard_due_at(ENDED, due_hours=24) == ENDED + timedelta(days=1)
    assert rules.scorecard_due_at(None, due_hours=24) is None


def test_a_deadline_past_the_calendars_end_is_its_last_instant():
    assert rules.note_due_at(LAST - timedelta(minutes=1), window_minutes=5) == LAST
    assert rules.scorecard_due_at(LAST - timedelta(hours=1), due_hours=24) == LAST


@given(moments, windows)
def test_each_deadline_is_its_length_after_the_end(ended_at, length):
    assert rules.note_due_at(ended_at, window_minutes=length) - ended_at == timedelta(minutes=length)
    assert rules.scorecard_due_at(ended_at, due_hours=length) - ended_at == timedelta(hours=length)


@given(moments, st.floats(min_value=0.01, max_value=24 * 30, allow_nan=False), st.integers(1, 5))
def test_the_first_scorecard_reminder_falls_at_the_scorecards_deadline(ended_at, due_hours, most):
    steps = scorecard_reminders(ended_at, due_hours=due_hours, most=most)
    assert steps[0].due_at == rules.scorecard_due_at(ended_at, due_hours=due_hours)


@override_settings(NOTE_WINDOW_MINUTES=7.5, SCORECARD_DUE_HOURS=0.5)
def test_the_settings_bound_deadlines_are_the_rules_with_the_settings():
    assert deadlines.note_due_at(ENDED) == ENDED + timedelta(minutes=7.5)
    assert deadlines.scorecard_due_at(ENDED) == ENDED + timedelta(minutes=30)
    assert Interview(ended_at=ENDED).note_due_at == deadlines.note_due_at(ENDED)
    assert Interview().note_due_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("window", [5.0, 0.2, 7.5])
def test_the_sql_deadline_equals_the_rule_for_every_row(window, interviewer, other_interviewer, rubric):
    # given interviews ended at odd instants, and one not ended
    ends = [ENDED, ENDED + timedelta(seconds=1, microseconds=7), ENDED + timedelta(days=400, minutes=59), None]
    made = [InterviewFactory(scheduled_start=START, scheduled_end=ENDED, ended_at=end) for end in ends]
    with override_settings(NOTE_WINDOW_MINUTES=window):
        # when the database computes it
        in_sql = dict(
            Interview.objects.filter(pk__in=[i.pk for i in made])
            .annotate(due=deadlines.note_due_at_sql())
            .values_list("pk", "due")
        )
        # then it is the rule's value, to the microsecond; None before the end
        assert in_sql == {i.pk: rules.note_due_at(i.ended_at, window_minutes=window) for i in made}
        assert in_sql[made[-1].pk] is None


@pytest.mark.django_db
@override_settings(NOTE_WINDOW_MINUTES=7.5)
def test_the_list_row_and_the_stored_note_use_the_same_deadline(interviewer, rubric):
    interview = InterviewFactory(interviewer=interviewer, scheduled_start=START, scheduled_end=ENDED, ended_at=ENDED)
    [row] = selectors.rows_of(Interview.objects.filter(pk=interview.pk))
    assert row["note_due_at"] == deadlines.note_due_at(ENDED) == ENDED + timedelta(minutes=7.5)
    note = services.note_write(
        interview=interview, best_thing="Clear.", biggest_concern="None.", vote="yes", want_to_work_with="yes",
        at=ENDED + timedelta(minutes=6),
    )  # fmt: skip
    assert note.due_at == deadlines.note_due_at(ENDED) and note.on_time
