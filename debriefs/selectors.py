"""The debrief read model: what the loops list and the debrief (API and pages alike) show.

Every function here owns its queries and runs a fixed number of them, whatever the panel size
or the number of loops: the debrief is six queries, the loops list one per page (plus the count).
The decision itself is never recomputed here by hand: `aggregation.decide` and `aggregation.tally` are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from statistics import mean
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from debriefs.aggregation import decide, may_record, tally
from debriefs.services import panel_from_interviews
from interviewloop.errors import Forbidden, NotFound
from interviewloop.models import Decision, Interview, Loop
from interviewloop.roles import is_recruiter
from scorecards.models import Dimension, DimensionScore, RedFlagMark, Scorecard, ThreadPulled
from scorecards.rules import VOTE_LABELS, VOTES, note_status, vote_index

SUBMITTED = Scorecard.Status.SUBMITTED

STAGES: dict[str, str] = {
    "scheduling": "Scheduling",
    "interviewing": "Interviewing",
    "scorecards": "Scorecards due",
    "debrief": "Ready for debrief",
    "closed": "Closed",
}


# --- Who may see what ------------------------------------------------------------------------------


def visible_loops(user: Any) -> QuerySet[Loop]:
    """Recruiters see every loop; an interviewer sees the loops where they submitted their scorecard; others none.

    (Independence: "an interviewer sees their own note and scorecard only, until they have submitted".)
    """
    if not getattr(user, "is_authenticated", False):
        return Loop.objects.none()
    if is_recruiter(user):
        return Loop.objects.all()
    submitted_here = Scorecard.objects.filter(
        interview__loop=OuterRef("pk"), interview__interviewer=user, status=SUBMITTED
    )
    return Loop.objects.filter(Exists(submitted_here))


def loop_for_debrief(user: Any, loop_id: int) -> None:
    """Raise unless `user` may read the loop's debrief (one query).

    Recruiters: any loop that exists. A panel member: 403 until their own scorecard is submitted.
    Anyone else: 404, as if the loop did not exist.
    """
    if is_recruiter(user):
        if not Loop.objects.filter(pk=loop_id).exists():
            raise NotFound("No such loop.")
        return
    own = Interview.objects.filter(loop_id=loop_id, interviewer=user).select_related("scorecard").first()
    if own is None:
        raise NotFound("No such loop.")
    scorecard = getattr(own, "scorecard", None)
    if scorecard is None or scorecard.status != SUBMITTED:
        raise Forbidden(
            "Submit your own scorecard first: the debrief opens to you once your vote is in, so it stays your own.",
            code="scorecard_not_submitted",
        )


def loop_for_recruiter(user: Any, loop_id: int) -> Loop:
    """The loop, for a recruiter's write. A panel member who may read it gets 403; anyone else 404."""
    loop = Loop.objects.filter(pk=loop_id).first()
    if is_recruiter(user):
        if loop is None:
            raise NotFound("No such loop.")
        return loop
    if loop is not None and visible_loops(user).filter(pk=loop_id).exists():
        raise Forbidden("Only recruiters can do this.", code="permission_denied")
    raise NotFound("No such loop.")


# --- The loops list --------------------------------------------------------------------------------


def loop_rows(
    user: Any,
    *,
    status: str | None = None,
    decision: str | None = None,
    search: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Loop]:
    """The loops `user` may see, newest first, each with its counts computed in SQL (one query per page).

    `missing_count`: interviews whose scorecard is not submitted. `late_count`: five-minute notes
    written after their deadline, or still unwritten past it.
    """
    now = now or timezone.now()
    note_deadline_passed = now - timedelta(minutes=settings.NOTE_WINDOW_MINUTES)
    loops = visible_loops(user)
    if status:
        loops = loops.filter(status=status)
    if decision:
        loops = loops.filter(decision=decision)
    if search and search.strip():
        term = search.strip()
        loops = loops.filter(Q(candidate__name__icontains=term) | Q(position__title__icontains=term))
    return (
        loops.select_related("candidate", "position", "recruiter", "outcome_by")
        .annotate(
            interview_count=Count("interviews"),
            ended_count=Count("interviews", filter=Q(interviews__ended_at__isnull=False)),
            submitted_count=Count("interviews", filter=Q(interviews__scorecard__status=SUBMITTED)),
            late_count=Count(
                "interviews",
                filter=Q(interviews__note__submitted_at__gt=F("interviews__note__due_at"))
                | Q(interviews__note__isnull=True, interviews__ended_at__lt=note_deadline_passed),
            ),
        )
        .annotate(missing_count=F("interview_count") - F("submitted_count"))
        .order_by("-created_at", "-id")
    )


