"""Writes on the five-minute note and the scorecard. Keyword-only and atomic; the API and the pages both call these.

The rules themselves are pure functions in `scorecards.rules`; this module feeds them the interview's
PINNED rubric (`scorecards.selectors.pinned_rubric`) and turns their answers into the contract's errors.
Reminders go through `debriefs.outbox` and the decision through `debriefs.services` in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from debriefs import outbox, webhooks
from debriefs.services import loop_lock, loop_recompute_decision
from interviewloop.compiled import CompiledQuery, columns, instances
from interviewloop.errors import Conflict, Invalid
from interviewloop.inputs import check_text
from interviewloop.models import Interview, Loop
from scorecards import rules
from scorecards.models import (
    DimensionScore,
    Note,
    RedFlagMark,
    Scorecard,
    ScorecardAmendment,
    ThreadPulled,
)
from scorecards.question_answers import QuestionAnswer, question_answers_input, stored_answers
from scorecards.selectors import PinnedRubric, focused, pinned_rubric, scorecard_with_parts

NOTE_FIELDS = ("best_thing", "biggest_concern", "vote", "want_to_work_with")


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
    """A scorecard body checked against the pinned rubric: known keys only, scores 1-5, known choices.

    Keys keep the rubric's order. Empty answers are "" (or None for a score).
    """

    scores: dict[str, ScoreEntry] = field(default_factory=dict)
    red_flags: dict[str, str] = field(default_factory=dict)
    threads: dict[str, ThreadEntry] = field(default_factory=dict)
    gut_check: dict[str, str] = field(default_factory=dict)
    vote: str = ""
    summary: str = ""
    questions: tuple[QuestionAnswer, ...] = ()

    def as_body(self) -> dict[str, Any]:
        """The contract's scorecard body."""
        return {
            "scores": {key: {"score": e.score, "evidence": e.evidence} for key, e in self.scores.items()},
            "red_flags": [{"key": key, "evidence": evidence} for key, evidence in self.red_flags.items()],
            "threads": [{"key": key, "signal": e.signal or None, "notes": e.notes} for key, e in self.threads.items()],
            "gut_check": {key: self.gut_check.get(key) or None for key in rules.GUT_CHECK_KEYS},
            "vote": self.vote or None,
            "summary": self.summary,
            "questions": [answer.as_body() for answer in self.questions],
        }

    def ceiling(self, pinned: PinnedRubric) -> rules.Ceiling:
        return rules.vote_ceiling(
            dimensions=pinned.specs,
            scores={key: e.score for key, e in self.scores.items()},
            red_flags=list(self.red_flags),
            gut_check=self.gut_check,
            thresholds=pinned.thresholds,
            red_flag_names=pinned.red_flag_names,
        )

    def problems(self, pinned: PinnedRubric) -> list[rules.Problem]:
        return rules.completeness_problems(
            dimensions=pinned.specs,
            scores={key: e.score for key, e in self.scores.items()},
            evidence={key: e.evidence for key, e in self.scores.items()},
            gut_check=self.gut_check,
            vote=self.vote or None,
            thresholds=pinned.thresholds,
        )


def _text(value: Any, field_name: str) -> str:
    """Typed text, stripped; refused (invalid_character, too_long) by the one text rule of every input."""
    return check_text(value, field=field_name)


def _choice(value: Any, choices: tuple[str, ...], field_name: str) -> str:
    if value in (None, ""):
        return ""
    if value not in choices:
        raise Invalid(
            f"{field_name} must be one of {', '.join(choices)} (got {value!r}).",
            code="invalid_choice",
            field=field_name,
        )
    return str(value)


