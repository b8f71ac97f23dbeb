"""The scheduling rules (pure): default lengths, defaulted times, every problem of a plan at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from interviewloop.scheduling import (
    DEFAULT_DURATION,
    DURATIONS,
    InterviewPlan,
    Problem,
    default_duration,
    fill_times,
    plan_problems,
)

T = datetime(2030, 5, 6, 10, 0, tzinfo=UTC)


def plan(who, start=None, end=None, minutes=60):
    return InterviewPlan(interviewer=who, scheduled_start=start, scheduled_end=end, duration_minutes=minutes)


def test_the_guides_phases_give_an_hour_and_a_setup_phase_alone_gives_the_default():
    assert default_duration([5, 15, 40]) == 60  # Setup 5, Let Them Lead 10-15, Thread-Pulling 30-40
    assert default_duration([5]) == DEFAULT_DURATION
    assert default_duration([]) == DEFAULT_DURATION
    assert default_duration([20, 15]) == 45
    assert default_duration([60, 25]) == 90
    assert default_duration([100]) == DEFAULT_DURATION  # longer than any length offered


@given(st.lists(st.integers(min_value=0, max_value=200), max_size=6))
def test_the_default_length_is_always_one_offered_and_holds_the_phases_when_it_can(phases):
    minutes = default_duration(phases)
    assert minutes in DURATIONS
    if 30 <= sum(phases) <= max(DURATIONS):
        assert minutes >= sum(phases)


def test_empty_times_follow_the_interview_before_and_its_length():
    filled = fill_times([plan("a", start=T), plan("b", minutes=45), plan("c", end=T + timedelta(hours=3))])
    assert [(p.scheduled_start, p.scheduled_end) for p in filled] == [
        (T, T + timedelta(hours=1)),
        (T + timedelta(hours=1), T + timedelta(hours=1, minutes=45)),
        (T + timedelta(hours=1, minutes=45), T + timedelta(hours=3)),
    ]


def test_a_first_interview_without_a_start_stays_without_one():
    filled = fill_times([plan("a"), plan("b")])
    assert [(p.scheduled_start, p.scheduled_end) for p in filled] == [(None, None), (None, None)]


times = st.one_of(st.none(), st.integers(min_value=0, max_value=10_000).map(lambda m: T + timedelta(minutes=m)))


@given(st.lists(st.tuples(times, times, st.sampled_from(DURATIONS)), max_size=6))
def test_defaults_never_replace_what_was_typed_and_chain_back_to_back(rows):
    plans = [plan(str(n), start, end, minutes) for n, (start, end, minutes) in enumerate(rows)]
    filled = fill_times(plans)
    for index, (typed, result) in enumerate(zip(plans, filled, strict=True)):
        if typed.scheduled_start is not None:
            assert result.scheduled_start == typed.scheduled_start
        if typed.scheduled_end is not None:
            assert result.scheduled_end == typed.scheduled_end
        elif result.scheduled_start is not None:
            assert result.scheduled_end == result.scheduled_start + timedelta(minutes=typed.duration_minutes)
        if typed.scheduled_start is None and index:
            ends = [p.scheduled_end for p in filled[:index] if p.scheduled_end is not None]
            assert result.scheduled_start == (ends[-1] if ends else None)


def test_every_problem_of_a_plan_is_named_at_once_with_its_row_and_field():
    problems = plan_problems(
        [
            plan("a", start=T, end=T - timedelta(minutes=1)),
            plan("b"),
            plan("a", start=T, end=T + timedelta(hours=1)),
            plan("c", start=datetime(3000, 1, 1, tzinfo=UTC), end=datetime(3000, 1, 1, 1, tzinfo=UTC)),
        ]
    )
    assert [(p.field, p.code) for p in problems] == [
        ("interviews[0].scheduled_end", "end_before_start"),
        ("interviews[1].scheduled_start", "start_required"),
        ("interviews[2].interviewer", "already_on_panel"),
        ("interviews[3].scheduled_start", "date_out_of_range"),
        ("interviews[3].scheduled_end", "date_out_of_range"),
    ]
    assert problems[2].detail == ("Already interviewing in this loop (interview 1): one interview per interviewer.")


def test_a_plan_without_interviews_is_refused():
    assert plan_problems([]) == [
        Problem("interviews", "no_interviews", "Add at least one interviewer: a loop needs an interview.")
    ]


def test_a_computed_end_past_the_calendar_is_out_of_range():
    late = datetime(2999, 12, 31, 23, 30, tzinfo=UTC)
    (filled,) = fill_times([plan("a", start=late)])
    assert [(p.field, p.code) for p in plan_problems([filled])] == [
        ("interviews[0].scheduled_end", "date_out_of_range")
    ]
