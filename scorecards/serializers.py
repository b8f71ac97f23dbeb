"""Serializers: rubric versions (read-only), interview rows, the five-minute note and the scorecard body.

The scorecard body's serializer is its one validation path (shape, types, ranges, the pinned rubric's keys); the
services (scorecards.services) take its typed input, enforce the rules and raise the contract's errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from interviewloop.api.fields import TextField
from interviewloop.errors import Invalid
from interviewloop.inputs import limit_for
from interviewloop.models import Interview
from scorecards import rules
from scorecards.models import Dimension, GutCheckQuestion, Phase, RedFlag, Rubric, Scorecard, Thread
from scorecards.question_answers import QuestionAnswer, question_answers_input
from scorecards.scorecard_input import ScorecardInput, ScoreEntry, ThreadEntry, stored_input
from scorecards.selectors import NOT_STARTED, PinnedRubric, pinned_rubric, row_note_status


class DimensionSerializer(serializers.ModelSerializer):
    anchors = serializers.SerializerMethodField()

    class Meta:
        model = Dimension
        fields = ["key", "name", "description", "anchors", "critical", "required", "weight", "order"]

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_anchors(self, dimension: Dimension) -> dict[str, str]:
        return {"5": dimension.anchor_5, "3": dimension.anchor_3, "1": dimension.anchor_1}


class RedFlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = RedFlag
        fields = ["key", "name", "sounds_like", "why_dangerous", "order"]


class ThreadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Thread
        fields = [
            "key", "title", "when_to_pull", "what_to_ask", "why_it_matters", "great_example", "great_signals",
            "okay_example", "bad_example", "follow_up", "order",
        ]  # fmt: skip


class PhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = ["name", "minutes_min", "minutes_max", "guidance", "order"]


class GutCheckQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = GutCheckQuestion
        fields = ["key", "text", "order"]


class RubricSerializer(serializers.ModelSerializer):
    gut_check = GutCheckQuestionSerializer(many=True, read_only=True, source="gut_checks")
    gut_check_questions = serializers.DictField(child=serializers.CharField(), read_only=True)
    note_questions = serializers.DictField(child=serializers.CharField(), read_only=True)
    dimensions = DimensionSerializer(many=True, read_only=True)
    red_flags = RedFlagSerializer(many=True, read_only=True)
    threads = ThreadSerializer(many=True, read_only=True)
    phases = PhaseSerializer(many=True, read_only=True)
    thresholds = serializers.SerializerMethodField()

    class Meta:
        model = Rubric
        fields = [
            "id", "key", "name", "version", "status", "role", "description", "problem_statement", "gut_check",
            "gut_check_questions", "note_questions", "thresholds", "dimensions", "red_flags", "threads", "phases", "published_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.DictField())
    def get_thresholds(self, rubric: Rubric) -> dict[str, object]:
        return {
            "red_flags_for_strong_no": rubric.red_flags_for_strong_no,
            "ones_fraction_for_strong_no": rubric.ones_fraction_for_strong_no,
            "yes_min_fraction_at_3": rubric.yes_min_fraction_at_3,
            "strong_yes_min_fraction_at_4": rubric.strong_yes_min_fraction_at_4,
            "strong_yes_critical_min": rubric.strong_yes_critical_min,
            "evidence_required_for_extremes": rubric.evidence_required_for_extremes,
        }


SCORECARD_STATUSES = (NOT_STARTED, "draft", "submitted")


def scorecard_status(interview: Interview) -> str:
    """`not_started` (no scorecard row yet), `draft` or `submitted`."""
    scorecard = getattr(interview, "scorecard", None)
    return NOT_STARTED if scorecard is None else scorecard.status


def interview_note_status(interview: Interview) -> str:
    note = getattr(interview, "note", None)
    return rules.note_status(
        ended_at=interview.ended_at,
        note_due_at=interview.note_due_at,
        note_submitted_at=note.submitted_at if note is not None else None,
        now=timezone.now(),
    )


_DATETIME = serializers.DateTimeField()  # how the declared datetime fields format a value


def _datetime(value: datetime | None, zone: tzinfo) -> str | None:
    """As `serializers.DateTimeField().to_representation`: ISO 8601 in the current zone, UTC as "Z"."""
    if value is None:
        return None
    if value.tzinfo is None:
        return _DATETIME.to_representation(value)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class _ZoneOnce(serializers.DateTimeField):
    """DRF's DateTimeField, reading the current time zone once per serializer instead of once per value (a page
    of fifty interview rows has two hundred)."""

    @cached_property
    def timezone(self) -> Any:  # type: ignore[override]  # DRF's attribute of the same name, read once
        return self.default_timezone()


class InterviewSerializer(serializers.Serializer):
    """An interview row of the contract, from a row of `scorecards.selectors.rows_of()` (plain values).

    `note_status` is as of one moment for a whole list: the context's `now`, else when the row is first read.
    """

    id = serializers.IntegerField(read_only=True)
    loop = serializers.IntegerField(source="loop_id", read_only=True)
    candidate = serializers.CharField(read_only=True, help_text="The candidate's name.")
    position = serializers.CharField(read_only=True, help_text="The position's title.")
    interviewer = serializers.CharField(source="interviewer_username", read_only=True, help_text="Username.")
    rubric = serializers.IntegerField(source="rubric_id", read_only=True, help_text="The pinned rubric version.")
    scheduled_start = _ZoneOnce(read_only=True)
    scheduled_end = _ZoneOnce(read_only=True)
    ended_at = _ZoneOnce(read_only=True, allow_null=True)
    note_due_at = _ZoneOnce(read_only=True, allow_null=True)
    note_status = serializers.SerializerMethodField()
    scorecard_status = serializers.ChoiceField(choices=SCORECARD_STATUSES, read_only=True)
    counts_toward_decision = serializers.BooleanField(
        read_only=True, help_text="Off for a shadowing interviewer: their vote is shown but does not decide."
    )

    @cached_property
    def now(self) -> datetime:
        return self.context.get("now") or timezone.now()

    @extend_schema_field(serializers.ChoiceField(choices=rules.NOTE_STATUSES))
    def get_note_status(self, row: dict[str, Any]) -> str:
        return row_note_status(row, now=self.now)

    @cached_property
    def columns(self) -> tuple[tuple[str, Any, Any], ...]:
        """(name, key in the row, the field's to_representation) per declared field, in order; "*" is the row."""
        return tuple((name, field.source, field.to_representation) for name, field in self.fields.items())

    def to_representation(self, row: dict[str, Any]) -> dict[str, Any]:
        # Each declared field renders its value straight from the row's key (a row has every key, and DRF's field
        # renders None as None): DRF's walk, looking each attribute up through `get_attribute`, was a third of the
        # cost of a page of fifty rows. tests/scorecards/test_api_interview_rows.py checks it equals DRF's walk.
        return {
            name: render(row) if key == "*" else (None if row[key] is None else render(row[key]))
            for name, key, render in self.columns
        }


# --- The five-minute note -------------------------------------------------------------------------


class NoteSerializer(serializers.Serializer):
    """The note body: the guide's four questions (Post-Interview: Immediate Debrief)."""

    best_thing = TextField(help_text="What was the best thing they said?")
    biggest_concern = TextField(help_text="What was your biggest concern?")
    vote = serializers.ChoiceField(choices=rules.VOTES, help_text="Gut vote right after the call.")
    want_to_work_with = serializers.ChoiceField(
        choices=rules.GUT_ANSWERS, help_text="Would you want to work with them?"
    )


class NoteAnswerSerializer(NoteSerializer):
    """The note as written, with when and whether it was within the five minutes."""

    submitted_at = serializers.DateTimeField()
    on_time = serializers.BooleanField()


# --- The scorecard --------------------------------------------------------------------------------
# One validation path for a scorecard body, API and web form alike: `ScorecardBodySerializer` (with the
# interview's pinned rubric in its context) checks shape and types with its declared fields (every error at
# once: 400 `invalid` with `fields`), then the rubric's keys and the score range (each refusal a code naming its
# field), and gives a typed `ScorecardInput`. The services take that and enforce the rules.


class ScoreEntrySerializer(serializers.Serializer):
    score = serializers.IntegerField(
        allow_null=True, required=False, help_text="1 to 5 (anything else is refused with score_out_of_range)."
    )
    evidence = TextField(allow_blank=True, required=False, default="", trim_whitespace=False)


class RedFlagEntrySerializer(serializers.Serializer):
    key = TextField(help_text="A red flag key of the interview's rubric version.")
    evidence = TextField(allow_blank=True, required=False, default="", trim_whitespace=False)


class ThreadEntrySerializer(serializers.Serializer):
    key = TextField(help_text="A thread key of the interview's rubric version.")
    signal = serializers.ChoiceField(choices=rules.SIGNALS, allow_null=True, allow_blank=True, required=False)
    notes = TextField(allow_blank=True, required=False, default="", trim_whitespace=False)


class QuestionEntrySerializer(serializers.Serializer):
    """How one question of the interview's kit went (scorecards.question_answers checks the id is the kit's)."""

    id = serializers.IntegerField(help_text="A question id of the interview's `questions`.")
    asked = serializers.BooleanField(required=False, default=False)
    signal = serializers.ChoiceField(choices=rules.SIGNALS, allow_null=True, allow_blank=True, required=False)
    notes = TextField(allow_blank=True, required=False, default="", trim_whitespace=False)


class GutCheckField(serializers.DictField):
    """`{question key: yes / no / not_sure}`, keyed by the pinned rubric's gut-check questions. The answers of its
    questions are checked here; any other key is passed on, for the body to refuse by name (unknown_gut_check)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "Keyed by the gut-check questions of the interview's rubric version.")
        super().__init__(
            child=serializers.ChoiceField(choices=rules.GUT_ANSWERS, allow_null=True, allow_blank=True), **kwargs
        )

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail("not_a_dict", input_type=type(data).__name__)
        pinned: PinnedRubric | None = self.context.get("pinned")
        questions = pinned.gut_check_questions if pinned is not None else {}
        answers = {str(key): value for key, value in data.items() if str(key) in questions}
        return {**data, **self.run_child_validation(answers)}


def _entries_by_key(entries: list[dict[str, Any]], *, known: Any, field: str, noun: str, rubric: str) -> dict:
    """A list of `{key, ...}` entries by key. Refuses a key the pinned rubric does not know (`unknown_<noun>`) and
    a key listed twice (`duplicate_<noun>`), naming the entry's field."""
    code = noun.replace(" ", "_")
    by_key: dict[str, tuple[int, dict[str, Any]]] = {}
    for position, entry in enumerate(entries):
        key = entry["key"]
        if key not in known:
            raise Invalid(
                f"{key!r} is not a {noun} of {rubric}, the rubric this interview is scored against.",
                code=f"unknown_{code}",
                field=f"{field}[{position}].key",
            )
        if key in by_key:
            raise Invalid(
                f"The {noun} {key!r} is listed twice.", code=f"duplicate_{code}", field=f"{field}[{position}].key"
            )
        by_key[key] = (position, entry)
    return by_key


class ScorecardBodySerializer(serializers.Serializer):
    """The scorecard body of the contract, checked against the pinned rubric (`context["pinned"]`).

    `validated_data` is a `ScorecardInput`: known keys only, in the rubric's order, scores 1 to 5, texts
    stripped; what the body leaves out is empty (a partial draft). Each section has its own `_section` method.
    """

    scores = serializers.DictField(child=ScoreEntrySerializer(), required=False, help_text="Keyed by dimension.")
    red_flags = RedFlagEntrySerializer(many=True, required=False)
    threads = ThreadEntrySerializer(many=True, required=False)
    gut_check = GutCheckField(required=False)
    vote = serializers.ChoiceField(choices=rules.VOTES, allow_null=True, allow_blank=True, required=False)
    summary = TextField(allow_blank=True, required=False, default="", trim_whitespace=False)
    questions = QuestionEntrySerializer(many=True, required=False, help_text="The kit's questions: asked, signal.")

    @property
    def pinned(self) -> PinnedRubric:
        return self.context["pinned"]

    @property
    def rubric_name(self) -> str:
        return f"{self.pinned.rubric.name} v{self.pinned.rubric.version}"

    def validate(self, attrs: dict[str, Any]) -> ScorecardInput:  # type: ignore[override]
        return ScorecardInput(
            scores=self._scores(attrs.get("scores") or {}),
            red_flags=self._red_flags(attrs.get("red_flags") or []),
            threads=self._threads(attrs.get("threads") or []),
            gut_check=self._gut_check(attrs.get("gut_check") or {}),
            vote=attrs.get("vote") or "",
            summary=(attrs.get("summary") or "").strip(),
            questions=self._questions(attrs.get("questions") or []),
        )

    def _scores(self, given: dict[str, dict[str, Any]]) -> dict[str, ScoreEntry]:
        dimensions = self.pinned.dimensions
        for key in given:
            if key not in dimensions:
                raise Invalid(
                    f"{key!r} is not a dimension of {self.rubric_name}, the rubric this interview is scored against.",
                    code="unknown_dimension",
                    field=f"scores.{key}",
                )
        scores: dict[str, ScoreEntry] = {}
        for key, dimension in dimensions.items():
            entry = given.get(key)
            if entry is None:
                continue
            score = entry.get("score")
            if score is not None and not 1 <= score <= 5:
                raise Invalid(
                    f"{dimension.name} is scored {score!r}: a score is a whole number from 1 to 5.",
                    code="score_out_of_range",
                    field=f"scores.{key}.score",
                )
            evidence = (entry.get("evidence") or "").strip()
            if score is not None or evidence:
                scores[key] = ScoreEntry(score=score, evidence=evidence)
        return scores

    def _red_flags(self, given: list[dict[str, Any]]) -> dict[str, str]:
        known = self.pinned.red_flags
        flagged = _entries_by_key(given, known=known, field="red_flags", noun="red flag", rubric=self.rubric_name)
        return {key: (flagged[key][1].get("evidence") or "").strip() for key in known if key in flagged}

    def _threads(self, given: list[dict[str, Any]]) -> dict[str, ThreadEntry]:
        known = self.pinned.threads
        pulled = _entries_by_key(given, known=known, field="threads", noun="thread", rubric=self.rubric_name)
        return {
            key: ThreadEntry(
                signal=pulled[key][1].get("signal") or "", notes=(pulled[key][1].get("notes") or "").strip()
            )
            for key in known
            if key in pulled
        }

    def _gut_check(self, given: dict[str, Any]) -> dict[str, str]:
        questions = self.pinned.gut_check_questions
        for key in given:
            if key not in questions:
                listed = ", ".join(questions) or "none"
                raise Invalid(
                    f"{key!r} is not a gut-check question of {self.rubric_name}; they are {listed}.",
                    code="unknown_gut_check",
                    field=f"gut_check.{key}",
                )
        return {key: str(answer) for key in questions if (answer := given.get(key))}

    def _questions(self, given: list[dict[str, Any]]) -> tuple[QuestionAnswer, ...]:
        """Only the interview's own kit questions (`context["questions"]`, ids), each once, in the kit's order."""
        return question_answers_input(given, assigned=self.context.get("questions") or ())


class ScorecardAmendSerializer(ScorecardBodySerializer):
    """The whole new body and why it changes: `validated_data` is an `Amendment`."""

    reason = TextField(
        allow_blank=True, required=False, trim_whitespace=False, help_text="Why the submitted scorecard changes."
    )

    def validate(self, attrs: dict[str, Any]) -> Amendment:  # type: ignore[override]
        return Amendment(data=super().validate(attrs), reason=attrs.get("reason") or "")


@dataclass(frozen=True)
class Amendment:
    data: ScorecardInput
    reason: str


def scorecard_input(*, pinned: PinnedRubric, body: Any, questions: Sequence[int] = ()) -> ScorecardInput:
    """`ScorecardBodySerializer` for a caller that is not a DRF view (the web form): the typed input, or `Invalid`
    with the first problem's code, field and a sentence naming the field (as the page shows it beside the field).
    `questions`: the interview's kit question ids, the only ones its body may answer."""
    serializer = ScorecardBodySerializer(data=body, context={"pinned": pinned, "questions": questions})
    if not serializer.is_valid():
        raise _refusal(serializer.errors)
    return serializer.validated_data  # type: ignore[return-value]


# A field error with one of these codes keeps it; any other is `invalid` (as the API's exception handler does).
_KEPT_CODES = {"invalid_character": "invalid_character", "too_long": "too_long"}


def _refusal(errors: Any, path: str = "") -> Invalid:
    """The first field error of a serializer's `errors` as `Invalid`, its field written "scores.x.evidence",
    "threads[1].notes"."""
    while isinstance(errors, dict | list) and errors:
        if isinstance(errors, dict):
            name, errors = next(iter(errors.items()))
            if name not in ("non_field_errors",):
                path = f"{path}[{name}]" if isinstance(name, int) else (f"{path}.{name}" if path else str(name))
        else:
            nested = [(i, e) for i, e in enumerate(errors) if e not in ({}, [], None)]
            position, errors = nested[0] if nested else (0, "")
            if isinstance(errors, dict | list):
                path = f"{path}[{position}]"
    message = str(errors)
    code = _KEPT_CODES.get(getattr(errors, "code", ""), "invalid")
    detail = f"{path} {message[len('This field ') :]}" if message.startswith("This field ") else f"{path}: {message}"
    extra = {"limit": limit_for(path)} if code == "too_long" else {}
    return Invalid(detail, code=code, field=path, **extra)


class AmendmentSerializer(serializers.Serializer):
    previous = serializers.DictField(help_text="The scorecard body before this amendment.")
    previous_vote = serializers.ChoiceField(choices=rules.VOTES)
    reason = serializers.CharField()
    amended_by = serializers.CharField(help_text="Username.")
    amended_at = serializers.DateTimeField()


class ScorecardSerializer(serializers.Serializer):
    """The interview's scorecard: the body plus its state. `not_started` when nothing was saved yet."""

    interview = serializers.IntegerField()
    rubric = serializers.IntegerField(help_text="The rubric version the scorecard is scored against.")
    status = serializers.ChoiceField(choices=SCORECARD_STATUSES)
    scores = serializers.DictField(child=ScoreEntrySerializer())
    red_flags = RedFlagEntrySerializer(many=True)
    threads = ThreadEntrySerializer(many=True)
    gut_check = serializers.DictField(
        child=serializers.ChoiceField(choices=rules.GUT_ANSWERS, allow_null=True),
        help_text="Every gut-check question of the rubric version, by key, in its order: the answer or null.",
    )
    vote = serializers.ChoiceField(choices=rules.VOTES, allow_null=True)
    summary = serializers.CharField(allow_blank=True)
    questions = QuestionEntrySerializer(many=True)
    mean_score = serializers.FloatField(allow_null=True, help_text="The plain mean of the scored dimensions.")
    weighted_score = serializers.FloatField(
        allow_null=True,
        help_text="Where the rubric's weights differ: sum of weight * score over the scored dimensions / the sum "
        "of their weights (2 decimals); null otherwise. Never lifts the vote ceiling.",
    )
    updated_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    amended_at = serializers.DateTimeField(allow_null=True)
    amendments = AmendmentSerializer(many=True)

    def to_representation(self, document: dict[str, Any]) -> dict[str, Any]:
        """`scorecard_document(...)` as the declared fields give it (tests/scorecards/test_scorecard_document.py
        checks the two agree), without DRF copying and walking the nested fields on every save."""
        zone = timezone.get_current_timezone()
        gut_check = document["gut_check"]
        return {
            "interview": int(document["interview"]),
            "rubric": int(document["rubric"]),
            "status": _choice(document["status"]),
            "scores": {
                str(key): None
                if entry is None
                else {"score": _int(entry["score"]), "evidence": _str(entry["evidence"])}
                for key, entry in document["scores"].items()
            },
            "red_flags": [{"key": str(e["key"]), "evidence": _str(e["evidence"])} for e in document["red_flags"]],
            "threads": [
                {"key": str(e["key"]), "signal": _choice(e["signal"]), "notes": _str(e["notes"])}
                for e in document["threads"]
            ],
            "gut_check": None if gut_check is None else {str(key): _choice(value) for key, value in gut_check.items()},
            "vote": _choice(document["vote"]),
            "summary": _str(document["summary"]),
            "questions": [
                {
                    "id": int(e["id"]),
                    "asked": bool(e["asked"]),
                    "signal": _choice(e["signal"]),
                    "notes": _str(e["notes"]),
                }
                for e in document["questions"]
            ],
            "mean_score": _float(document["mean_score"]),
            "weighted_score": _float(document["weighted_score"]),
            "updated_at": _datetime(document["updated_at"], zone),
            "submitted_at": _datetime(document["submitted_at"], zone),
            "amended_at": _datetime(document["amended_at"], zone),
            "amendments": [
                {
                    "previous": {str(key): value for key, value in amendment["previous"].items()},
                    "previous_vote": _choice(amendment["previous_vote"]),
                    "reason": str(amendment["reason"]),
                    "amended_by": str(amendment["amended_by"]),
                    "amended_at": _datetime(amendment["amended_at"], zone),
                }
                for amendment in document["amendments"]
            ],
        }


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _choice(value: Any) -> Any:
    """As a ChoiceField of string choices gives a value: '' and None as they are, anything else as text."""
    return value if value in ("", None) else str(value)


class ReasonSerializer(serializers.Serializer):
    rule = serializers.CharField()
    ceiling = serializers.ChoiceField(choices=rules.VOTES)
    message = serializers.CharField()
    dimensions = serializers.ListField(child=serializers.CharField())
    red_flags = serializers.ListField(child=serializers.CharField())
    gut_check = serializers.ListField(child=serializers.CharField())


class CeilingSerializer(serializers.Serializer):
    """The highest vote the scorecard allows and every reason that lowers it (lowest ceiling first)."""

    max_allowed_vote = serializers.ChoiceField(choices=rules.VOTES)
    reasons = ReasonSerializer(many=True)
    mean_score = serializers.FloatField(allow_null=True, help_text="The plain mean of the scored dimensions.")
    weighted_score = serializers.FloatField(
        allow_null=True, help_text="Where the rubric's weights differ (else null): beside the mean, never above it."
    )


class ProblemSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=("incomplete", "evidence_required"))
    field = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """Every refusal: a stable code and a sentence; some add the fields named below."""

    code = serializers.CharField()
    detail = serializers.CharField()
    field = serializers.CharField(required=False, help_text="The field a 400 is about, when there is one.")
    problems = ProblemSerializer(many=True, required=False, help_text="incomplete / evidence_required")
    max_allowed_vote = serializers.ChoiceField(choices=rules.VOTES, required=False, help_text="vote_not_allowed")
    reasons = ReasonSerializer(many=True, required=False, help_text="vote_not_allowed")


