"""Writes on the five-minute note and the scorecard. Keyword-only and atomic; the API and the pages both call these.

The scorecard's writes take a typed, already-valid `ScorecardInput` (from `scorecards.serializers`, the one
validation path of a body) and enforce the rules: completeness, evidence, the vote ceiling, note first, the locks.
The rules themselves are pure functions in `scorecards.rules`; this module feeds them the interview's PINNED rubric
(`scorecards.selectors.pinned_rubric`) and turns their answers into the contract's errors.
Reminders go through `debriefs.outbox` and the decision through `debriefs.services` in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from debriefs import outbox, webhooks
from debriefs.services import debrief_document_write, loop_lock, loop_recompute_decision
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
from scorecards.question_answers import stored_answers
from scorecards.scorecard_input import ScorecardInput, ScoreEntry, ThreadEntry, stored_gut_check, stored_input
from scorecards.selectors import PinnedRubric, focused, pinned_rubric, scorecard_with_parts

NOTE_FIELDS = ("best_thing", "biggest_concern", "vote", "want_to_work_with")


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


@dataclass(frozen=True)
class Written:
    """A scorecard just written and the answers it now holds: all its answer needs, without reading it back."""

    scorecard: Scorecard
    data: ScorecardInput


@dataclass(frozen=True)
class Checked:
    """The vote ceiling of a scorecard (body or saved draft), beside its plain mean and weighted score."""

    ceiling: rules.Ceiling
    mean_score: Decimal | None
    weighted_score: Decimal | None


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
        scores={row.dimension_id: row for row in DimensionScore.objects.filter(scorecard=scorecard).order_by()},
        red_flags={row.red_flag_id: row for row in RedFlagMark.objects.filter(scorecard=scorecard).order_by()},
        threads={row.thread_id: row for row in ThreadPulled.objects.filter(scorecard=scorecard).order_by()},
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
        gut_check=stored_gut_check(scorecard),
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
) -> None:
    """Make the scorecard's rows of `model` (one per rubric `part`) hold `wanted` (rubric parts in order, with
    their values): create the new ones, update the changed ones, delete the dropped ones; unchanged rows are not
    written. Every write keeps its history row ("+" and "~" in bulk; "-" per row through the delete signal), with
    the request's user."""
    keep = {rubric_part.pk for rubric_part, _ in wanted}
    gone = [row.pk for part_id, row in stored.items() if part_id not in keep]
    if gone:
        model._default_manager.filter(pk__in=gone).delete()
    created, changed, fields = [], [], set()
    for rubric_part, values in wanted:
        row = stored.get(rubric_part.pk)
        if row is None:
            created.append(model(scorecard=scorecard, **{part: rubric_part}, **values))
            continue
        different = [name for name, value in values.items() if getattr(row, name) != value]
        if different:
            for name in different:
                setattr(row, name, values[name])
            changed.append(row)
            fields.update(different)
    if changed:
        bulk_update_with_history(changed, model, fields=sorted(fields))
    if created:
        bulk_create_with_history(created, model)


def _write(
    *, scorecard: Scorecard, pinned: PinnedRubric, data: ScorecardInput, stored: StoredParts | None = None
) -> Written:
    """Make the scorecard's answers `data` (the caller sets status and times); `stored` is its rows, if read."""
    scorecard.vote = data.vote
    scorecard.summary = data.summary
    scorecard.gut_check = dict(data.gut_check)
    scorecard.questions = [answer.as_body() for answer in data.questions]
    if stored is None:
        stored = _stored(scorecard, pinned)[1]  # nothing to read for a new scorecard
    scorecard.save()
    _sync(
        DimensionScore,
        scorecard=scorecard,
        part="dimension",
        stored=stored.scores,
        wanted=[(pinned.dimensions[key], {"score": e.score, "evidence": e.evidence}) for key, e in data.scores.items()],
    )
    _sync(
        RedFlagMark,
        scorecard=scorecard,
        part="red_flag",
        stored=stored.red_flags,
        wanted=[(pinned.red_flags[key], {"evidence": evidence}) for key, evidence in data.red_flags.items()],
    )
    _sync(
        ThreadPulled,
        scorecard=scorecard,
        part="thread",
        stored=stored.threads,
        wanted=[(pinned.threads[key], {"signal": e.signal, "notes": e.notes}) for key, e in data.threads.items()],
    )
    return Written(scorecard=scorecard, data=data)


