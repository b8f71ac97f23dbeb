"""Fixtures for the interviewer's flow: an interview of alice's that has ended, and scorecard bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scorecards.scorecard_input import ScorecardInput
from scorecards.selectors import pinned_rubric
from scorecards.serializers import scorecard_input
from tests.factories import DIMENSIONS, InterviewFactory, NoteFactory

# Fixed times: the interview ran 14:00-15:00 and ended at 15:00, so the note is due at 15:05.
START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
ENDED = START + timedelta(hours=1)
NOTE_DUE = ENDED + timedelta(minutes=5)


def scores_body(score: int | dict[str, int] = 4, evidence: str = "Said so in the doc.") -> dict:
    """Every dimension of the guide's rubric at `score` (or per key), each with evidence."""
    per_key = score if isinstance(score, dict) else {key: score for key, *_ in DIMENSIONS}
    return {key: {"score": value, "evidence": evidence} for key, value in per_key.items()}


def full_body(*, score: int | dict[str, int] = 4, vote: str = "yes", gut: str = "yes", red_flags=()) -> dict:
    """A complete scorecard body in the contract's shape."""
    return {
        "scores": scores_body(score),
        "red_flags": [{"key": key, "evidence": f"Heard {key}."} for key in red_flags],
        "threads": [{"key": "first_two_weeks", "signal": "great", "notes": "Audit first, then a fix in week two."}],
        "gut_check": {"work_with": gut, "trust_day_one": gut, "month_one_success": gut},
        "vote": vote,
        "summary": "Structured, asked about customers first.",
    }


def typed(interview, body: dict) -> ScorecardInput:
    """`body` as the services take it: checked by the one validation path against the interview's pinned rubric and
    its kit's questions."""
    return scorecard_input(pinned=pinned_rubric(interview.rubric), body=body, questions=interview.questions)


@pytest.fixture
def interview(interviewer, rubric):
    """Alice's interview, ended at 15:00 (the note is due at 15:05)."""
    return InterviewFactory(
        interviewer=interviewer,
        loop__candidate__name="Dana Reyes",
        scheduled_start=START,
        scheduled_end=ENDED,
        ended_at=ENDED,
    )


@pytest.fixture
def noted_interview(interview):
    """Alice's ended interview with its five-minute note written on time."""
    NoteFactory(interview=interview)
    return interview


@pytest.fixture
def alice(api_as, interviewer):
    return api_as(interviewer)
