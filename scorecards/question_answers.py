"""The scorecard body's `questions`: how each bank question of the interview's kit went (DESIGN.md, "Every round of
a loop": Questions in the kit).

`[{id, asked, signal, notes}]`, `signal` great / okay / bad. Only the interview's own questions (`Interview.questions`)
may be answered (`unknown_question`), each once (`duplicate_question`). Stored on the scorecard as the same list,
in the kit's order. Kept apart from the rest of the body's checks so either can change without the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from interviewloop.errors import Invalid
from interviewloop.inputs import check_text
from scorecards.rules import SIGNALS


@dataclass(frozen=True)
class QuestionAnswer:
    id: int
    asked: bool = False
    signal: str = ""
    notes: str = ""

    def as_body(self) -> dict[str, Any]:
        return {"id": self.id, "asked": self.asked, "signal": self.signal or None, "notes": self.notes}


def question_answers_input(value: Any, *, assigned: Sequence[int]) -> tuple[QuestionAnswer, ...]:
    """The body's `questions` checked against the interview's `assigned` question ids, in the kit's order."""
    if not value:
        return ()
    if not isinstance(value, list):
        raise Invalid("questions must be a list of {id, asked, signal, notes}.", code="invalid", field="questions")
    given: dict[int, QuestionAnswer] = {}
    for position, entry in enumerate(value):
        field = f"questions[{position}]"
        pk = entry.get("id") if isinstance(entry, Mapping) else None
        if isinstance(pk, bool) or not isinstance(pk, int) or pk not in assigned:
            raise Invalid(
                f"{pk!r} is not a question of this interview's kit.", code="unknown_question", field=f"{field}.id"
            )
        if pk in given:
            raise Invalid(f"Question {pk} is listed twice.", code="duplicate_question", field=f"{field}.id")
        assert isinstance(entry, Mapping)
        asked = entry.get("asked", False)
        if not isinstance(asked, bool):
            raise Invalid(f"{field}.asked must be true or false.", code="invalid", field=f"{field}.asked")
        signal = entry.get("signal") or ""
        if signal not in ("", *SIGNALS):
            raise Invalid(
                f"{field}.signal must be one of {', '.join(SIGNALS)} (got {signal!r}).",
                code="invalid_choice",
                field=f"{field}.signal",
            )
        notes = check_text(entry.get("notes"), field=f"{field}.notes")
        given[pk] = QuestionAnswer(id=pk, asked=asked or bool(signal), signal=signal, notes=notes)
    return tuple(given[pk] for pk in assigned if pk in given)


def stored_answers(stored: Any) -> tuple[QuestionAnswer, ...]:
    """`Scorecard.questions` as answers (what was written through `question_answers_input`)."""
    if not isinstance(stored, list):
        return ()
    return tuple(
        QuestionAnswer(
            id=int(entry["id"]),
            asked=bool(entry.get("asked")),
            signal=entry.get("signal") or "",
            notes=entry.get("notes") or "",
        )
        for entry in stored
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), int)
    )
