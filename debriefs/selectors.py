"""The debrief read model: what the loops list and the debrief (API and pages alike) show.

Every function here owns its queries and runs a fixed number of them, whatever the panel size
or the number of loops: the debrief is five queries, the loops list one per page (plus the count).
The decision itself is never recomputed here by hand: `aggregation.decide` and `aggregation.tally` are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import mean
from typing import Any, NamedTuple, cast

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import LessThan
from django.utils import timezone

from debriefs import reminder_rules
from debriefs.aggregation import (
    LoopDimension,
    PanelVote,
    SeatCoverage,
    coverage,
    decide,
    group_by_rubric,
    may_record,
    tally,
)
from interviewloop.compiled import CompiledQuery
from interviewloop.errors import Forbidden, NotFound
from interviewloop.models import Decision, Interview, Loop
from interviewloop.roles import is_recruiter
from scorecards import deadlines
from scorecards.deadlines import note_due_at_sql
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


def debrief_for(user: Any, loop_id: int, *, now: datetime | None = None) -> dict[str, Any]:
    """The debrief `user` may read (`loop_for_debrief`, then `loop_debrief`).

    A recruiter's check needs no query of its own: the debrief's loop query answers 404 for a missing loop.
    """
    if not is_recruiter(user):
        loop_for_debrief(user, loop_id)
    return loop_debrief(loop_id, now=now)


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
    with_locked: bool = False,
) -> QuerySet[Loop]:
    """The loops `user` may see, newest first, each with its counts computed in SQL (one query per page).

    `with_locked` (the loops page): an interviewer's list also has the loops they are on but whose debrief is not
    theirs to read yet, each marked `locked` with `own_interview_id`; the page shows of those only the candidate,
    the position and the way to their scorecard (the counts are annotated but never shown). A status or decision
    filter lists only readable loops: matching a locked one would tell its decision.

    `missing_count`: interviews that count toward the decision whose scorecard is not submitted (a shadow's is
    shown on the debrief, never counted as missing: the decision does not wait for it). `late_count`: five-minute
    notes written after their deadline, or still unwritten past it.
    """
    now = now or timezone.now()
    loops = visible_loops(user)
    if with_locked and getattr(user, "is_authenticated", False) and not is_recruiter(user):
        own = Interview.objects.filter(loop=OuterRef("pk"), interviewer=user)
        submitted_here = own.filter(scorecard__status=SUBMITTED)
        loops = Loop.objects.filter(Exists(own)).annotate(
            locked=~Exists(submitted_here), own_interview_id=Subquery(own.values("pk")[:1])
        )
        if status or decision:
            loops = loops.filter(locked=False)
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
            counting_count=Count("interviews", filter=Q(interviews__counts_toward_decision=True)),
            counting_submitted_count=Count(
                "interviews",
                filter=Q(interviews__counts_toward_decision=True, interviews__scorecard__status=SUBMITTED),
            ),
            late_count=Count(
                "interviews",
                filter=Q(interviews__note__submitted_at__gt=F("interviews__note__due_at"))
                | Q(interviews__note__isnull=True) & Q(LessThan(note_due_at_sql("interviews__ended_at"), now)),
            ),
        )
        .annotate(missing_count=F("counting_count") - F("counting_submitted_count"))
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

# The debrief reads plain columns (`values_list`), never whole rows: the rubric's long texts (anchors,
# examples, descriptions) and the columns it does not show stay in the database, and no model is built.


class _Person(NamedTuple):
    username: str
    first_name: str
    last_name: str

    def get_full_name(self) -> str:  # as Django's AbstractUser.get_full_name
        return f"{self.first_name} {self.last_name}".strip()


class _Card(NamedTuple):
    """An interview's scorecard, as far as the debrief reads it."""

    pk: int
    status: str
    vote: str
    submitted_at: datetime | None
    amended_at: datetime | None
    summary: str


class _NoteRow(NamedTuple):
    vote: str
    best_thing: str
    biggest_concern: str
    want_to_work_with: str
    submitted_at: datetime
    due_at: datetime


