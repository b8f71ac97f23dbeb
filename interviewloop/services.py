"""Writes on loops and interviews. Keyword-only, atomic; reminders go through the outbox in the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from debriefs import outbox, webhooks
from debriefs.services import debrief_document_write, loop_lock, loop_recompute_decision
from interviewloop import interview_rules
from interviewloop.errors import Conflict, DomainError, Invalid
from interviewloop.inputs import datetime_problem
from interviewloop.interview_rules import InterviewState, Refusal
from interviewloop.models import Candidate, Interview, Loop, Position
from interviewloop.roles import is_interviewer
from interviewloop.rounds import RoundTemplate, round_problem
from interviewloop.scheduling import (
    DEFAULT_DURATION,
    ROW_FIELD_OF_CODE,
    InterviewPlan,
    Problem,
    plan_problems,
    row_field,
)
from scorecards.models import Rubric

logger = logging.getLogger(__name__)


@transaction.atomic
def interview_end(*, interview: Interview, at: datetime | None = None) -> Interview:
    """End an interview now (or at `at`); idempotent: a second call keeps the first end time.

    Always allowed, even before its scheduled start: calls move, and the tool never stands between an
    interviewer and their note (DESIGN.md, Five-minute note). The page asks "end now?" first; the API just ends.
    """
    loop_lock(interview.loop_id)  # first, as every write the debrief shows: its document is rewritten below
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    if locked.ended_at is not None:
        return locked
    if locked.cancelled_at is not None:
        _refuse(interview_rules.CANCELLED)
    locked.ended_at = at or timezone.now()
    locked.save(update_fields=["ended_at"])
    outbox.interview_ended(locked)
    webhooks.interview_ended(locked)
    debrief_document_write(loop_id=locked.loop_id)
    return locked


def interviews_end_overdue(*, limit: int = 500) -> list[int]:
    """End, at their scheduled end, interviews whose scheduled end has passed with nobody ending them (the sweep task).

    Uses the partial index interview_not_ended_idx. Each goes through interview_end in its own transaction (which
    writes its reminders), so one bad row does not hold back the rest.
    """
    now = timezone.now()
    overdue = list(
        Interview.objects.filter(ended_at__isnull=True, scheduled_end__lte=now, cancelled_at__isnull=True).order_by(
            "scheduled_end"
        )[:limit]
    )
    ended: list[int] = []
    for interview in overdue:
        try:
            interview_end(interview=interview, at=interview.scheduled_end)
        except Exception:
            logger.exception("reminders: could not end interview #%s at its scheduled end", interview.pk)
            continue
        ended.append(interview.pk)
    return ended


@transaction.atomic
def interview_set_counting(*, interview: Interview, counts_toward_decision: bool) -> Interview:
    """Make an interview count toward the decision, or a shadow's that does not; the decision is recomputed.

    Serialised on the loop (`loop_lock`, taken first, as every vote and the recruiter's decision take it), and
    refused once the loop is closed: its outcome was recorded against the panel as it was.
    """
    loop = loop_lock(interview.loop_id)
    if loop.status == Loop.Status.CLOSED:
        raise Conflict(
            "This loop is closed: its outcome is recorded, so who counts toward it no longer changes.",
            code="loop_closed",
        )
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    _refuse(
        interview_rules.bar_raiser_refusal(bar_raiser=locked.bar_raiser, counts_toward_decision=counts_toward_decision)
    )
    if locked.counts_toward_decision != counts_toward_decision:
        locked.counts_toward_decision = counts_toward_decision
        locked.save(update_fields=["counts_toward_decision"])
        loop_recompute_decision(loop=loop, locked=True)
    interview.counts_toward_decision = counts_toward_decision
    return locked


@transaction.atomic
def position_create(*, title: str, rubric: Rubric, rounds: Sequence[Mapping[str, Any]] = ()) -> Position:
    """A position and the rubric version its interviews default to (it must be published), with its ordered
    `rounds` (`{title, rubric, duration_minutes, focus, questions, counts_toward_decision, bar_raiser}`), each
    checked as an interview scheduled from it would be; a refusal names the round (`rounds[1].focus`)."""
    _require_published(rubric)
    position = Position.objects.create(title=title.strip(), rubric=rubric)
    for order, values in enumerate(rounds):
        round_create(position=position, order=order, field=f"rounds[{order}]", **values)
    return position


def round_create(
    *,
    position: Position,
    title: str,
    rubric: Rubric,
    order: int = 0,
    duration_minutes: int = DEFAULT_DURATION,
    focus: Sequence[str] = (),
    questions: Sequence[int] = (),
    counts_toward_decision: bool = True,
    bar_raiser: bool = False,
    field: str = "round",
) -> RoundTemplate:
    """A round template of `position` (see interviewloop.rounds)."""
    refusal = interview_rules.bar_raiser_refusal(bar_raiser=bar_raiser, counts_toward_decision=counts_toward_decision)
    if refusal is not None:
        raise Invalid(refusal.detail, code=refusal.code, field=f"{field}.counts_toward_decision")
    if rubric.status != Rubric.Status.PUBLISHED:
        raise Invalid(
            f"{rubric} is not a published rubric version.", code="rubric_not_published", field=f"{field}.rubric"
        )
    focus, questions = list(focus), list(dict.fromkeys(questions))
    problem = round_problem(rubric=rubric, focus=focus, questions=questions)
    if problem is not None:
        raise Invalid(problem[2], code=problem[1], field=f"{field}.{problem[0]}")
    return RoundTemplate.objects.create(
        position=position, order=order, title=title.strip(), rubric=rubric, duration_minutes=duration_minutes,
        focus=focus, questions=questions, counts_toward_decision=counts_toward_decision, bar_raiser=bar_raiser,
    )  # fmt: skip


@transaction.atomic
def candidate_create(*, name: str, email: str = "", phone: str = "") -> Candidate:
    return Candidate.objects.create(name=name.strip(), email=email.strip(), phone=phone.strip())


@transaction.atomic
def loop_create(
    *, candidate: Candidate, position: Position, recruiter: Any, debrief_at: datetime | None = None
) -> Loop:
    """Open a loop owned by `recruiter`; a debrief time schedules the meeting reminder in the same transaction."""
    if candidate.erased_at is not None:
        raise Invalid(
            "This candidate's personal data was erased: they cannot be interviewed again.", code="candidate_erased"
        )
    loop = Loop.objects.create(candidate=candidate, position=position, recruiter=recruiter, debrief_at=debrief_at)
    if debrief_at is not None:
        outbox.debrief_scheduled(loop)
    debrief_document_write(loop_id=loop.pk)
    return loop


@transaction.atomic
def loop_schedule_debrief(*, loop: Loop, debrief_at: datetime | None) -> Loop:
    """Set, move or clear the debrief meeting; the outbox replaces its reminder."""
    locked = Loop.objects.select_for_update().get(pk=loop.pk)
    if locked.status == Loop.Status.CLOSED:
        raise Conflict("This loop is closed: its outcome is recorded.", code="loop_closed")
    if locked.debrief_at != debrief_at:
        locked.debrief_at = debrief_at
        locked.save(update_fields=["debrief_at"])
        outbox.debrief_scheduled(locked)
        debrief_document_write(loop_id=locked.pk)
    loop.debrief_at = locked.debrief_at
    return locked


@transaction.atomic
def interview_schedule(
    *,
    loop: Loop,
    interviewer: Any,
    scheduled_start: datetime,
    scheduled_end: datetime | None = None,
    rubric: Rubric | None = None,
    counts_toward_decision: bool | None = None,
    round: RoundTemplate | None = None,
    focus: Sequence[str] | None = None,
    questions: Sequence[int] | None = None,
    bar_raiser: bool | None = None,
    allow_repeat: bool = False,
) -> Interview:
    """Add a session to an open loop. It pins `rubric` (default: the round's, else the position's) for good.

    A `round` of the loop's position fills rubric, focus, questions, length (`scheduled_end` = start + its
    duration when no end is given) and counting; every argument given overrides it. One interview per interviewer
    per loop: a second would give one person two votes. A question already assigned to another interview of the
    loop is refused (409 `question_repeated`) unless `allow_repeat`; the loop's lock (`loop_lock`, taken first)
    makes two concurrent assignments of one question give one interview and one 409.
    """
    # The loop's lock (as `loop_lock` takes it), with the position's rubric read in the same query.
    locked = Loop.objects.select_for_update().select_related("position__rubric").get(pk=loop.pk)
    if locked.status == Loop.Status.CLOSED:
        raise Conflict("This loop is closed: its outcome is recorded.", code="loop_closed")
    require_interviewer(interviewer)
    if round is not None and round.position_id != locked.position_id:
        raise Invalid(
            f"Round {round.pk} ({round.title}) is not a round of this loop's position.",
            code="round_not_in_position",
            field="round",
        )
    pinned = rubric or (round.rubric if round is not None else None) or locked.position.rubric
    counts = counts_toward_decision if counts_toward_decision is not None else (
        round.counts_toward_decision if round is not None else True
    )  # fmt: skip
    raiser = bar_raiser if bar_raiser is not None else (round.bar_raiser if round is not None else False)
    wanted_focus = list(focus if focus is not None else (round.focus if round is not None else []))
    wanted_questions = list(dict.fromkeys(questions if questions is not None else (round.questions if round else [])))
    if scheduled_end is None:
        minutes = round.duration_minutes if round is not None else DEFAULT_DURATION
        scheduled_end = scheduled_start + timedelta(minutes=minutes)
    if scheduled_end <= scheduled_start:
        raise Invalid("The interview must end after it starts.", code="end_before_start")
    _refuse(interview_rules.bar_raiser_refusal(bar_raiser=raiser, counts_toward_decision=counts))
    _require_published(pinned)
    problem = round_problem(rubric=pinned, focus=wanted_focus, questions=wanted_questions)
    if problem is not None:
        raise Invalid(problem[2], code=problem[1], field=problem[0])
    if Interview.objects.filter(loop=locked, interviewer=interviewer).exists():
        raise Conflict(
            f"{interviewer.username} already interviews in this loop: one interview per interviewer.",
            code="already_on_panel",
        )
    if wanted_questions and not allow_repeat:
        _refuse_repeated(locked, wanted_questions)
    try:
        with transaction.atomic():
            interview = Interview.objects.create(
                loop=locked,
                interviewer=interviewer,
                rubric=pinned,
                round=round,
                focus=wanted_focus,
                questions=wanted_questions,
                bar_raiser=raiser,
                scheduled_start=scheduled_start,
                scheduled_end=scheduled_end,
                counts_toward_decision=counts,
            )
    except IntegrityError:
        # Two requests racing past the check above: the unique constraint decides.
        raise Conflict(
            f"{interviewer.username} already interviews in this loop: one interview per interviewer.",
            code="already_on_panel",
        ) from None
    interview.loop = locked
    outbox.interview_scheduled(interview)  # the interviewer's email, with the calendar invite
    if locked.debrief_at is not None and locked.debrief_at > timezone.now():
        # The meeting's reminder goes to the panel as it is when written: rewrite it with the newcomer in.
        outbox.debrief_scheduled(locked)
    if counts:
        # A new counting interview can turn a hire back into pending (a no_hire stays: One No = No Hire).
        loop_recompute_decision(loop=locked)
    else:
        debrief_document_write(loop_id=locked.pk)
    return interview


def _refuse_repeated(loop: Loop, questions: Sequence[int]) -> None:
    """409 `question_repeated` naming the first repeated question and the interview that has it (the loop is
    locked by the caller, so no concurrent assignment slips between this read and the insert)."""
    assigned = dict(
        Interview.objects.filter(loop=loop, cancelled_at__isnull=True).values_list("pk", "questions").order_by("pk")
    )
    repeated = interview_rules.repeated_questions(questions, assigned)
    if repeated:
        question, holder = next(iter(repeated.items()))
        who = Interview.objects.filter(pk=holder).values_list("interviewer__username", flat=True).first()
        raise Conflict(
            f"Question {question} is already asked in this loop, in {who}'s interview: a candidate is not asked the "
            "same question twice. Send allow_repeat: true to assign it anyway.",
            code="question_repeated",
            question=question,
            interview=holder,
            interviewer=who,
            repeated=[{"question": q, "interview": i} for q, i in repeated.items()],
        )


# --- Rescheduling, reassigning and cancelling (DESIGN.md, "Fitting into a team's tools") ---------------------

_REFUSAL_ERRORS: dict[str, type[DomainError]] = {"end_before_start": Invalid, "bar_raiser_must_count": Invalid}


def _refuse(refusal: Refusal | None) -> None:
    if refusal is not None:
        raise _REFUSAL_ERRORS.get(refusal.code, Conflict)(refusal.detail, code=refusal.code)


def interview_state(loop: Loop, interview: Interview) -> InterviewState:
    """What interview_rules reads about `interview` and its `loop` (the admin's forms check with it too)."""
    from scorecards.models import Scorecard

    return InterviewState(
        loop_closed=loop.status == Loop.Status.CLOSED,
        cancelled=interview.cancelled_at is not None,
        ended=interview.ended_at is not None,
        scorecard_submitted=Scorecard.objects.filter(
            interview_id=interview.pk, status=Scorecard.Status.SUBMITTED
        ).exists(),
    )


@transaction.atomic
def interview_update(
    *,
    interview: Interview,
    scheduled_start: datetime | None = None,
    scheduled_end: datetime | None = None,
    interviewer: Any = None,
) -> Interview:
    """Move an interview (`scheduled_start`, `scheduled_end`; either alone keeps the other) and/or give it to
    another `interviewer`; each interviewer concerned is told through the outbox.

    Locks the loop first (`loop_lock`), as every write that can touch the decision does, then the interview.
    Refused on a closed loop, a cancelled or ended interview (interview_rules.change_refusal), an end not after
    the start, and an interviewer who is not one or is already on the panel.
    """
    loop = loop_lock(interview.loop_id)
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    state = interview_state(loop, locked)
    start = scheduled_start or locked.scheduled_start
    end = scheduled_end or locked.scheduled_end
    _refuse(interview_rules.schedule_refusal(state, start=start, end=end))
    previous_interviewer_id = locked.interviewer_id
    reassigned = interviewer is not None and interviewer.pk != previous_interviewer_id
    if reassigned:
        require_interviewer(interviewer)
        if Interview.objects.filter(loop_id=loop.pk, interviewer=interviewer).exists():
            raise Conflict(
                f"{interviewer.username} already interviews in this loop: one interview per interviewer.",
                code="already_on_panel",
            )
    moved = (start, end) != (locked.scheduled_start, locked.scheduled_end)
    if not moved and not reassigned:
        return locked
    locked.scheduled_start, locked.scheduled_end = start, end
    if reassigned:
        locked.interviewer = interviewer
    locked.calendar_sequence += 1  # calendars replace the event they have (RFC 5545 SEQUENCE)
    try:
        with transaction.atomic():
            locked.save(update_fields=["scheduled_start", "scheduled_end", "interviewer", "calendar_sequence"])
    except IntegrityError:
        # Two requests racing past the panel check above: the unique constraint decides.
        raise Conflict(
            f"{interviewer.username} already interviews in this loop: one interview per interviewer.",
            code="already_on_panel",
        ) from None
    locked.loop = loop
    if reassigned:
        outbox.interview_reassigned(locked, previous_interviewer_id=previous_interviewer_id)
    elif moved:
        outbox.interview_rescheduled(locked)
    debrief_document_write(loop_id=loop.pk)
    return locked


def interview_reschedule(*, interview: Interview, scheduled_start: datetime, scheduled_end: datetime) -> Interview:
    """Move an interview (see `interview_update`)."""
    return interview_update(interview=interview, scheduled_start=scheduled_start, scheduled_end=scheduled_end)


def interview_change_interviewer(*, interview: Interview, interviewer: Any) -> Interview:
    """Give an interview to another interviewer (see `interview_update`)."""
    return interview_update(interview=interview, interviewer=interviewer)


@transaction.atomic
def interview_cancel(*, interview: Interview, reason: str, by: Any) -> Interview:
    """Cancel an interview: it stops counting toward the decision (which is recomputed: a cancelled last missing
    scorecard can turn pending into hire; a No stays No), its reminders are cancelled, its interviewer is told.

    Locks the loop first (`loop_lock`). Refused on a closed loop, a cancelled interview, or one whose scorecard is
    submitted (interview_rules.cancel_refusal). The interview stays on the debrief, marked cancelled with `reason`.
    """
    loop = loop_lock(interview.loop_id)
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    _refuse(interview_rules.cancel_refusal(interview_state(loop, locked)))
    reason = reason.strip()
    if not reason:
        raise Invalid("Say why the interview is cancelled: its interviewer is told.", code="reason_required")
    locked.cancelled_at = timezone.now()
    locked.cancel_reason = reason
    locked.cancelled_by = by
    was_counting = locked.counts_toward_decision
    locked.counts_toward_decision = False
    locked.calendar_sequence += 1
    locked.save(
        update_fields=["cancelled_at", "cancel_reason", "cancelled_by", "counts_toward_decision", "calendar_sequence"]
    )
    locked.loop = loop
    outbox.interview_cancelled(locked)
    if was_counting:
        loop_recompute_decision(loop=loop, locked=True)
    else:
        debrief_document_write(loop_id=loop.pk)
    return locked


NO_HIRE_CANCEL_REASON = "Decided No: One No = No Hire."


@transaction.atomic
def loop_cancel_remaining(*, loop: Loop, reason: str = NO_HIRE_CANCEL_REASON, by: Any) -> list[Interview]:
    """Cancel, in one transaction, every interview of the loop not yet held (interview_rules.not_yet_held); each
    interviewer is told. Offered when the loop is decided No: nobody should spend an hour on a decided loop."""
    locked = loop_lock(loop.pk)
    if locked.status == Loop.Status.CLOSED:
        _refuse(interview_rules.LOOP_CLOSED)
    now = timezone.now()
    remaining = [
        interview
        for interview in Interview.objects.filter(loop_id=locked.pk).order_by("scheduled_start", "id")
        if interview_rules.not_yet_held(
            cancelled=interview.cancelled_at is not None,
            ended=interview.ended_at is not None,
            scheduled_start=interview.scheduled_start,
            now=now,
        )
    ]
    cancelled = [interview_cancel(interview=interview, reason=reason, by=by) for interview in remaining]
    loop.decision, loop.decision_reason = locked.decision, locked.decision_reason
    return cancelled


def require_interviewer(user: Any) -> None:
    """400 `not_an_interviewer` unless `user` is in the interviewers group: only they are given interviews."""
    if not is_interviewer(user):
        raise Invalid(
            f"{user.username} is not an interviewer: ask an admin to add them to the interviewers.",
            code="not_an_interviewer",
        )


def _require_published(rubric: Rubric) -> None:
    if rubric.status != Rubric.Status.PUBLISHED:
        raise Invalid(
            f"{rubric} is not a published rubric version: publish it (or pick a published one) first.",
            code="rubric_not_published",
        )


@transaction.atomic
def loop_schedule_with_interviews(
    *,
    recruiter: Any,
    candidate: Candidate | None = None,
    candidate_name: str = "",
    candidate_email: str = "",
    position: Position | None = None,
    position_title: str = "",
    position_rubric: Rubric | None = None,
    debrief_at: datetime | None = None,
    interviews: Sequence[InterviewPlan],
) -> Loop:
    """A loop with its interviews, all or nothing: an existing or new candidate, an existing or new position.

    Every problem the plan has is found before anything is written, and raised at once: an `Invalid` whose
    `field` and `code` are the first problem's and whose `errors` are all of them, each naming its field
    (`candidate`, `position.title`, `position.rubric`, `debrief_at`, `interviews`, `interviews[2].scheduled_end`).
    A refusal of one of the services called after that (a race: the interviewer left the group meanwhile) names
    its field the same way. `interviews` hold their final times (`scheduling.fill_times` defaults them).
    """
    problems: list[Problem] = []
    if candidate is None and not candidate_name.strip():
        problems.append(Problem("candidate", "candidate_required", "Pick a candidate or give a new one's name."))
    elif candidate is not None and candidate.erased_at is not None:
        problems.append(
            Problem("candidate", "candidate_erased", "This candidate's personal data was erased: pick another.")
        )
    if position is None:
        if not position_title.strip():
            problems.append(Problem("position", "position_required", "Pick a position or give a new one's title."))
        if position_rubric is None:
            problems.append(Problem("position.rubric", "rubric_required", "Pick the new position's rubric."))
        elif position_rubric.status != Rubric.Status.PUBLISHED:
            problems.append(
                Problem("position.rubric", "rubric_not_published", f"{position_rubric} is not a published version.")
            )
    if debrief_at is not None and (late := datetime_problem(debrief_at)) is not None:
        problems.append(Problem("debrief_at", late.code, f"The debrief meeting {late.message}"))
    problems += plan_problems(interviews, key=lambda user: user.pk)
    problems += [
        Problem(row_field(index, "interviewer"), "not_an_interviewer", f"{plan.interviewer.username} is not an "
                "interviewer: ask an admin to add them to the interviewers.")
        for index, plan in enumerate(interviews)
        if not is_interviewer(plan.interviewer)
    ]  # fmt: skip
    if problems:
        first = problems[0]
        raise Invalid(first.detail, code=first.code, field=first.field, errors=[p.as_dict() for p in problems])

    def naming(refused: Conflict | Invalid, field: str) -> Conflict | Invalid:
        extra = {k: v for k, v in refused.extra.items() if k not in ("field", "errors")}
        error = Problem(field, refused.code, refused.detail).as_dict()
        return type(refused)(
            refused.detail, code=refused.code, status=refused.status, field=field, errors=[error], **extra
        )

    try:
        if position is None:
            assert position_rubric is not None
            position = position_create(title=position_title, rubric=position_rubric)
    except (Conflict, Invalid) as refused:
        raise naming(refused, "position.rubric") from refused
    try:
        candidate = candidate or candidate_create(name=candidate_name, email=candidate_email)
        loop = loop_create(candidate=candidate, position=position, recruiter=recruiter, debrief_at=debrief_at)
    except (Conflict, Invalid) as refused:
        raise naming(refused, "candidate") from refused
    for index, plan in enumerate(interviews):
        assert plan.scheduled_start is not None and plan.scheduled_end is not None  # plan_problems said so
        try:
            interview_schedule(
                loop=loop,
                interviewer=plan.interviewer,
                scheduled_start=plan.scheduled_start,
                scheduled_end=plan.scheduled_end,
                counts_toward_decision=plan.counts_toward_decision,
                round=plan.round,
            )
        except (Conflict, Invalid) as refused:
            field = row_field(index, ROW_FIELD_OF_CODE.get(refused.code, "interviewer"))
            raise naming(refused, field) from refused
    return loop
