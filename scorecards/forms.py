"""The web forms of the interviewer's flow. The scorecard page's fields become the contract's body, checked by the
same serializer as the API's (`scorecards.serializers.scorecard_input`); the services (the same) do the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from interviewloop.forms import TextField
from scorecards.models import GutAnswer, Rubric, Vote
from scorecards.selectors import PinnedRubric

NOTE_QUESTIONS_DEFAULT = {
    "best_thing": "What was the best thing they said?",
    "biggest_concern": "What was your biggest concern?",
    "vote": "Gut vote: Strong Yes / Yes / No / Strong No",
    "want_to_work_with": "Would you want to work with them?",
}


class NoteForm(forms.Form):
    """The guide's four questions (Post-Interview: Immediate Debrief), labelled from the rubric."""

    best_thing = TextField(name="best_thing", widget=forms.Textarea(attrs={"rows": 3}))
    biggest_concern = TextField(name="biggest_concern", widget=forms.Textarea(attrs={"rows": 3}))
    vote = forms.ChoiceField(choices=Vote.choices, widget=forms.RadioSelect)
    want_to_work_with = forms.ChoiceField(choices=GutAnswer.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, rubric: Rubric, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questions = {**NOTE_QUESTIONS_DEFAULT, **(rubric.note_questions or {})}
        for name, field in self.fields.items():
            field.label = questions[name]


def _score(raw: str) -> str | None:
    # As typed: the body's serializer reads a whole number or refuses it (score_out_of_range, or invalid).
    return raw.strip() or None


def scorecard_body_from_post(pinned: PinnedRubric, data: QueryDict) -> dict[str, Any]:
    """The contract's scorecard body from the scorecard page's fields (names follow the rubric's keys)."""
    scores = {}
    for key in pinned.dimensions:
        score = _score(data.get(f"score-{key}", ""))
        evidence = data.get(f"evidence-{key}", "")
        if score is not None or evidence.strip():
            scores[key] = {"score": score, "evidence": evidence}
    red_flags = [
        {"key": key, "evidence": data.get(f"flag-evidence-{key}", "")}
        for key in pinned.red_flags
        if data.get(f"flag-{key}")
    ]
    threads = []
    for key in pinned.threads:
        signal = data.get(f"thread-signal-{key}", "")
        notes = data.get(f"thread-notes-{key}", "")
        if signal or notes.strip():
            threads.append({"key": key, "signal": signal or None, "notes": notes})
    return {
        "scores": scores,
        "red_flags": red_flags,
        "threads": threads,
        "gut_check": {key: data.get(f"gut-{key}") or None for key in pinned.gut_check_questions},
        "vote": data.get("vote") or None,
        "summary": data.get("summary", ""),
        "questions": question_answers_from_post(data),
    }


def question_answers_from_post(data: QueryDict) -> list[dict[str, Any]]:
    """The body's `questions` from the page's `question-<id>` rows (the service checks the ids are the kit's)."""
    answers = []
    for raw in data.getlist("question"):
        if not raw.isdigit() or len(raw) > 18:
            continue
        asked = bool(data.get(f"question-asked-{raw}"))
        signal = data.get(f"question-signal-{raw}") or None
        notes = data.get(f"question-notes-{raw}", "")
        if asked or signal or notes.strip():
            answers.append({"id": int(raw), "asked": asked, "signal": signal, "notes": notes})
    return answers


def question_rows(questions: list[Any], body: dict[str, Any]) -> list[dict[str, Any]]:
    """The kit's questions beside what the body says about each (for the scorecard page)."""
    given = {entry["id"]: entry for entry in body.get("questions") or [] if isinstance(entry, dict)}
    return [
        {
            "question": question,
            "asked": bool((given.get(question.pk) or {}).get("asked")),
            "signal": (given.get(question.pk) or {}).get("signal") or "",
            "notes": (given.get(question.pk) or {}).get("notes", ""),
        }
        for question in questions
    ]


def scorecard_rows(pinned: PinnedRubric, body: dict[str, Any]) -> dict[str, Any]:
    """What the scorecard template draws: each rubric part beside what the body says about it."""
    scores = body.get("scores") or {}
    flags = {entry["key"]: entry.get("evidence", "") for entry in body.get("red_flags") or []}
    threads = {entry["key"]: entry for entry in body.get("threads") or []}
    gut = body.get("gut_check") or {}
    return {
        "dimensions": [
            {
                "dimension": dimension,
                "score": str((scores.get(key) or {}).get("score") or ""),
                "evidence": (scores.get(key) or {}).get("evidence", ""),
            }
            for key, dimension in pinned.dimensions.items()
        ],
        "red_flags": [
            {"flag": flag, "checked": key in flags, "evidence": flags.get(key, "")}
            for key, flag in pinned.red_flags.items()
        ],
        "threads": [
            {
                "thread": thread,
                "signal": (threads.get(key) or {}).get("signal") or "",
                "notes": (threads.get(key) or {}).get("notes", ""),
            }
            for key, thread in pinned.threads.items()
        ],
        "gut_check": [
            {"key": key, "question": question, "answer": gut.get(key) or ""}
            for key, question in pinned.gut_check_questions.items()
        ],
        "vote": body.get("vote") or "",
        "summary": body.get("summary", ""),
    }