def _lock(interview: Interview, *, note: bool = False) -> tuple[Interview, Scorecard | None]:
    """Lock the interview, then its scorecard row: concurrent writes on one scorecard go one after the other.

    With `note`, the locked interview also says whether its five-minute note is written (`has_note`). Its rubric
    version is pinned for good, so the caller's `interview.rubric` is the one to score against.
    A write that changes a vote takes `_lock_for_vote` instead.
    """
    rows = Interview.objects.select_for_update().filter(pk=interview.pk)
    if note:
        rows = rows.annotate(has_note=Exists(Note.objects.filter(interview=OuterRef("pk"))))
    locked = rows.order_by().first()
    if locked is None:
        raise Interview.DoesNotExist("Interview matching query does not exist.")
    scorecard = Scorecard.objects.select_for_update().filter(interview_id=locked.pk).order_by("pk").first()
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
    loop_lock(interview.loop_id)  # first, as every write the debrief shows: its document is rewritten below
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
    debrief_document_write(loop_id=locked.loop_id)
    return note


@transaction.atomic
def scorecard_save_draft(*, interview: Interview, data: ScorecardInput) -> Written:
    """Replace the draft with `data` (partial is fine; what it leaves out is empty). 409 once submitted.

    The debrief shows only that a draft exists (its content stays its author's), so only the first save rewrites
    the debrief, under the loop's lock, taken first as every such write takes it.
    """
    first = not Scorecard.objects.filter(interview_id=interview.pk).exists()
    if first:
        loop_lock(interview.loop_id)
    locked, scorecard = _lock(interview)
    _refuse_if_submitted(scorecard)
    pinned = pinned_rubric(interview.rubric)
    created = scorecard is None  # only when `first` too: a scorecard is never deleted
    if scorecard is None:
        scorecard = Scorecard(interview=locked)
    written = _write(scorecard=scorecard, pinned=pinned, data=data)
    if first and created:
        debrief_document_write(loop_id=locked.loop_id)
    return written


def scorecard_check(*, interview: Interview, data: ScorecardInput | None = None) -> Checked:
    """The vote ceiling, with its reasons, for `data` or (when it is empty) the saved draft. Nothing is saved."""
    pinned = pinned_rubric(interview.rubric)
    if data is None or data.is_empty:
        data = stored_input(scorecard_with_parts(interview))
    return Checked(
        ceiling=data.ceiling(pinned), mean_score=data.mean_score(pinned), weighted_score=data.weighted_score(pinned)
    )


@transaction.atomic
def scorecard_submit(*, interview: Interview, data: ScorecardInput | None = None) -> Written:
    """Submit the saved draft (or `data`, saved only if it is accepted) and lock it; then recompute the decision.

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
    pinned = focused(pinned_rubric(interview.rubric), locked.focus)
    saved, stored = _stored(scorecard, pinned)
    if data is None or data.is_empty:
        data = saved
    _check_submittable(pinned=pinned, data=data)

    if scorecard is None:
        scorecard = Scorecard(interview=locked)
    scorecard.status = Scorecard.Status.SUBMITTED
    scorecard.submitted_at = timezone.now()
    written = _write(scorecard=scorecard, pinned=pinned, data=data, stored=stored)
    webhooks.scorecard_submitted(scorecard, interview=locked)
    decision_before = loop.decision
    loop_recompute_decision(loop=loop, locked=True)
    outbox.scorecard_submitted(locked, decision_before=decision_before)
    return written


@transaction.atomic
def scorecard_amend(*, interview: Interview, data: ScorecardInput, reason: str, amended_by: Any) -> Written:
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
    pinned = focused(pinned_rubric(interview.rubric), locked.focus)
    _check_submittable(pinned=pinned, data=data)

    previous, stored = _stored(scorecard, pinned)
    now = timezone.now()
    ScorecardAmendment.objects.create(
        scorecard=scorecard,
        previous=previous.as_body(pinned),
        previous_vote=scorecard.vote,
        reason=reason,
        amended_by=amended_by,
        amended_at=now,
    )
    scorecard.amended_at = now
    written = _write(scorecard=scorecard, pinned=pinned, data=data, stored=stored)
    webhooks.scorecard_amended(scorecard, interview=locked, previous_vote=previous.vote or "")
    loop_recompute_decision(loop=loop, locked=True)
    return written