def _keyed_entries(
    value: Any, *, known: Collection[str], field: str, noun: str, shape: str, rubric: str
) -> dict[str, tuple[int, Mapping[str, Any]]]:
    """A list of `{key, ...}` objects by key, with each entry's position for error fields.

    Refuses a key the pinned rubric does not know (`unknown_<noun>`) and a key listed twice (`duplicate_<noun>`).
    """
    code = noun.replace(" ", "_")
    if not value:  # absent, null or empty: nothing listed
        return {}
    if not isinstance(value, list):
        raise Invalid(f"{field} must be a list of {shape}.", code="invalid", field=field)
    entries: dict[str, tuple[int, Mapping[str, Any]]] = {}
    for position, entry in enumerate(value):
        key = entry.get("key") if isinstance(entry, Mapping) else None
        if not isinstance(key, str) or key not in known:
            raise Invalid(
                f"{key!r} is not a {noun} of {rubric}, the rubric this interview is scored against.",
                code=f"unknown_{code}",
                field=f"{field}[{position}].key",
            )
        if key in entries:
            raise Invalid(
                f"The {noun} {key!r} is listed twice.", code=f"duplicate_{code}", field=f"{field}[{position}].key"
            )
        entries[key] = (position, entry)
    return entries


def scorecard_input(
    *, pinned: PinnedRubric, body: Mapping[str, Any], assigned_questions: Sequence[int] = ()
) -> ScorecardInput:
    """Check a body against the pinned rubric version; refuse what it does not know with a code naming the field.

    What the body leaves out is empty. Keys from another rubric version are unknown here. `questions` may answer
    only the interview's `assigned_questions` (scorecards.question_answers).
    """
    name = pinned.rubric.name
    version = pinned.rubric.version

    scores_in = body.get("scores") or {}
    if not isinstance(scores_in, Mapping):
        raise Invalid("scores must be an object keyed by dimension.", code="invalid", field="scores")
    for key in scores_in:
        if key not in pinned.dimensions:
            raise Invalid(
                f"{key!r} is not a dimension of {name} v{version}, the rubric this interview is scored against.",
                code="unknown_dimension",
                field=f"scores.{key}",
            )
    scores: dict[str, ScoreEntry] = {}
    for key, dimension in pinned.dimensions.items():
        if key not in scores_in:
            continue
        entry = scores_in[key]
        if entry is None:
            continue
        if not isinstance(entry, Mapping):
            raise Invalid(f"scores.{key} must be {{score, evidence}}.", code="invalid", field=f"scores.{key}")
        score = entry.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5):
            raise Invalid(
                f"{dimension.name} is scored {score!r}: a score is a whole number from 1 to 5.",
                code="score_out_of_range",
                field=f"scores.{key}.score",
            )
        evidence = _text(entry.get("evidence"), f"scores.{key}.evidence")
        if score is not None or evidence:
            scores[key] = ScoreEntry(score=score, evidence=evidence)

    flagged = _keyed_entries(
        body.get("red_flags"), known=pinned.red_flags, field="red_flags", noun="red flag", shape="{key, evidence}",
        rubric=f"{name} v{version}",
    )  # fmt: skip
    red_flags = {
        key: _text(flagged[key][1].get("evidence"), f"red_flags[{flagged[key][0]}].evidence")
        for key in pinned.red_flags
        if key in flagged
    }

    pulled = _keyed_entries(
        body.get("threads"), known=pinned.threads, field="threads", noun="thread", shape="{key, signal, notes}",
        rubric=f"{name} v{version}",
    )  # fmt: skip
    threads = {
        key: ThreadEntry(
            signal=_choice(pulled[key][1].get("signal"), rules.SIGNALS, f"threads[{pulled[key][0]}].signal"),
            notes=_text(pulled[key][1].get("notes"), f"threads[{pulled[key][0]}].notes"),
        )
        for key in pinned.threads
        if key in pulled
    }

    gut_in = body.get("gut_check") or {}
    if not isinstance(gut_in, Mapping):
        raise Invalid("gut_check must be an object.", code="invalid", field="gut_check")
    for key in gut_in:
        if key not in rules.GUT_CHECK_KEYS:
            raise Invalid(
                f"{key!r} is not a gut-check question; they are {', '.join(rules.GUT_CHECK_KEYS)}.",
                code="unknown_gut_check",
                field=f"gut_check.{key}",
            )
    gut_check = {
        key: answer
        for key in rules.GUT_CHECK_KEYS
        if (answer := _choice(gut_in.get(key), rules.GUT_ANSWERS, f"gut_check.{key}"))
    }

    return ScorecardInput(
        scores=scores,
        red_flags=red_flags,
        threads=threads,
        gut_check=gut_check,
        vote=_choice(body.get("vote"), rules.VOTES, "vote"),
        summary=_text(body.get("summary"), "summary"),
        questions=question_answers_input(body.get("questions"), assigned=assigned_questions),
    )


