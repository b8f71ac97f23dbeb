"""The debrief document: everything a loop's debrief shows, built from its rows, and what the clock adds when read.

`build(loop_id)` reads the loop, its interviews (with interviewer, note and scorecard), the rubric dimensions and
the submitted scorecards' scores, red flags and threads (six queries, whatever the panel), and returns the document
with the counts the loops list shows. Each section has its own function, so a new section is one more function.
`debriefs.services.debrief_document_write` stores what it returns; `at_time(document, now)` (pure) adds the parts
that depend on the clock: a note's status while unwritten (due, missing) and how overdue a scorecard is.
Only submitted scorecards are read: a draft stays its author's.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime
from statistics import mean
from typing import Any

from debriefs.aggregation import (
    LoopDimension,
    Outcome,
    PanelVote,
    SeatCoverage,
    coverage,
    decide,
    may_record,
    tally,
)
from debriefs.calibration import Term, loop_terms
from debriefs.calibration import mean_score as card_mean
from interviewloop.models import Decision, Interview, Loop
from scorecards import deadlines
from scorecards.models import Dimension, DimensionScore, RedFlagMark, Scorecard, ThreadPulled
from scorecards.rules import VOTES, DimensionSpec, mean_score, note_status, vote_index, weighted_score

SUBMITTED = Scorecard.Status.SUBMITTED

STAGES: dict[str, str] = {
    "scheduling": "Scheduling",
    "interviewing": "Interviewing",
    "scorecards": "Scorecards due",
    "debrief": "Ready for debrief",
    "closed": "Closed",
}


@dataclass(frozen=True)
class Counts:
    """What the loops list shows of a loop besides its own columns (stored beside the document)."""

    interview_count: int
    ended_count: int
    submitted_count: int
    missing_count: int  # counting interviews whose scorecard is not submitted (a shadow's never is missing)
    late_note_count: int  # notes written after their deadline
    open_note_deadlines: list[datetime]  # deadlines of the ended interviews' notes not yet written, in order


@dataclass(frozen=True)
class Built:
    loop: Loop  # with candidate, position, recruiter and outcome_by
    document: dict[str, Any]
    counts: Counts
    leniency_terms: dict[int, Term]  # by interviewer id: the loop's part of each one's leniency (calibration)


# --- Building ---------------------------------------------------------------------------------------------------


def build(loop_id: int) -> Built:
    """The loop's document as its rows say now (raises Loop.DoesNotExist)."""
    loop = Loop.objects.select_related("candidate", "position", "recruiter", "outcome_by").get(pk=loop_id)
    interviews = list(
        Interview.objects.filter(loop_id=loop_id)
        .select_related("interviewer", "scorecard", "note")
        .order_by("scheduled_start", "id")
    )
    panel = panel_from_interviews(interviews)
    outcome = decide(panel)
    submitted = [interview for interview in interviews if _submitted(interview) is not None]
    # Rubric groups: the position's rubric first, then each other rubric as the panel first pins it.
    rubric_order = list(dict.fromkeys([loop.position.rubric_id, *(interview.rubric_id for interview in interviews)]))
    dimensions = list(
        Dimension.objects.filter(rubric_id__in=rubric_order)
        .order_by("order", "id")
        .values_list(
            "rubric_id",
            "order",
            "id",
            "key",
            "name",
            "critical",
            "weight",
            "rubric__name",
            "rubric__version",
            "rubric__key",
        )
    )
    scores = _parts_by_scorecard(
        DimensionScore.objects.filter(scorecard__in=_scorecard_ids(submitted), score__isnull=False)
        .select_related("dimension")
        .order_by("dimension__order", "id")
    )
    votes = vote_rows(interviews, set(outcome.deciding))
    for vote, interview in zip(votes, interviews, strict=True):
        vote.update(vote_scores(interview, dimensions, scores))
    dimensions_section = dimension_rows(dimensions, submitted, scores, rubric_order)
    document = {
        **decision_section(loop, outcome),
        "votes": votes,
        "tally": tally(panel),
        "dimensions": dimensions_section,
        "rubrics": rubric_rows(dimensions, rubric_order),
        "coverage": coverage_section(dimensions, dimensions_section, interviews, scores),
        "red_flags": red_flag_rows(submitted),
        "threads": thread_rows(submitted),
        "notes": note_rows(interviews),
        "missing": missing_rows(interviews),
    }
    return Built(
        loop=loop, document=document, counts=counts(interviews), leniency_terms=leniency_terms(interviews, scores)
    )


