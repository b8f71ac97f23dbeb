"""The scorecard body as typed, already-valid input: what the one validation path gives and the services take.

`scorecards.serializers.ScorecardBodySerializer` builds a `ScorecardInput` from a body (API or web form) against
the interview's pinned rubric; `stored_input` builds one from the saved rows. The rule inputs (ceiling,
completeness, the mean and the weighted score) are read from it and the pinned rubric, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from scorecards import rules
from scorecards.models import Scorecard
from scorecards.question_answers import QuestionAnswer, stored_answers
from scorecards.selectors import PinnedRubric


@dataclass(frozen=True)
class ScoreEntry:
    score: int | None
    evidence: str = ""


@dataclass(frozen=True)
class ThreadEntry:
    signal: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ScorecardInput:
    """A scorecard body checked against the pinned rubric: known keys only, scores 1-5, known choices, texts
    stripped. Keys keep the rubric's order. Empty answers are "" (or None for a score); what was left out is
    absent, so a partial draft is simply a partial input."""

    scores: dict[str, ScoreEntry] = field(default_factory=dict)
    red_flags: dict[str, str] = field(default_factory=dict)
    threads: dict[str, ThreadEntry] = field(default_factory=dict)
    gut_check: dict[str, str] = field(default_factory=dict)
    vote: str = ""
    summary: str = ""
    # How the interview's kit questions went (scorecards.question_answers): its own questions only, in kit order.
    questions: tuple[QuestionAnswer, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Nothing answered at all: the check and the submit then judge the saved draft instead."""
        return self == ScorecardInput()

    @property
    def score_values(self) -> dict[str, int | None]:
        return {key: entry.score for key, entry in self.scores.items()}

    def as_body(self, pinned: PinnedRubric) -> dict[str, Any]:
        """The contract's scorecard body (every gut-check question of the rubric, answered or null)."""
        return {
            "scores": {key: {"score": e.score, "evidence": e.evidence} for key, e in self.scores.items()},
            "red_flags": [{"key": key, "evidence": evidence} for key, evidence in self.red_flags.items()],
            "threads": [{"key": key, "signal": e.signal or None, "notes": e.notes} for key, e in self.threads.items()],
            "gut_check": {key: self.gut_check.get(key) or None for key in pinned.gut_check_questions},
            "vote": self.vote or None,
            "summary": self.summary,
            "questions": [answer.as_body() for answer in self.questions],
        }

    def ceiling(self, pinned: PinnedRubric) -> rules.Ceiling:
        return rules.vote_ceiling(
            dimensions=pinned.specs,
            scores=self.score_values,
            red_flags=list(self.red_flags),
            gut_check=self.gut_check,
            gut_check_questions=pinned.gut_check_questions,
            thresholds=pinned.thresholds,
            red_flag_names=pinned.red_flag_names,
        )

    def problems(self, pinned: PinnedRubric) -> list[rules.Problem]:
        return rules.completeness_problems(
            dimensions=pinned.specs,
            scores=self.score_values,
            evidence={key: e.evidence for key, e in self.scores.items()},
            gut_check=self.gut_check,
            gut_check_questions=pinned.gut_check_questions,
            vote=self.vote or None,
            thresholds=pinned.thresholds,
        )

    def mean_score(self, pinned: PinnedRubric) -> Decimal | None:
        return rules.mean_score(dimensions=pinned.specs, scores=self.score_values)

    def weighted_score(self, pinned: PinnedRubric) -> Decimal | None:
        return rules.weighted_score(dimensions=pinned.specs, scores=self.score_values)


def stored_input(scorecard: Scorecard | None) -> ScorecardInput:
    """A stored scorecard (from `selectors.scorecard_with_parts`) as a ScorecardInput; empty when there is none."""
    if scorecard is None:
        return ScorecardInput()
    return ScorecardInput(
        scores={s.dimension.key: ScoreEntry(score=s.score, evidence=s.evidence) for s in scorecard.scores.all()},
        red_flags={m.red_flag.key: m.evidence for m in scorecard.red_flags.all()},
        threads={t.thread.key: ThreadEntry(signal=t.signal, notes=t.notes) for t in scorecard.threads.all()},
        gut_check=stored_gut_check(scorecard),
        vote=scorecard.vote,
        summary=scorecard.summary,
        questions=stored_answers(scorecard.questions),
    )


def stored_gut_check(scorecard: Scorecard) -> dict[str, str]:
    """The gut-check answers given so far, by the rubric's question keys (as saved: the pinned rubric's own)."""
    return {str(key): str(answer) for key, answer in (scorecard.gut_check or {}).items() if answer}
