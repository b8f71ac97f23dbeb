"""The rules of scheduling a loop's interviews in one go (pure: plain values in, plain values out).

- `default_duration`: an interview's default length, from its rubric's phase timeboxes.
- `fill_times`: the schedule page's defaults: an empty end is the start plus the row's length, and an empty start
  is the end of the interview before it (a loop is usually back to back). What was typed is never replaced.
- `plan_problems`: everything wrong with a loop's plan at once, each naming its row and field
  (`interviews[2].scheduled_end`), so a page can say each beside its field and the API can name them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from interviewloop.inputs import datetime_problem

DURATIONS = (30, 45, 60, 90)  # minutes offered for an interview's length
DEFAULT_DURATION = 60
# A rubric whose phases add up to less than this is not timing a whole interview (a setup phase alone): the
# default length stays DEFAULT_DURATION.
SHORTEST_TIMED_INTERVIEW = 30


@dataclass(frozen=True)
class InterviewPlan:
    """One interview of the plan. `interviewer` is whatever the caller identifies people by (a user, a name)."""

    interviewer: Any
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    counts_toward_decision: bool = True
    duration_minutes: int = DEFAULT_DURATION
    round: Any = None  # the position's round it is scheduled from (its rubric, focus, questions), or None


@dataclass(frozen=True)
class Problem:
    field: str  # "interviews", "interviews[1].scheduled_end", "candidate", ...
    code: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail, "field": self.field}


def default_duration(phase_minutes: Sequence[int]) -> int:
    """The shortest offered length that holds every phase at its longest timebox, else DEFAULT_DURATION.

    The guide's phases (5 + 10-15 + 30-40 minutes) give 60.
    """
    total = sum(phase_minutes)
    if total < SHORTEST_TIMED_INTERVIEW:
        return DEFAULT_DURATION
    return next((minutes for minutes in DURATIONS if minutes >= total), DEFAULT_DURATION)


def row_field(index: int, field: str) -> str:
    return f"interviews[{index}].{field}"


def fill_times(plans: Sequence[InterviewPlan]) -> list[InterviewPlan]:
    """The plans with their empty times defaulted, in order: start = the previous interview's end, end = start +
    duration. A start that cannot be known (the first interview's, left empty) stays empty."""
    filled: list[InterviewPlan] = []
    previous_end: datetime | None = None
    for plan in plans:
        start = plan.scheduled_start if plan.scheduled_start is not None else previous_end
        end = plan.scheduled_end
        if end is None and start is not None:
            try:
                end = start + timedelta(minutes=plan.duration_minutes)
            except OverflowError:  # past year 9999: plan_problems says it is out of range
                end = None
        filled.append(replace(plan, scheduled_start=start, scheduled_end=end))
        if end is not None:
            previous_end = end
    return filled


def plan_problems(plans: Sequence[InterviewPlan], *, key: Any = None) -> list[Problem]:
    """Every problem of the plan, in the order of the page. `key` maps an interviewer to what makes two the same
    person (default: the interviewer itself)."""
    if not plans:
        return [Problem("interviews", "no_interviews", "Add at least one interviewer: a loop needs an interview.")]
    problems: list[Problem] = []
    seen: dict[Any, int] = {}
    for index, plan in enumerate(plans):
        if plan.scheduled_start is None:
            problems.append(
                Problem(row_field(index, "scheduled_start"), "start_required", "Give the start of this interview.")
            )
        elif (problem := datetime_problem(plan.scheduled_start)) is not None:
            problems.append(Problem(row_field(index, "scheduled_start"), problem.code, f"The start {problem.message}"))
        if plan.scheduled_end is None:
            if plan.scheduled_start is not None:
                problems.append(
                    Problem(row_field(index, "scheduled_end"), "date_out_of_range", "The end is past the calendar.")
                )
        elif (problem := datetime_problem(plan.scheduled_end)) is not None:
            problems.append(Problem(row_field(index, "scheduled_end"), problem.code, f"The end {problem.message}"))
        elif plan.scheduled_start is not None and plan.scheduled_end <= plan.scheduled_start:
            problems.append(
                Problem(
                    row_field(index, "scheduled_end"), "end_before_start", "The interview must end after it starts."
                )
            )
        who = key(plan.interviewer) if key is not None else plan.interviewer
        if who in seen:
            problems.append(
                Problem(
                    row_field(index, "interviewer"),
                    "already_on_panel",
                    f"Already interviewing in this loop (interview {seen[who] + 1}): one interview per interviewer.",
                )
            )
        else:
            seen[who] = index
    return problems


# Which field of an interview row a service's refusal concerns, by its code (anything else: the interviewer).
ROW_FIELD_OF_CODE = {
    "already_on_panel": "interviewer",
    "not_an_interviewer": "interviewer",
    "end_before_start": "scheduled_end",
    "start_required": "scheduled_start",
    "date_out_of_range": "scheduled_start",
    "rubric_not_published": "interviewer",
    "round_not_in_position": "round",
    "question_repeated": "round",
    "bar_raiser_must_count": "counts_toward_decision",
}