class _Seat(NamedTuple):
    """One interview of the panel with its interviewer, scorecard and note (what `panel_from_interviews` reads)."""

    pk: int
    interviewer: _Person
    counts_toward_decision: bool
    rubric_id: int
    scheduled_start: datetime
    ended_at: datetime | None
    scorecard: _Card | None
    note: _NoteRow | None
    scheduled_end: datetime
    cancelled_at: datetime | None
    cancel_reason: str
    bar_raiser: bool = False
    focus: tuple[str, ...] = ()

    @property
    def note_due_at(self) -> datetime | None:  # as Interview.note_due_at
        return deadlines.note_due_at(self.ended_at)


_LOOP_COLUMNS = (
    "id", "candidate_id", "candidate__name", "position_id", "position__title", "position__rubric_id",
    "recruiter__username", "status", "debrief_at", "outcome", "outcome_at", "outcome_by__username",
    "decision_changed_at",
)  # fmt: skip
_SEAT_COLUMNS = (
    "id", "interviewer__username", "interviewer__first_name", "interviewer__last_name", "counts_toward_decision",
    "rubric_id", "scheduled_start", "ended_at",
    "scorecard__id", "scorecard__status", "scorecard__vote", "scorecard__submitted_at", "scorecard__amended_at",
    "scorecard__summary",
    "note__id", "note__vote", "note__best_thing", "note__biggest_concern", "note__want_to_work_with",
    "note__submitted_at", "note__due_at",
    "scheduled_end", "cancelled_at", "cancel_reason", "bar_raiser", "focus",
)  # fmt: skip


# The debrief's queries, compiled to SQL once per process (interviewloop.compiled): compiling their joins and
# columns cost more than PostgreSQL takes to run them.
# The loop and its interviews in one query: one row per interview (a loop without any gives one, all None).
_LOOP_AND_SEATS = CompiledQuery(
    lambda loop_id: (
        Loop.objects.filter(pk=loop_id)
        .order_by("interviews__scheduled_start", "interviews__id")
        .values_list(*_LOOP_COLUMNS, *(f"interviews__{column}" for column in _SEAT_COLUMNS))
    )
)
_DIMENSIONS = CompiledQuery(
    lambda rubric_ids: (
        Dimension.objects.filter(rubric_id__in=rubric_ids)
        .order_by("order", "id")
        .values_list(
            "rubric_id", "order", "id", "key", "name", "critical", "rubric__name", "rubric__version", "rubric__key"
        )
    )
)
_SCORES = CompiledQuery(
    lambda scorecard_ids: DimensionScore.objects.filter(
        scorecard_id__in=scorecard_ids, score__isnull=False
    ).values_list("scorecard_id", "score", "evidence", "dimension__key", "dimension__name", "dimension__critical")
)
_MARKS = CompiledQuery(
    lambda scorecard_ids: RedFlagMark.objects.filter(scorecard_id__in=scorecard_ids).values_list(
        "scorecard_id", "evidence", "red_flag__order", "red_flag__key", "red_flag__name"
    )
)
_PULLED = CompiledQuery(
    lambda scorecard_ids: ThreadPulled.objects.filter(scorecard_id__in=scorecard_ids).values_list(
        "scorecard_id", "signal", "notes", "thread__order", "thread__key", "thread__title"
    )
)


def _seat(row: tuple[Any, ...]) -> _Seat:
    (pk, username, first_name, last_name, counts, rubric_id, start, ended_at, *card, note_id) = row[:15]
    return _Seat(
        pk=pk,
        interviewer=_Person(username, first_name, last_name),
        counts_toward_decision=counts,
        rubric_id=rubric_id,
        scheduled_start=start,
        ended_at=ended_at,
        scorecard=_Card(*card) if card[0] is not None else None,
        note=_NoteRow(*row[15:21]) if note_id is not None else None,
        scheduled_end=row[21],
        cancelled_at=row[22],
        cancel_reason=row[23],
        bar_raiser=row[24],
        focus=tuple(row[25] or ()),
    )