def stored_input(scorecard: Scorecard | None) -> ScorecardInput:
    """A stored scorecard (from `selectors.scorecard_with_parts`) as a ScorecardInput; empty when there is none."""
    if scorecard is None:
        return ScorecardInput()
    return ScorecardInput(
        scores={s.dimension.key: ScoreEntry(score=s.score, evidence=s.evidence) for s in scorecard.scores.all()},
        red_flags={m.red_flag.key: m.evidence for m in scorecard.red_flags.all()},
        threads={t.thread.key: ThreadEntry(signal=t.signal, notes=t.notes) for t in scorecard.threads.all()},
        gut_check=_stored_gut_check(scorecard),
        vote=scorecard.vote,
        summary=scorecard.summary,
        questions=stored_answers(scorecard.questions),
    )


def _stored_gut_check(scorecard: Scorecard) -> dict[str, str]:
    """The gut-check answers given so far, by the contract's keys."""
    answers = {
        "work_with": scorecard.gut_work_with,
        "trust_day_one": scorecard.gut_trust_day_one,
        "month_one_success": scorecard.gut_month_one_success,
    }
    return {key: answer for key, answer in answers.items() if answer}


def _is_empty(body: Mapping[str, Any] | None) -> bool:
    return not body or not any(value not in (None, "", [], {}) for value in body.values())


@dataclass
class StoredParts:
    """A saved scorecard's score, red flag and thread rows, each by the id of its rubric part."""

    scores: dict[int, DimensionScore] = field(default_factory=dict)
    red_flags: dict[int, RedFlagMark] = field(default_factory=dict)
    threads: dict[int, ThreadPulled] = field(default_factory=dict)


def _stored(scorecard: Scorecard | None, pinned: PinnedRubric) -> tuple[ScorecardInput, StoredParts]:
    """The saved answers of the (locked) `scorecard` and its part rows: three narrow queries, none without one.

    The same answers as `stored_input(scorecard_with_parts(...))`, in the rubric's order, read without joining
    the rubric parts: the pinned rubric already knows their keys.
    """
    if scorecard is None or scorecard.pk is None:
        return ScorecardInput(), StoredParts()
    parts = StoredParts(
        scores={row.dimension_id: row for row in _parts_of(DimensionScore, scorecard)},
        red_flags={row.red_flag_id: row for row in _parts_of(RedFlagMark, scorecard)},
        threads={row.thread_id: row for row in _parts_of(ThreadPulled, scorecard)},
    )
    data = ScorecardInput(
        scores={
            key: ScoreEntry(score=row.score, evidence=row.evidence)
            for key, dimension in pinned.dimensions.items()
            if (row := parts.scores.get(dimension.pk)) is not None
        },
        red_flags={
            key: mark.evidence
            for key, flag in pinned.red_flags.items()
            if (mark := parts.red_flags.get(flag.pk)) is not None
        },
        threads={
            key: ThreadEntry(signal=pulled.signal, notes=pulled.notes)
            for key, thread in pinned.threads.items()
            if (pulled := parts.threads.get(thread.pk)) is not None
        },
        gut_check=_stored_gut_check(scorecard),
        vote=scorecard.vote,
        summary=scorecard.summary,
        questions=stored_answers(scorecard.questions),
    )
    return data, parts