def decision_section(loop: Loop, outcome: Outcome) -> dict[str, Any]:
    """The loop itself and the rule's decision ("One No = No Hire"), recomputed from the panel."""
    hire_allowed, _ = may_record(outcome.decision, "hire")
    return {
        "loop": {
            "id": loop.pk,
            "candidate": {"id": loop.candidate_id, "name": loop.candidate.name},
            "position": {"id": loop.position_id, "title": loop.position.title},
            "recruiter": loop.recruiter.username,
            "status": loop.status,
            "debrief_at": loop.debrief_at,
            "outcome": loop.outcome or None,
            "outcome_at": loop.outcome_at,
            "outcome_by": loop.outcome_by.username if loop.outcome_by is not None else None,
        },
        "decision": outcome.decision,
        "final": outcome.final,
        "reasons": list(outcome.reasons),
        "deciding": list(outcome.deciding),
        "decision_changed_at": loop.decision_changed_at,
        "hire_allowed": hire_allowed and loop.status == Loop.Status.OPEN,
    }


def vote_rows(interviews: list[Interview], deciding: set[str]) -> list[dict[str, Any]]:
    """One row per interview, in panel order: its vote once submitted, its note, how the vote moved from it."""
    rows = []
    for interview in interviews:
        scorecard = _scorecard(interview)
        submitted = _submitted(interview)
        note = _note(interview)
        vote = submitted.vote if submitted is not None else None
        rows.append(
            {
                "interview": interview.pk,
                "interviewer": interview.interviewer.username,
                "name": _display_name(interview),
                "counts_toward_decision": interview.counts_toward_decision,
                "bar_raiser": interview.bar_raiser,
                "rubric": interview.rubric_id,
                "focus": list(interview.focus or ()),
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
                "amended": submitted is not None and submitted.amended_at is not None,
                "amended_at": submitted.amended_at if submitted is not None else None,
                "summary": submitted.summary if submitted is not None else None,
                "deciding": interview.interviewer.username in deciding,
                "note": {
                    "status": None,  # the clock's: at_time
                    "vote": note.vote if note is not None else None,
                    "submitted_at": note.submitted_at if note is not None else None,
                    "due_at": note.due_at if note is not None else interview.note_due_at,
                },
                "vote_shift": vote_shift(note.vote if note is not None else None, vote),
            }
        )
    return rows


def vote_scores(
    interview: Interview, dimensions: list[tuple[Any, ...]], scores: dict[int, list[Any]]
) -> dict[str, float | None]:
    """A submitted scorecard's plain mean and (where its rubric's weights differ) weighted score, from the
    dimension rows (rubric_id, order, id, key, name, critical, weight, rubric name, version, key) and the scores
    already read (no query)."""
    if _submitted(interview) is None:
        return {"mean_score": None, "weighted_score": None}
    specs = [
        DimensionSpec(key=key, name=name, critical=critical, weight=weight)
        for rubric_id, _order, _id, key, name, critical, weight, *_ in dimensions
        if rubric_id == interview.rubric_id
    ]
    given = {score.dimension.key: score.score for score in scores.get(_scorecard_id(interview), [])}
    plain, weighted = mean_score(dimensions=specs, scores=given), weighted_score(dimensions=specs, scores=given)
    return {  # plain numbers: the document is stored and sent as JSON
        "mean_score": float(plain) if plain is not None else None,
        "weighted_score": float(weighted) if weighted is not None else None,
    }