def loop_stage(loop: Loop) -> str:
    """Where the loop stands, from its annotated counts (see `loop_rows`)."""
    if loop.status == Loop.Status.CLOSED:
        return "closed"
    interviews = getattr(loop, "interview_count", 0)
    if not interviews:
        return "scheduling"
    if loop.decision != Decision.PENDING or getattr(loop, "submitted_count", 0) >= interviews:
        return "debrief"
    if getattr(loop, "ended_count", 0) < interviews:
        return "interviewing"
    return "scorecards"


# --- The debrief -----------------------------------------------------------------------------------


def loop_debrief(loop_id: int, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything the debrief shows, as plain data (the API's body; the page renders the same).

    Six queries whatever the panel size: the loop, its interviews (with interviewer, note and
    scorecard), the rubric dimensions, the submitted scores, red-flag marks and threads pulled.
    Only submitted scorecards are read: a draft stays its author's.
    """
    now = now or timezone.now()
    loop = Loop.objects.select_related("candidate", "position", "recruiter", "outcome_by").filter(pk=loop_id).first()
    if loop is None:
        raise NotFound("No such loop.")
    interviews = list(
        Interview.objects.filter(loop=loop)
        .select_related("interviewer", "scorecard", "note")
        .order_by("scheduled_start", "id")
    )
    panel = panel_from_interviews(interviews)
    outcome = decide(panel)
    allowed_hire, _ = may_record(outcome.decision, "hire")
    by_scorecard: dict[int, Interview] = {}
    for interview in interviews:
        scorecard = _submitted_scorecard(interview)
        if scorecard is not None:
            by_scorecard[scorecard.pk] = interview

    # Everything per interviewer is listed in panel order (the interviews' schedule).
    seat = {interview.pk: position for position, interview in enumerate(interviews)}
    rubric_ids = {loop.position.rubric_id, *(interview.rubric_id for interview in interviews)}
    dimensions = list(Dimension.objects.filter(rubric_id__in=rubric_ids).order_by("order", "id"))
    scores = list(
        DimensionScore.objects.filter(scorecard_id__in=by_scorecard, score__isnull=False).select_related("dimension")
    )
    marks = list(RedFlagMark.objects.filter(scorecard_id__in=by_scorecard).select_related("red_flag"))
    pulled = list(ThreadPulled.objects.filter(scorecard_id__in=by_scorecard).select_related("thread"))

    return {
        "loop": _loop_summary(loop),
        "decision": outcome.decision,
        "final": outcome.final,
        "reasons": list(outcome.reasons),
        "deciding": list(outcome.deciding),
        "decision_changed_at": loop.decision_changed_at,
        "hire_allowed": allowed_hire and loop.status == Loop.Status.OPEN,
        "votes": [_vote_row(interview, set(outcome.deciding), now) for interview in interviews],
        "tally": tally(panel),
        "dimensions": _dimension_rows(dimensions, scores, by_scorecard, interviews, loop.position.rubric_id),
        "red_flags": _red_flag_rows(marks, by_scorecard, seat),
        "threads": _thread_rows(pulled, by_scorecard, seat),
        "notes": [_note_row(interview, now) for interview in interviews if _note(interview) is not None],
        "missing": [
            _missing_row(interview, now) for interview in interviews if _submitted_scorecard(interview) is None
        ],
    }


def heatmap(debrief: dict[str, Any]) -> list[dict[str, Any]]:
    """The dimension matrix pivoted for the page: one row per interviewer with a submitted scorecard."""
    submitted = [vote for vote in debrief["votes"] if vote["scorecard_status"] == SUBMITTED]
    rows = []
    for vote in submitted:
        cells = []
        for dimension in debrief["dimensions"]:
            entry = next((s for s in dimension["scores"] if s["interviewer"] == vote["interviewer"]), None)
            cells.append({"dimension": dimension, "score": entry["score"] if entry else None, "entry": entry})
        rows.append({"vote": vote, "cells": cells})
    return rows


def _loop_summary(loop: Loop) -> dict[str, Any]:
    return {
        "id": loop.pk,
        "candidate": {"id": loop.candidate_id, "name": loop.candidate.name},
        "position": {"id": loop.position_id, "title": loop.position.title},
        "recruiter": loop.recruiter.username,
        "status": loop.status,
        "debrief_at": loop.debrief_at,
        "outcome": loop.outcome or None,
        "outcome_at": loop.outcome_at,
        "outcome_by": loop.outcome_by.username if loop.outcome_by else None,
    }


def _submitted_scorecard(interview: Interview) -> Scorecard | None:
    scorecard = getattr(interview, "scorecard", None)
    return scorecard if scorecard is not None and scorecard.status == SUBMITTED else None


def _note(interview: Interview) -> Any:
    return getattr(interview, "note", None)


def _display_name(user: Any) -> str:
    return user.get_full_name() or user.username


def _note_status(interview: Interview, now: datetime) -> str:
    note = _note(interview)
    return note_status(
        ended_at=interview.ended_at,
        note_due_at=note.due_at if note is not None else interview.note_due_at,
        note_submitted_at=note.submitted_at if note is not None else None,
        now=now,
    )


def vote_shift(note_vote: str | None, scorecard_vote: str | None) -> dict[str, Any] | None:
    """How far the considered vote moved from the first impression (steps up positive, down negative)."""
    if note_vote not in VOTES or scorecard_vote not in VOTES:
        return None
    steps = vote_index(str(scorecard_vote)) - vote_index(str(note_vote))
    return {"from": note_vote, "to": scorecard_vote, "steps": steps}


def _vote_row(interview: Interview, deciding: set[str], now: datetime) -> dict[str, Any]:
    scorecard = getattr(interview, "scorecard", None)
    submitted = _submitted_scorecard(interview)
    note = _note(interview)
    vote = submitted.vote if submitted is not None else None
    username = interview.interviewer.username
    return {
        "interviewer": username,
        "name": _display_name(interview.interviewer),
        "counts_toward_decision": interview.counts_toward_decision,
        "scorecard_status": scorecard.status if scorecard is not None else "not_started",
        "vote": vote,
        "submitted_at": submitted.submitted_at if submitted is not None else None,
        "amended": bool(submitted is not None and submitted.amended_at is not None),
        "amended_at": submitted.amended_at if submitted is not None else None,
        "summary": submitted.summary if submitted is not None else None,
        "deciding": username in deciding,
        "note": {
            "status": _note_status(interview, now),
            "vote": note.vote if note is not None else None,
            "submitted_at": note.submitted_at if note is not None else None,
            "due_at": note.due_at if note is not None else interview.note_due_at,
        },
        "vote_shift": vote_shift(note.vote if note is not None else None, vote),
    }


def _dimension_rows(
    dimensions: Sequence[Dimension],
    scores: Iterable[DimensionScore],
    by_scorecard: dict[int, Interview],
    interviews: Sequence[Interview],
    position_rubric_id: int,
) -> list[dict[str, Any]]:
    """One row per dimension key (the position's rubric order first), with each submitted score.

    Mean and min are over the scorecards that count: a shadow's score is shown, not weighed.
    """
    ordered = sorted(dimensions, key=lambda d: (d.rubric_id != position_rubric_id, d.order, d.pk))
    rows: dict[str, dict[str, Any]] = {}
    for dimension in ordered:
        rows.setdefault(
            dimension.key,
            {"key": dimension.key, "name": dimension.name, "critical": dimension.critical, "scores": []},
        )
    panel_order = {interview.pk: position for position, interview in enumerate(interviews)}
    for score in sorted(scores, key=lambda s: panel_order[by_scorecard[s.scorecard_id].pk]):
        interview = by_scorecard[score.scorecard_id]
        row = rows.setdefault(
            score.dimension.key,
            {
                "key": score.dimension.key,
                "name": score.dimension.name,
                "critical": score.dimension.critical,
                "scores": [],
            },
        )
        row["scores"].append(
            {
                "interviewer": interview.interviewer.username,
                "score": score.score,
                "evidence": score.evidence,
                "counts_toward_decision": interview.counts_toward_decision,
            }
        )
    for row in rows.values():
        counted = [entry["score"] for entry in row["scores"] if entry["counts_toward_decision"]]
        row["mean"] = round(float(mean(counted)), 2) if counted else None
        row["min"] = min(counted) if counted else None
    return list(rows.values())


def _red_flag_rows(
    marks: Iterable[RedFlagMark], by_scorecard: dict[int, Interview], seat: dict[int, int]
) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for mark in sorted(marks, key=lambda m: (m.red_flag.order, m.red_flag.key, seat[by_scorecard[m.scorecard_id].pk])):
        interview = by_scorecard[mark.scorecard_id]
        row = rows.setdefault(
            mark.red_flag.key, {"key": mark.red_flag.key, "name": mark.red_flag.name, "count": 0, "raised_by": []}
        )
        row["count"] += 1
        row["raised_by"].append(
            {
                "interviewer": interview.interviewer.username,
                "evidence": mark.evidence,
                "counts_toward_decision": interview.counts_toward_decision,
            }
        )
    return sorted(rows.values(), key=lambda row: -row["count"])


def _thread_rows(
    pulled: Iterable[ThreadPulled], by_scorecard: dict[int, Interview], seat: dict[int, int]
) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for entry in sorted(pulled, key=lambda p: (p.thread.order, p.thread.key, seat[by_scorecard[p.scorecard_id].pk])):
        row = rows.setdefault(entry.thread.key, {"key": entry.thread.key, "title": entry.thread.title, "pulled": []})
        row["pulled"].append(
            {
                "interviewer": by_scorecard[entry.scorecard_id].interviewer.username,
                "signal": entry.signal or None,
                "notes": entry.notes,
            }
        )
    return list(rows.values())


def _note_row(interview: Interview, now: datetime) -> dict[str, Any]:
    note = _note(interview)
    return {
        "interviewer": interview.interviewer.username,
        "name": _display_name(interview.interviewer),
        "best_thing": note.best_thing,
        "biggest_concern": note.biggest_concern,
        "vote": note.vote,
        "want_to_work_with": note.want_to_work_with,
        "submitted_at": note.submitted_at,
        "status": _note_status(interview, now),
    }


def _missing_row(interview: Interview, now: datetime) -> dict[str, Any]:
    """A scorecard not yet submitted, and how overdue it is (due SCORECARD_DUE_HOURS after the end)."""
    scorecard = getattr(interview, "scorecard", None)
    due_at = (
        interview.ended_at + timedelta(hours=settings.SCORECARD_DUE_HOURS) if interview.ended_at is not None else None
    )
    return {
        "interviewer": interview.interviewer.username,
        "name": _display_name(interview.interviewer),
        "counts_toward_decision": interview.counts_toward_decision,
        "scorecard_status": scorecard.status if scorecard is not None else "not_started",
        "scheduled_start": interview.scheduled_start,
        "ended_at": interview.ended_at,
        "scorecard_due_at": due_at,
        "overdue_seconds": max(0, int((now - due_at).total_seconds())) if due_at is not None else 0,
    }


def vote_label(vote: str | None) -> str:
    return VOTE_LABELS.get(vote or "", "")