def _sync(
    model: type[models.Model],
    *,
    scorecard: Scorecard,
    part: str,
    stored: Mapping[int, Any],
    wanted: list[tuple[models.Model, dict[str, Any]]],
) -> list[Any]:
    """Make the scorecard's rows of `model` (one per rubric `part`) hold `wanted` (rubric parts in order, with
    their values): create the new ones, update the changed ones, delete the dropped ones; unchanged rows are not
    written. Every write keeps its history row ("+" and "~" in bulk; "-" per row through the delete signal), with
    the request's user. Returns the rows as they now are, in the rubric's order, each with its rubric part."""
    keep = {rubric_part.pk for rubric_part, _ in wanted}
    gone = [row.pk for part_id, row in stored.items() if part_id not in keep]
    if gone:
        model._default_manager.filter(pk__in=gone).delete()
    rows, created, changed, fields = [], [], [], set()
    for rubric_part, values in wanted:
        row = stored.get(rubric_part.pk)
        if row is None:
            row = model(scorecard=scorecard, **{part: rubric_part}, **values)
            created.append(row)
        else:
            setattr(row, part, rubric_part)  # the same id: only caches the part the answer shows
            different = [name for name, value in values.items() if getattr(row, name) != value]
            if different:
                for name in different:
                    setattr(row, name, values[name])
                changed.append(row)
                fields.update(different)
        rows.append(row)
    if changed:
        bulk_update_with_history(changed, model, fields=sorted(fields))
    if created:
        bulk_create_with_history(created, model)
    return rows


def _write(
    *, scorecard: Scorecard, pinned: PinnedRubric, data: ScorecardInput, stored: StoredParts | None = None
) -> None:
    """Make the scorecard's answers `data` (the caller sets status and times); `stored` is its rows, if read.

    Afterwards `scorecard.scores/red_flags/threads.all()` are the rows just written (no query), as
    `selectors.scorecard_with_parts` would read them back.
    """
    scorecard.vote = data.vote
    scorecard.summary = data.summary
    scorecard.gut_work_with = data.gut_check.get("work_with", "")
    scorecard.gut_trust_day_one = data.gut_check.get("trust_day_one", "")
    scorecard.gut_month_one_success = data.gut_check.get("month_one_success", "")
    scorecard.questions = [answer.as_body() for answer in data.questions]
    if stored is None:
        stored = _stored(scorecard, pinned)[1]  # nothing to read for a new scorecard
    scorecard.save()
    written = {
        "scores": _sync(
            DimensionScore,
            scorecard=scorecard,
            part="dimension",
            stored=stored.scores,
            wanted=[
                (pinned.dimensions[key], {"score": e.score, "evidence": e.evidence}) for key, e in data.scores.items()
            ],
        ),
        "red_flags": _sync(
            RedFlagMark,
            scorecard=scorecard,
            part="red_flag",
            stored=stored.red_flags,
            wanted=[(pinned.red_flags[key], {"evidence": evidence}) for key, evidence in data.red_flags.items()],
        ),
        "threads": _sync(
            ThreadPulled,
            scorecard=scorecard,
            part="thread",
            stored=stored.threads,
            wanted=[(pinned.threads[key], {"signal": e.signal, "notes": e.notes}) for key, e in data.threads.items()],
        ),
    }
    cache = getattr(scorecard, "_prefetched_objects_cache", {})
    scorecard._prefetched_objects_cache = {**cache, **written}  # type: ignore[attr-defined]


def _no_amendments(scorecard: Scorecard) -> Scorecard:
    """A draft (or the scorecard just submitted from one) has no amendments: only a submitted one is amended,
    and a submitted one never becomes a draft again. Lets the answer list them without a query."""
    scorecard._prefetched_objects_cache["amendments"] = []  # type: ignore[attr-defined]
    return scorecard