def dimension_rows(
    dimensions: list[tuple[Any, ...]],
    submitted: list[Interview],
    scores: dict[int, list[Any]],
    rubric_order: list[int],
) -> list[dict[str, Any]]:
    """One row per dimension key, grouped by rubric (`rubric_order`: the position's first, then each other rubric
    as the panel first pins it; each in its order), with every submitted score in panel order. A key two rubrics
    share is one row, under the first rubric that has it (`rubric`). Mean and min are per key over the scorecards
    that count and scored it: a shadow's score is shown, not weighed.
    """
    rank = {rubric_id: position for position, rubric_id in enumerate(rubric_order)}
    rows: dict[str, dict[str, Any]] = {}
    for rubric, _order, _id, key, name, critical, *_ in sorted(
        dimensions, key=lambda d: (rank.get(d[0], len(rank)), d[1], d[2])
    ):
        rows.setdefault(key, {"key": key, "name": name, "critical": critical, "rubric": rubric, "scores": []})
    for interview in submitted:
        for score in scores.get(_scorecard_id(interview), []):
            dimension = score.dimension
            row = rows.setdefault(
                dimension.key,
                {
                    "key": dimension.key,
                    "name": dimension.name,
                    "critical": dimension.critical,
                    "rubric": None,
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


def rubric_rows(dimensions: list[tuple[Any, ...]], rubric_order: list[int]) -> list[dict[str, Any]]:
    """The rubric versions the debrief's dimensions come from, in group order: `{id, key, name, version}`."""
    named = {d[0]: (d[7], d[8], d[9]) for d in dimensions}
    return [
        {"id": rubric, "key": named[rubric][2], "name": named[rubric][0], "version": named[rubric][1]}
        for rubric in rubric_order
        if rubric in named
    ]


def coverage_section(
    dimensions: list[tuple[Any, ...]],
    rows: list[dict[str, Any]],
    interviews: list[Interview],
    scores: dict[int, list[Any]],
) -> dict[str, list[Any]]:
    """`aggregation.coverage` over the rubrics the panel pins: per dimension key, who had it in focus and who scored
    it on a submitted scorecard, and the gaps (a cancelled interview covers nothing)."""
    panel = [interview for interview in interviews if interview.cancelled_at is None]
    pinned = {interview.rubric_id for interview in panel}
    rubrics_of: dict[str, list[int]] = {}
    for rubric, _order, _id, key, *_ in dimensions:
        if rubric in pinned:
            rubrics_of.setdefault(key, []).append(rubric)
    return coverage(
        [
            LoopDimension(
                key=row["key"],
                name=row["name"],
                rubric=row["rubric"] if row["rubric"] in rubrics_of[row["key"]] else rubrics_of[row["key"]][0],
                rubrics=tuple(rubrics_of[row["key"]]),
            )
            for row in rows
            if row["key"] in rubrics_of
        ],
        [
            SeatCoverage(
                interviewer=interview.interviewer.username,
                rubric=interview.rubric_id,
                focus=tuple(interview.focus or ()),
                scored=tuple(score.dimension.key for score in scores.get(_scorecard_id(interview), []))
                if _submitted(interview) is not None
                else (),
            )
            for interview in panel
        ],
    )


def leniency_terms(interviews: list[Interview], scores: dict[int, list[Any]]) -> dict[int, Term]:
    """The loop's part of each interviewer's leniency (`calibration.loop_terms`, by interviewer id), over the
    scorecards calibration counts: submitted, of interviews that count and are not cancelled."""
    counting = [
        interview
        for interview in interviews
        if interview.counts_toward_decision and interview.cancelled_at is None and _submitted(interview) is not None
    ]
    return loop_terms(
        (interview.interviewer_id, card_mean(score.score for score in scores.get(_scorecard_id(interview), [])))
        for interview in counting
    )


def red_flag_rows(submitted: list[Interview]) -> list[dict[str, Any]]:
    """Each red flag raised, with who raised it and their evidence: the most raised first, then the rubric's order."""
    marks = _parts_by_scorecard(
        RedFlagMark.objects.filter(scorecard__in=_scorecard_ids(submitted)).select_related("red_flag")
    )
    raised = [(mark, interview) for interview in submitted for mark in marks.get(_scorecard_id(interview), [])]
    rows: dict[str, dict[str, Any]] = {}
    for mark, interview in sorted(raised, key=lambda pair: (pair[0].red_flag.order, pair[0].red_flag.key)):
        flag = mark.red_flag
        row = rows.setdefault(flag.key, {"key": flag.key, "name": flag.name, "count": 0, "raised_by": []})
        row["count"] += 1
        row["raised_by"].append(
            {
                "interviewer": interview.interviewer.username,
                "evidence": mark.evidence,
                "counts_toward_decision": interview.counts_toward_decision,
            }
        )
    return sorted(rows.values(), key=lambda row: -row["count"])


def thread_rows(submitted: list[Interview]) -> list[dict[str, Any]]:
    """Each thread pulled, in the rubric's order, with each interviewer's signal and notes."""
    pulls = _parts_by_scorecard(
        ThreadPulled.objects.filter(scorecard__in=_scorecard_ids(submitted)).select_related("thread")
    )
    pulled = [(pull, interview) for interview in submitted for pull in pulls.get(_scorecard_id(interview), [])]
    rows: dict[str, dict[str, Any]] = {}
    for pull, interview in sorted(pulled, key=lambda pair: (pair[0].thread.order, pair[0].thread.key)):
        thread = pull.thread
        row = rows.setdefault(thread.key, {"key": thread.key, "title": thread.title, "pulled": []})
        row["pulled"].append(
            {"interviewer": interview.interviewer.username, "signal": pull.signal or None, "notes": pull.notes}
        )
    return list(rows.values())


def note_rows(interviews: list[Interview]) -> list[dict[str, Any]]:
    """The five-minute notes written, in panel order, each on time or late."""
    rows = []
    for interview in interviews:
        note = _note(interview)
        if note is None:
            continue
        rows.append(
            {
                "interviewer": interview.interviewer.username,
                "name": _display_name(interview),
                "best_thing": note.best_thing,
                "biggest_concern": note.biggest_concern,
                "vote": note.vote,
                "want_to_work_with": note.want_to_work_with,
                "submitted_at": note.submitted_at,
                "status": "on_time" if note.submitted_at <= note.due_at else "late",
            }
        )
    return rows


def missing_rows(interviews: list[Interview]) -> list[dict[str, Any]]:
    """The scorecards the decision waits for (counting, not submitted), each due SCORECARD_DUE_HOURS after the end.
    A shadow's shows in `votes`, never as missing. How overdue each is, is the clock's (at_time)."""
    rows = []
    for interview in interviews:
        if not interview.counts_toward_decision or _submitted(interview) is not None:
            continue
        scorecard = _scorecard(interview)
        ended_at = interview.ended_at
        rows.append(
            {
                "interviewer": interview.interviewer.username,
                "name": _display_name(interview),
                "counts_toward_decision": interview.counts_toward_decision,
                "scorecard_status": scorecard.status if scorecard is not None else "not_started",
                "scheduled_start": interview.scheduled_start,
                "ended_at": ended_at,
                "scorecard_due_at": deadlines.scorecard_due_at(ended_at),
                "overdue_seconds": None,  # the clock's: at_time
            }
        )
    return rows


def counts(interviews: list[Interview]) -> Counts:
    notes = [(interview, _note(interview)) for interview in interviews]
    return Counts(
        interview_count=len(interviews),
        ended_count=sum(1 for interview in interviews if interview.ended_at is not None),
        submitted_count=sum(1 for interview in interviews if _submitted(interview) is not None),
        missing_count=sum(
            1 for interview in interviews if interview.counts_toward_decision and _submitted(interview) is None
        ),
        late_note_count=sum(1 for _, note in notes if note is not None and note.submitted_at > note.due_at),
        open_note_deadlines=sorted(
            due for interview, note in notes if note is None and (due := interview.note_due_at) is not None
        ),
    )


# --- Reading: what the clock adds (pure) ----------------------------------------------------------------------------


def at_time(document: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The stored document (the API's JSON) as it reads at `now`: each note's status (`not_due`, `due`, `missing`
    while unwritten) and each missing scorecard's `overdue_seconds`. The stored document is left as it was."""
    return {
        **document,
        "votes": [{**vote, "note": {**vote["note"], "status": _note_status(vote, now)}} for vote in document["votes"]],
        "missing": [
            {**row, "overdue_seconds": overdue_seconds(_time(row["scorecard_due_at"]), now)}
            for row in document["missing"]
        ],
    }


def row_at_time(row: dict[str, Any], open_note_deadlines: list[str], now: datetime) -> dict[str, Any]:
    """A stored loops-list row at `now`: its `late_count` (notes written late) plus the notes now overdue."""
    overdue = bisect_left([datetime.fromisoformat(due) for due in open_note_deadlines], now)
    return {**row, "late_count": row["late_count"] + overdue} if overdue else row


def overdue_seconds(due_at: datetime | None, now: datetime) -> int:
    return max(0, int((now - due_at).total_seconds())) if due_at is not None else 0


# The document's times, by key, as the API writes them (ISO 8601); `with_times` reads them back for the pages.
TIMES = frozenset(
    {
        "debrief_at", "outcome_at", "decision_changed_at", "created_at", "scheduled_start", "scheduled_end",
        "ended_at", "cancelled_at", "submitted_at", "amended_at", "due_at", "scorecard_due_at",
    }
)  # fmt: skip


def with_times(value: Any) -> Any:
    """The document (or a list row) with its times as aware datetimes, for a template's date filters."""
    if isinstance(value, dict):
        return {
            key: _time(item) if key in TIMES and isinstance(item, str) else with_times(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [with_times(item) for item in value]
    return value


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def stage(*, status: str, decision: str, interview_count: int, ended_count: int, submitted_count: int) -> str:
    """Where a loop stands: a final decision is ready for debrief at once (a No decides before the rest are in)."""
    if status == Loop.Status.CLOSED:
        return "closed"
    if not interview_count:
        return "scheduling"
    if decision != Decision.PENDING or submitted_count >= interview_count:
        return "debrief"
    if ended_count < interview_count:
        return "interviewing"
    return "scorecards"


def vote_shift(note_vote: str | None, scorecard_vote: str | None) -> dict[str, Any] | None:
    """How far the considered vote moved from the first impression (steps up positive, down negative)."""
    if note_vote not in VOTES or scorecard_vote not in VOTES:
        return None
    steps = vote_index(str(scorecard_vote)) - vote_index(str(note_vote))
    return {"from": note_vote, "to": scorecard_vote, "steps": steps}


def _note_status(vote: dict[str, Any], now: datetime) -> str:
    note = vote["note"]
    return note_status(
        ended_at=_time(vote["ended_at"]),
        note_due_at=_time(note["due_at"]),
        note_submitted_at=_time(note["submitted_at"]),
        now=now,
    )


# --- Small readers of the loaded rows --------------------------------------------------------------------------------


def _scorecard(interview: Interview) -> Scorecard | None:
    return getattr(interview, "scorecard", None)


def _submitted(interview: Interview) -> Scorecard | None:
    scorecard = _scorecard(interview)
    return scorecard if scorecard is not None and scorecard.status == SUBMITTED else None


def _note(interview: Interview) -> Any:
    return getattr(interview, "note", None)


def _scorecard_id(interview: Interview) -> int:
    scorecard = _scorecard(interview)
    assert scorecard is not None
    return scorecard.pk


def _scorecard_ids(interviews: list[Interview]) -> list[int]:
    return [_scorecard_id(interview) for interview in interviews]


def _parts_by_scorecard(parts: Any) -> dict[int, list[Any]]:
    by_scorecard: dict[int, list[Any]] = {}
    for part in parts:
        by_scorecard.setdefault(part.scorecard_id, []).append(part)
    return by_scorecard


def _display_name(interview: Interview) -> str:
    return interview.interviewer.get_full_name() or interview.interviewer.username


def panel_vote(
    interviewer: str, *, counts_toward_decision: bool, scorecard_status: str | None, scorecard_vote: str | None
) -> PanelVote:
    """An interview's PanelVote from its scorecard's status and vote (None: no scorecard): a draft's vote is never
    read."""
    submitted = scorecard_status == SUBMITTED
    return PanelVote(
        interviewer=interviewer,
        counts_toward_decision=counts_toward_decision,
        submitted=submitted,
        vote=scorecard_vote if submitted else None,
    )


def panel_from_interviews(interviews: list[Interview]) -> list[PanelVote]:
    """PanelVotes from interviews loaded with their interviewer and scorecard (no query of its own)."""
    panel = []
    for interview in interviews:
        scorecard = _scorecard(interview)
        panel.append(
            panel_vote(
                interview.interviewer.username,
                counts_toward_decision=interview.counts_toward_decision,
                scorecard_status=scorecard.status if scorecard is not None else None,
                scorecard_vote=scorecard.vote if scorecard is not None else None,
            )
        )
    return panel