def scorecard_document(
    interview: Interview,
    scorecard: Scorecard | None,
    data: ScorecardInput | None = None,
    *,
    amendments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """What GET /api/interviews/{id}/scorecard/ answers, for `scorecard` from `selectors.scorecard_with_parts`;
    or, just written, for the scorecard row and the `data` it was written with (and its `amendments`)."""
    pinned = pinned_rubric(interview.rubric)
    data = stored_input(scorecard) if data is None else data
    if amendments is None:
        amendments = [
            {
                "previous": amendment.previous,
                "previous_vote": amendment.previous_vote,
                "reason": amendment.reason,
                "amended_by": amendment.amended_by.username,
                "amended_at": amendment.amended_at,
            }
            for amendment in (scorecard.amendments.all() if scorecard else [])
        ]
    return {
        "interview": interview.pk,
        "rubric": interview.rubric_id,
        "status": "not_started" if scorecard is None else scorecard.status,
        **data.as_body(pinned),
        "mean_score": data.mean_score(pinned),
        "weighted_score": data.weighted_score(pinned),
        "updated_at": scorecard.updated_at if scorecard else None,
        "submitted_at": scorecard.submitted_at if scorecard else None,
        "amended_at": scorecard.amended_at if scorecard else None,
        "amendments": amendments,
    }