def _lock(interview: Interview, *, note: bool = False) -> tuple[Interview, Scorecard | None]:
    """Lock the interview, then its scorecard row: concurrent writes on one scorecard go one after the other.

    The interview's rubric version and loop are pinned for good, so the caller's already loaded ones are reused.
    With `note`, the locked interview also says whether its five-minute note is written (`has_note`).
    A write that changes a vote takes `_lock_for_vote` instead.
    """
    rows = _LOCK_INTERVIEW(pk=interview.pk)
    if not rows:
        raise Interview.DoesNotExist("Interview matching query does not exist.")
    (locked,) = instances(rows[0], (Interview, _INTERVIEW_COLUMNS))
    if note:
        locked.has_note = rows[0][-1]  # type: ignore[attr-defined]
    for relation in ("rubric", "loop"):
        cached = Interview._meta.get_field(relation).get_cached_value(interview, default=None)  # type: ignore[union-attr]
        if cached is not None and cached.pk == getattr(locked, f"{relation}_id"):
            Interview._meta.get_field(relation).set_cached_value(locked, cached)  # type: ignore[union-attr]
    scorecards = _LOCK_SCORECARD(interview_id=locked.pk)
    scorecard = instances(scorecards[0], (Scorecard, _SCORECARD_COLUMNS))[0] if scorecards else None
    return locked, scorecard


def _lock_for_vote(interview: Interview, *, note: bool = False) -> tuple[Loop, Interview, Scorecard | None]:
    """`_lock` for a write that submits or amends a vote: the loop row is locked FIRST (`loop_lock`, as the
    recruiter's decision and every other write that changes what decides it do), then the interview, then the
    scorecard. So a vote and the decision never cross: a hire recorded while a No is being amended in sees the
    No (and is refused), or the amendment sees the closed loop (and is refused). The locked loop is also the
    interview's `loop`."""
    loop = loop_lock(interview.loop_id)
    locked, scorecard = _lock(interview, note=note)
    locked.loop = loop  # the same row (loop_id unchanged), so later reads of `locked.loop` see the locked one
    return loop, locked, scorecard


# The locks and the stored parts as SQL compiled once per process (interviewloop.compiled): Django compiling
# these reads on every save cost more than running them. Built as the ORM builds them (tests/test_compiled.py).
_INTERVIEW_COLUMNS = columns(Interview)
_SCORECARD_COLUMNS = columns(Scorecard)
_LOCK_INTERVIEW = CompiledQuery(
    lambda pk: (
        Interview.objects.select_for_update()
        .filter(pk=pk)
        .annotate(has_note=Exists(Note.objects.filter(interview=OuterRef("pk"))))
        .values_list(*_INTERVIEW_COLUMNS, "has_note")
    )
)
_LOCK_SCORECARD = CompiledQuery(
    lambda interview_id: (
        Scorecard.objects.select_for_update()
        .filter(interview_id=interview_id)
        .order_by("pk")
        .values_list(*_SCORECARD_COLUMNS)
    )
)
_PART_MODELS: tuple[type[models.Model], ...] = (DimensionScore, RedFlagMark, ThreadPulled)
_PART_COLUMNS = {model: columns(model) for model in _PART_MODELS}


def _parts_query(model: type[models.Model]) -> CompiledQuery:
    return CompiledQuery(
        lambda scorecard_id: (
            model._default_manager.filter(scorecard_id=scorecard_id).order_by().values_list(*_PART_COLUMNS[model])
        )
    )


_PARTS = {model: _parts_query(model) for model in _PART_MODELS}


def _parts_of(model: type[models.Model], scorecard: Scorecard) -> list[Any]:
    columns_ = _PART_COLUMNS[model]
    return [instances(row, (model, columns_))[0] for row in _PARTS[model](scorecard_id=scorecard.pk)]


