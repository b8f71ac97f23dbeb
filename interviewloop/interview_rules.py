"""When a recruiter may move, reassign or cancel an interview: pure functions on plain values (no Django).

`interviewloop.services.interview_update` and `interview_cancel` enforce them; the debrief page asks the same
functions which forms to offer, so a button is shown exactly where the service would accept it.

- A closed loop changes no more (`loop_closed`): its outcome was recorded against the panel as it was.
- A cancelled interview is final (`interview_cancelled`): schedule a new one instead.
- An interview that has ended cannot be moved or given to someone else (`interview_ended`): it happened.
- An interview can be cancelled even after it ended (a no-show the interviewer ended, a scorecard that will
  never come) unless its scorecard is submitted (`scorecard_submitted`): a vote that is in must never
  silently leave the debrief; to stop it counting, make it a shadow instead. A note or a draft does not stop
  a cancel: the note stays on the debrief beside the interview marked cancelled; the draft can no longer be
  submitted.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Refusal:
    code: str
    detail: str


@dataclass(frozen=True)
class InterviewState:
    """What the rules read about one interview and its loop."""

    loop_closed: bool
    cancelled: bool
    ended: bool
    scorecard_submitted: bool


LOOP_CLOSED = Refusal(
    "loop_closed", "This loop is closed: its outcome is recorded, so its interviews no longer change."
)
CANCELLED = Refusal("interview_cancelled", "This interview was cancelled: schedule a new one instead.")
ENDED = Refusal(
    "interview_ended", "This interview has ended: it can no longer be moved or given to another interviewer."
)
SUBMITTED = Refusal(
    "scorecard_submitted",
    "Its scorecard is submitted: a vote that is in stays on the debrief. Make it a shadow to stop it counting.",
)
END_BEFORE_START = Refusal("end_before_start", "The interview must end after it starts.")


def change_refusal(state: InterviewState) -> Refusal | None:
    """Why the interview cannot be rescheduled or reassigned now, or None."""
    if state.loop_closed:
        return LOOP_CLOSED
    if state.cancelled:
        return CANCELLED
    if state.ended:
        return ENDED
    return None


def schedule_refusal(state: InterviewState, *, start: datetime, end: datetime) -> Refusal | None:
    """Why the interview cannot move to `start`..`end`, or None."""
    refusal = change_refusal(state)
    if refusal is not None:
        return refusal
    if end <= start:
        return END_BEFORE_START
    return None


def cancel_refusal(state: InterviewState) -> Refusal | None:
    """Why the interview cannot be cancelled now, or None (see the module's docstring)."""
    if state.loop_closed:
        return LOOP_CLOSED
    if state.cancelled:
        return CANCELLED
    if state.scorecard_submitted:
        return SUBMITTED
    return None


def not_yet_held(*, cancelled: bool, ended: bool, scheduled_start: datetime, now: datetime) -> bool:
    """An interview that "has not happened yet": not cancelled, not ended, not started. After a No these are the
    ones to offer to cancel ("One No = No Hire": nobody should spend an hour on a decided loop)."""
    return not cancelled and not ended and scheduled_start > now


# --- Every round of a loop (DESIGN.md): focus, questions, bar raiser ----------------------------------------

BAR_RAISER_MUST_COUNT = Refusal(
    "bar_raiser_must_count",
    "A bar raiser always counts toward the decision: an independent evaluator is never a shadow.",
)


def bar_raiser_refusal(*, bar_raiser: bool, counts_toward_decision: bool) -> Refusal | None:
    """A bar raiser that would not count (the seed's "independent evaluator" whose vote decides), or None."""
    if bar_raiser and not counts_toward_decision:
        return BAR_RAISER_MUST_COUNT
    return None


def unknown_focus(focus: Sequence[str], dimension_keys: Collection[str]) -> list[str]:
    """The focus keys that are not dimensions of the rubric, in the order given."""
    return [key for key in focus if key not in dimension_keys]


def repeated_questions(wanted: Sequence[int], assigned: Mapping[int, Sequence[int]]) -> dict[int, int]:
    """Each wanted question already assigned to another interview of the loop → that interview (the first one by
    id). `assigned`: interview id → its question ids. "A candidate is not asked the same question twice.\""""
    holder: dict[int, int] = {}
    for interview_id in sorted(assigned):
        for question in assigned[interview_id]:
            holder.setdefault(question, interview_id)
    return {question: holder[question] for question in dict.fromkeys(wanted) if question in holder}