def loop_debrief(loop_id: int, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything the debrief shows, as plain data (the API's body; the page renders the same).

    Five queries whatever the panel size: the loop with its interviews (with interviewer, note and
    scorecard), the rubric dimensions, the submitted scores, red-flag marks and threads pulled.
    Only submitted scorecards are read: a draft stays its author's.
    """
    now = now or timezone.now()
    rows = _LOOP_AND_SEATS(loop_id=loop_id)
    if not rows:
        raise NotFound("No such loop.")
    (pk, candidate_id, candidate_name, position_id, position_title, position_rubric_id, recruiter, status,
     debrief_at, outcome, outcome_at, outcome_by, decision_changed_at) = rows[0][: len(_LOOP_COLUMNS)]  # fmt: skip
    interviews = [_seat(row[len(_LOOP_COLUMNS) :]) for row in rows if row[len(_LOOP_COLUMNS)] is not None]
    panel = panel_from_interviews(cast(list[Interview], interviews))
    outcome_now = decide(panel)
    allowed_hire, _ = may_record(outcome_now.decision, "hire")
    by_scorecard: dict[int, _Seat] = {}
    for interview in interviews:
        scorecard = _submitted_scorecard(interview)
        if scorecard is not None:
            by_scorecard[scorecard.pk] = interview

    # Everything per interviewer is listed in panel order (the interviews' schedule).
    seat = {interview.pk: position for position, interview in enumerate(interviews)}
    rubric_ids = {position_rubric_id, *(interview.rubric_id for interview in interviews)}
    dimensions = _DIMENSIONS(rubric_ids=sorted(rubric_ids))
    scorecard_ids = sorted(by_scorecard)
    scores = _SCORES(scorecard_ids=scorecard_ids)
    marks = _MARKS(scorecard_ids=scorecard_ids)
    pulled = _PULLED(scorecard_ids=scorecard_ids)
    deciding = set(outcome_now.deciding)
    # Rubric groups: the position's rubric first, then each other rubric as the panel first pins it.
    rubric_order = list(dict.fromkeys([position_rubric_id, *(interview.rubric_id for interview in interviews)]))
    dimension_rows = _dimension_rows(dimensions, scores, by_scorecard, seat, rubric_order)

    return {
        "loop": {
            "id": pk,
            "candidate": {"id": candidate_id, "name": candidate_name},
            "position": {"id": position_id, "title": position_title},
            "recruiter": recruiter,
            "status": status,
            "debrief_at": debrief_at,
            "outcome": outcome or None,
            "outcome_at": outcome_at,
            "outcome_by": outcome_by,
        },
        "decision": outcome_now.decision,
        "final": outcome_now.final,
        "reasons": list(outcome_now.reasons),
        "deciding": list(outcome_now.deciding),
        "decision_changed_at": decision_changed_at,
        "hire_allowed": allowed_hire and status == Loop.Status.OPEN,
        "votes": [_vote_row(interview, deciding, now) for interview in interviews],
        "tally": tally(panel),
        "dimensions": dimension_rows,
        "rubrics": _rubric_rows(dimensions, rubric_order),
        "coverage": _coverage(dimensions, dimension_rows, scores, by_scorecard, interviews),
        "red_flags": _red_flag_rows(marks, by_scorecard, seat),
        "threads": _thread_rows(pulled, by_scorecard, seat),
        "notes": [_note_row(interview, now) for interview in interviews if interview.note is not None],
        # The scorecards the decision waits for: a shadow's shows in `votes`, never as missing.
        "missing": [
            _missing_row(interview, now)
            for interview in interviews
            if interview.counts_toward_decision and _submitted_scorecard(interview) is None
        ],
    }


def heatmap(debrief: dict[str, Any]) -> list[dict[str, Any]]:
    """The dimension matrix pivoted for the page: one row per interviewer with a submitted scorecard.

    Each cell also carries what the page prints, flat (`css`, `label`, and for a scored cell `title`, `who`,
    `dimension_name`, `evidence`): the heat-map is most of the page's cells, and each lookup costs.
    """
    submitted = [vote for vote in debrief["votes"] if vote["scorecard_status"] == SUBMITTED]
    by_interviewer = [
        (dimension, {entry["interviewer"]: entry for entry in dimension["scores"]})
        for dimension in debrief["dimensions"]
    ]
    rows = []
    for vote in submitted:
        who = vote["name"]
        cells = []
        for dimension, entries in by_interviewer:
            entry = entries.get(vote["interviewer"])
            score = entry["score"] if entry else None
            cell = {
                "dimension": dimension,
                "score": score,
                "entry": entry,
                "css": f"s{score}" if score else "s0",
                "label": score if score else "\N{EN DASH}",  # as the page prints an empty cell
            }
            if entry:
                cell.update(
                    title=f"{who} · {dimension['name']}: {score}. {entry['evidence']}",
                    who=who,
                    dimension_name=dimension["name"],
                    evidence=entry["evidence"],
                )
            cells.append(cell)
        rows.append({"vote": vote, "cells": cells})
    return rows


def heatmap_groups(debrief: dict[str, Any]) -> list[dict[str, Any]]:
    """The heat-map's rubric header: one group per rubric over its dimension columns (none for a one-rubric loop)."""
    names = {rubric["id"]: f"{rubric['name']} v{rubric['version']}" for rubric in debrief["rubrics"]}
    groups = group_by_rubric(debrief["dimensions"], names)
    return groups if len(groups) > 1 else []


def _submitted_scorecard(interview: _Seat) -> _Card | None:
    scorecard = interview.scorecard
    return scorecard if scorecard is not None and scorecard.status == SUBMITTED else None


def _display_name(user: _Person) -> str:
    return user.get_full_name() or user.username


def _note_status(interview: _Seat, now: datetime) -> str:
    note = interview.note
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


def _vote_row(interview: _Seat, deciding: set[str], now: datetime) -> dict[str, Any]:
    scorecard = interview.scorecard
    submitted = _submitted_scorecard(interview)
    note = interview.note
    vote = submitted.vote if submitted is not None else None
    username = interview.interviewer.username
    return {
        "interview": interview.pk,
        "interviewer": username,
        "name": _display_name(interview.interviewer),
        "counts_toward_decision": interview.counts_toward_decision,
        "bar_raiser": interview.bar_raiser,
        "rubric": interview.rubric_id,
        "focus": list(interview.focus),
        "scheduled_start": interview.scheduled_start,
        "scheduled_end": interview.scheduled_end,
        "ended_at": interview.ended_at,
        # Cancelled by the recruiter: shown, marked, never counted or missing (interviewloop.interview_rules).
        "cancelled": interview.cancelled_at is not None,
        "cancelled_at": interview.cancelled_at,
        "cancel_reason": interview.cancel_reason or None,
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
    dimensions: Sequence[tuple[Any, ...]],
    scores: Iterable[tuple[int, int | None, str, str, str, bool]],
    by_scorecard: dict[int, _Seat],
    seat: dict[int, int],
    rubric_order: list[int],
) -> list[dict[str, Any]]:
    """One row per dimension key, grouped by rubric (`rubric_order`: the position's first), with each submitted
    score. A key two rubrics share is one row, under the first rubric that has it.

    `dimensions`: (rubric_id, order, id, key, name, critical, rubric name, rubric version); `scores`: (scorecard_id,
    score, evidence, and the dimension's key, name, critical). Mean and min are per key over the scorecards that
    count and scored it: a shadow's score is shown, not weighed.
    """
    rank = {rubric_id: position for position, rubric_id in enumerate(rubric_order)}
    ordered = sorted(dimensions, key=lambda d: (rank.get(d[0], len(rank)), d[1], d[2]))
    rows: dict[str, dict[str, Any]] = {}
    for rubric, _order, _id, key, name, critical, *_ in ordered:
        if key not in rows:
            rows[key] = {"key": key, "name": name, "critical": critical, "rubric": rubric, "scores": []}
    for scorecard_id, score, evidence, key, name, critical in sorted(scores, key=lambda s: seat[by_scorecard[s[0]].pk]):
        interview = by_scorecard[scorecard_id]
        row = rows.get(key)
        if row is None:
            row = rows[key] = {"key": key, "name": name, "critical": critical, "rubric": None, "scores": []}
        row["scores"].append(
            {
                "interviewer": interview.interviewer.username,
                "score": score,
                "evidence": evidence,
                "counts_toward_decision": interview.counts_toward_decision,
            }
        )
    for row in rows.values():
        counted = [entry["score"] for entry in row["scores"] if entry["counts_toward_decision"]]
        row["mean"] = round(float(mean(counted)), 2) if counted else None
        row["min"] = min(counted) if counted else None
    return list(rows.values())


def _rubric_rows(dimensions: Sequence[tuple[Any, ...]], rubric_order: list[int]) -> list[dict[str, Any]]:
    """The rubric versions the debrief's dimensions come from, in group order: `{id, key, name, version}`."""
    named = {d[0]: (d[6], d[7], d[8]) for d in dimensions}
    return [
        {"id": rubric, "key": named[rubric][2], "name": named[rubric][0], "version": named[rubric][1]}
        for rubric in rubric_order
        if rubric in named
    ]


def _coverage(
    dimensions: Sequence[tuple[Any, ...]],
    dimension_rows: list[dict[str, Any]],
    scores: Iterable[tuple[Any, ...]],
    by_scorecard: dict[int, _Seat],
    interviews: list[_Seat],
) -> dict[str, list[Any]]:
    """`aggregation.coverage` over the rubrics the panel pins (a cancelled interview covers nothing)."""
    panel = [interview for interview in interviews if interview.cancelled_at is None]
    pinned = {interview.rubric_id for interview in panel}
    rubrics_of: dict[str, list[int]] = {}
    for rubric, _order, _id, key, *_ in dimensions:
        if rubric in pinned:
            rubrics_of.setdefault(key, []).append(rubric)
    scored: dict[int, list[str]] = {}
    for scorecard_id, _score, _evidence, key, *_ in scores:
        scored.setdefault(by_scorecard[scorecard_id].pk, []).append(key)
    return coverage(
        [
            LoopDimension(
                key=row["key"],
                name=row["name"],
                rubric=row["rubric"] if row["rubric"] in rubrics_of[row["key"]] else rubrics_of[row["key"]][0],
                rubrics=tuple(rubrics_of[row["key"]]),
            )
            for row in dimension_rows
            if row["key"] in rubrics_of
        ],
        [
            SeatCoverage(
                interviewer=interview.interviewer.username,
                rubric=interview.rubric_id,
                focus=interview.focus,
                scored=tuple(scored.get(interview.pk, ())),
            )
            for interview in panel
        ],
    )


def _red_flag_rows(
    marks: Iterable[tuple[int, str, int, str, str]], by_scorecard: dict[int, _Seat], seat: dict[int, int]
) -> list[dict[str, Any]]:
    """`marks`: (scorecard_id, evidence, and the red flag's order, key, name)."""
    rows: dict[str, dict[str, Any]] = {}
    for scorecard_id, evidence, _order, key, name in sorted(
        marks, key=lambda m: (m[2], m[3], seat[by_scorecard[m[0]].pk])
    ):
        interview = by_scorecard[scorecard_id]
        row = rows.get(key)
        if row is None:
            row = rows[key] = {"key": key, "name": name, "count": 0, "raised_by": []}
        row["count"] += 1
        row["raised_by"].append(
            {
                "interviewer": interview.interviewer.username,
                "evidence": evidence,
                "counts_toward_decision": interview.counts_toward_decision,
            }
        )
    return sorted(rows.values(), key=lambda row: -row["count"])


def _thread_rows(
    pulled: Iterable[tuple[int, str, str, int, str, str]], by_scorecard: dict[int, _Seat], seat: dict[int, int]
) -> list[dict[str, Any]]:
    """`pulled`: (scorecard_id, signal, notes, and the thread's order, key, title)."""
    rows: dict[str, dict[str, Any]] = {}
    for scorecard_id, signal, notes, _order, key, title in sorted(
        pulled, key=lambda p: (p[3], p[4], seat[by_scorecard[p[0]].pk])
    ):
        row = rows.get(key)
        if row is None:
            row = rows[key] = {"key": key, "title": title, "pulled": []}
        row["pulled"].append(
            {"interviewer": by_scorecard[scorecard_id].interviewer.username, "signal": signal or None, "notes": notes}
        )
    return list(rows.values())


def _note_row(interview: _Seat, now: datetime) -> dict[str, Any]:
    note = interview.note
    assert note is not None
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


def _missing_row(interview: _Seat, now: datetime) -> dict[str, Any]:
    """A counting scorecard not yet submitted, and how overdue it is (due SCORECARD_DUE_HOURS after the end)."""
    scorecard = interview.scorecard
    due_at = deadlines.scorecard_due_at(interview.ended_at)
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


# --- Panel reads (the decision's input, the reminders' audiences) ----------------------------------------------


def loop_panel(loop: Loop) -> list[PanelVote]:
    """The loop's interviews as the decision sees them (one query of the columns it needs)."""
    return [seat.vote for seat in loop_panels({loop.pk})[loop.pk]]


@dataclass(frozen=True)
class PanelSeat:
    """One interview of a loop as the decision sees it, and whose it is."""

    interview_id: int
    interviewer_id: int
    vote: PanelVote


def loop_panels(loop_ids: Iterable[int]) -> dict[int, list[PanelSeat]]:
    """Each loop's interviews in panel order (scheduled start, then id): one query for all the loops."""
    panels: dict[int, list[PanelSeat]] = {loop_id: [] for loop_id in loop_ids}
    rows = (
        Interview.objects.filter(loop_id__in=panels)
        .order_by("loop_id", "scheduled_start", "id")
        .values_list(
            "loop_id", "id", "interviewer_id", "interviewer__username", "counts_toward_decision",
            "scorecard__status", "scorecard__vote",
        )
    )  # fmt: skip
    for loop_id, interview_id, interviewer_id, username, counts, status, vote in rows:
        panels[loop_id].append(
            PanelSeat(
                interview_id=interview_id,
                interviewer_id=interviewer_id,
                vote=panel_vote(username, counts_toward_decision=counts, scorecard_status=status, scorecard_vote=vote),
            )
        )
    return panels


def panel_vote(
    interviewer: str, *, counts_toward_decision: bool, scorecard_status: str | None, scorecard_vote: str | None
) -> PanelVote:
    """An interview's PanelVote from its scorecard's status and vote (None: no scorecard): a draft's vote is never
    read."""
    submitted = scorecard_status == Scorecard.Status.SUBMITTED
    return PanelVote(
        interviewer=interviewer,
        counts_toward_decision=counts_toward_decision,
        submitted=submitted,
        vote=scorecard_vote if submitted else None,
    )


def panel_from_interviews(interviews: Iterable[Interview]) -> list[PanelVote]:
    """PanelVotes from interviews loaded with their interviewer and scorecard (no query of its own)."""
    panel = []
    for interview in interviews:
        scorecard = getattr(interview, "scorecard", None)
        panel.append(
            panel_vote(
                interview.interviewer.username,
                counts_toward_decision=interview.counts_toward_decision,
                scorecard_status=scorecard.status if scorecard is not None else None,
                scorecard_vote=scorecard.vote if scorecard is not None else None,
            )
        )
    return panel


def loop_audience(loop: Loop) -> list[int]:
    """The recruiter and every interviewer on the panel (shadows included, cancelled interviews not), each once."""
    panel = (
        Interview.objects.filter(loop=loop, cancelled_at__isnull=True)
        .order_by("scheduled_start", "id")
        .values_list("interviewer_id", flat=True)
    )
    return list(dict.fromkeys([loop.recruiter_id, *panel]))


def debrief_ready_audience(loop: Loop) -> list[int]:
    """The recruiter and each panel member whose own scorecard is in (reminder_rules.debrief_ready_audience)."""
    panel = (
        Interview.objects.filter(loop=loop)
        .order_by("scheduled_start", "id")
        .values_list("interviewer_id", "scorecard__status")
    )
    return reminder_rules.debrief_ready_audience(
        recruiter_id=loop.recruiter_id,
        panel=[(user_id, status == Scorecard.Status.SUBMITTED) for user_id, status in panel],
    )