def _refuse_if_submitted(scorecard: Scorecard | None) -> None:
    if scorecard is not None and scorecard.status == Scorecard.Status.SUBMITTED:
        raise Conflict(
            "This scorecard is already submitted and locked; to change it, amend it with a reason.",
            code="already_submitted",
        )


def _check_submittable(*, pinned: PinnedRubric, data: ScorecardInput) -> None:
    """The submit rules, in order: complete (with evidence for 1s and 5s), then the vote within its ceiling."""
    problems = data.problems(pinned)
    if problems:
        code = problems[0].code
        fields = ", ".join(problem.field for problem in problems)
        detail = (
            f"The scorecard is not complete: {fields}."
            if code == "incomplete"
            else f"A score of 1 or 5 needs written evidence: {fields}."
        )
        raise Invalid(detail, code=code, problems=[problem.as_dict() for problem in problems])
    ceiling = data.ceiling(pinned)
    if not ceiling.allows(data.vote):
        raise Invalid(
            f"A {rules.VOTE_LABELS[data.vote]} vote is above what this scorecard allows "
            f"({rules.VOTE_LABELS[ceiling.max_allowed_vote]}): "
            + " ".join(reason.message for reason in ceiling.reasons),
            code="vote_not_allowed",
            vote=data.vote,
            max_allowed_vote=ceiling.max_allowed_vote,
            reasons=[reason.as_dict() for reason in ceiling.reasons],
        )


@transaction.atomic
def note_write(
    *,
    interview: Interview,
    best_thing: str,
    biggest_concern: str,
    vote: str,
    want_to_work_with: str,
    at: datetime | None = None,
) -> Note:
    """Write the five-minute note, once, after the interview ended. A late note is accepted and marked late."""
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    now = at or timezone.now()
    if locked.ended_at is None or locked.ended_at > now or locked.note_due_at is None:
        raise Conflict(
            "This interview has not ended yet: end it first, then write the five-minute note.",
            code="interview_not_ended",
        )
    if Note.objects.filter(interview=locked).exists():
        raise Conflict(
            "The five-minute note for this interview is already written; it is written once.",
            code="note_already_written",
        )
    answers = {
        "best_thing": _text(best_thing, "best_thing"),
        "biggest_concern": _text(biggest_concern, "biggest_concern"),
        "vote": _choice(vote, rules.VOTES, "vote"),
        "want_to_work_with": _choice(want_to_work_with, rules.GUT_ANSWERS, "want_to_work_with"),
    }
    for name, value in answers.items():
        if not value:
            raise Invalid(f"{name} is empty: answer every question of the note.", code="invalid", field=name)
    note = Note.objects.create(interview=locked, **answers, submitted_at=now, due_at=locked.note_due_at)
    outbox.note_written(locked)
    webhooks.note_submitted(note)
    return note


@transaction.atomic
def scorecard_save_draft(*, interview: Interview, body: Mapping[str, Any]) -> Scorecard:
    """Replace the draft with `body` (partial is fine; what it leaves out is empty). 409 once submitted."""
    locked, scorecard = _lock(interview)
    _refuse_if_submitted(scorecard)
    pinned = pinned_rubric(locked.rubric)
    data = scorecard_input(pinned=pinned, body=body, assigned_questions=locked.questions)
    if scorecard is None:
        scorecard = Scorecard(interview=locked)
    _write(scorecard=scorecard, pinned=pinned, data=data)
    return _no_amendments(scorecard)


def scorecard_check(*, interview: Interview, body: Mapping[str, Any] | None = None) -> rules.Ceiling:
    """The vote ceiling, with its reasons, for `body` or (when it is empty) the saved draft. Nothing is saved."""
    pinned = pinned_rubric(interview.rubric)
    if _is_empty(body):
        data = stored_input(scorecard_with_parts(interview))
    else:
        assert body is not None
        data = scorecard_input(pinned=pinned, body=body, assigned_questions=interview.questions)
    return data.ceiling(pinned)


@transaction.atomic
def scorecard_submit(*, interview: Interview, body: Mapping[str, Any] | None = None) -> Scorecard:
    """Submit the saved draft (or `body`, saved only if it is accepted) and lock it; then recompute the decision.

    Refusals (400 incomplete / evidence_required / vote_not_allowed; 409 note_required / already_submitted)
    change nothing: the draft stays exactly as it was. The loop, interview and scorecard rows are locked first
    (`_lock_for_vote`), so a double-click or two concurrent submits give exactly one submission and one 409, and
    the recruiter's decision waits for the vote.
    """
    loop, locked, scorecard = _lock_for_vote(interview, note=True)
    _refuse_if_submitted(scorecard)
    if locked.cancelled_at is not None:  # seen under the loop's lock, which interview_cancel takes first too
        raise Conflict(
            "This interview was cancelled: its scorecard can no longer be submitted.", code="interview_cancelled"
        )
    if not locked.has_note:  # type: ignore[attr-defined]
        raise Conflict(
            "Write the five-minute note first: the first impression is captured before the scorecard.",
            code="note_required",
        )
    pinned = focused(pinned_rubric(locked.rubric), locked.focus)
    data, stored = _stored(scorecard, pinned)
    if not _is_empty(body):
        assert body is not None
        data = scorecard_input(pinned=pinned, body=body, assigned_questions=locked.questions)
    _check_submittable(pinned=pinned, data=data)

    if scorecard is None:
        scorecard = Scorecard(interview=locked)
    scorecard.status = Scorecard.Status.SUBMITTED
    scorecard.submitted_at = timezone.now()
    _write(scorecard=scorecard, pinned=pinned, data=data, stored=stored)
    webhooks.scorecard_submitted(scorecard, interview=locked)
    decision_before = loop.decision
    loop_recompute_decision(loop=loop, locked=True)
    outbox.scorecard_submitted(locked, decision_before=decision_before)
    return _no_amendments(scorecard)


@transaction.atomic
def scorecard_amend(*, interview: Interview, body: Mapping[str, Any], reason: str, amended_by: Any) -> Scorecard:
    """Change a submitted scorecard: with a reason, through the same rules; the previous version is kept.

    Refused once the loop is closed, as seen under the loop's lock (`_lock_for_vote`): the recruiter's decision
    and the amendment go one after the other, never both.
    """
    loop, locked, scorecard = _lock_for_vote(interview)
    if scorecard is None or scorecard.status != Scorecard.Status.SUBMITTED:
        raise Conflict("Only a submitted scorecard is amended; a draft is simply saved again.", code="not_submitted")
    reason = _text(reason, "reason")
    if not reason:
        raise Invalid(
            "Say why the submitted scorecard changes: an amendment needs a reason.",
            code="reason_required",
            field="reason",
        )
    if loop.status == Loop.Status.CLOSED:
        raise Conflict(
            "This loop is closed: its outcome is recorded, so its scorecards no longer change.", code="loop_closed"
        )
    pinned = focused(pinned_rubric(locked.rubric), locked.focus)
    data = scorecard_input(pinned=pinned, body=body, assigned_questions=locked.questions)
    _check_submittable(pinned=pinned, data=data)

    previous, stored = _stored(scorecard, pinned)
    now = timezone.now()
    ScorecardAmendment.objects.create(
        scorecard=scorecard,
        previous=previous.as_body(),
        previous_vote=scorecard.vote,
        reason=reason,
        amended_by=amended_by,
        amended_at=now,
    )
    scorecard.amended_at = now
    _write(scorecard=scorecard, pinned=pinned, data=data, stored=stored)
    webhooks.scorecard_amended(scorecard, interview=locked, previous_vote=previous.vote or "")
    loop_recompute_decision(loop=loop, locked=True)
    return scorecard
