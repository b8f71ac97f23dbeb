"""The loop's decision under "One No = No Hire", as pure functions on plain values.

No Django here: the debrief API, the debrief page, the recruiter's decision and the reminders
all call these (see DESIGN.md, "The rules": Decision).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scorecards.rules import VOTE_LABELS, VOTES

DECISIONS: tuple[str, ...] = ("pending", "hire", "no_hire")
# "One No = No Hire": either of these on a counting scorecard decides the loop at once.
NO_VOTES: tuple[str, ...] = ("strong_no", "no")
YES_VOTES: tuple[str, ...] = ("yes", "strong_yes")


@dataclass(frozen=True)
class PanelVote:
    """One interview of the loop, as the decision sees it."""

    interviewer: str
    counts_toward_decision: bool
    submitted: bool
    vote: str | None  # the submitted vote; a draft's vote is never read


@dataclass(frozen=True)
class Outcome:
    decision: str  # "pending" | "hire" | "no_hire"
    reasons: tuple[str, ...]
    deciding: tuple[str, ...]  # counting interviewers whose No or Strong No made it a no_hire
    missing: tuple[str, ...]  # counting interviewers who have not submitted yet
    final: bool  # hire or no_hire


def decide(panel: Sequence[PanelVote]) -> Outcome:
    """The decision over the submitted scorecards of the interviews that count.

    Any No or Strong No is a no_hire at once, whatever is still missing ("One No = No Hire").
    A hire needs every counting interview submitted with a Yes or Strong Yes ("Everyone must say yes").
    Anything else, a panel with no counting interview included, is pending. Shadow interviews never count.
    """
    counting = [member for member in panel if member.counts_toward_decision]
    submitted = [member for member in counting if member.submitted]
    missing = _unique(member.interviewer for member in counting if not member.submitted)

    nos = [member for member in submitted if member.vote in NO_VOTES]
    if nos:
        return Outcome(
            decision="no_hire",
            reasons=_unique(
                f"{member.interviewer} voted {VOTE_LABELS[str(member.vote)]}: One No = No Hire." for member in nos
            ),
            deciding=_unique(member.interviewer for member in nos),
            missing=missing,
            final=True,
        )

    if not counting:
        return Outcome(
            decision="pending",
            reasons=("No interview in this loop counts toward the decision yet.",),
            deciding=(),
            missing=(),
            final=False,
        )

    # A submitted scorecard should always carry a vote; if one does not, the loop cannot be a hire.
    without_vote = _unique(member.interviewer for member in submitted if member.vote not in YES_VOTES)
    if not missing and not without_vote:
        return Outcome(
            decision="hire",
            reasons=("Every interviewer voted Yes or Strong Yes.",),
            deciding=(),
            missing=(),
            final=True,
        )

    reasons: list[str] = []
    if missing:
        reasons.append(f"Waiting for scorecards from {', '.join(missing)}.")
    if without_vote:
        reasons.append(f"No vote on the submitted scorecard of {', '.join(without_vote)}.")
    return Outcome(decision="pending", reasons=tuple(reasons), deciding=(), missing=missing, final=False)


def tally(panel: Sequence[PanelVote]) -> dict[str, int]:
    """How many submitted counting scorecards gave each vote, every vote present, lowest first."""
    counts = dict.fromkeys(VOTES, 0)
    for member in panel:
        if member.counts_toward_decision and member.submitted and member.vote in counts:
            counts[member.vote] += 1
    return counts


def may_record(decision_now: str, requested: str) -> tuple[bool, str | None]:
    """Whether a recruiter may record ``requested`` while the rule gives ``decision_now``; else the error code.

    A no_hire may be recorded any time; nobody can record a hire against the rule.
    """
    if requested == "no_hire":
        return True, None
    if requested != "hire":
        return False, "invalid_decision"
    if decision_now == "hire":
        return True, None
    if decision_now == "no_hire":
        return False, "one_no_is_no_hire"
    return False, "decision_pending"


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


# --- Every round of a loop (DESIGN.md): coverage, rubric groups, the bar raiser -------------------------------


@dataclass(frozen=True)
class LoopDimension:
    """A dimension key of the loop: its name, the rubric it is shown under, and every rubric that has it."""

    key: str
    name: str
    rubric: int  # the rubric it is grouped under (the first that has it, the position's first)
    rubrics: tuple[int, ...]


@dataclass(frozen=True)
class SeatCoverage:
    """One interview of the loop as coverage reads it."""

    interviewer: str
    rubric: int  # the rubric version it pins
    focus: tuple[str, ...]  # its focus keys; empty: every dimension of its rubric ("default: all")
    scored: tuple[str, ...]  # the keys its SUBMITTED scorecard scored (empty before it is submitted)


def coverage(dimensions: Sequence[LoopDimension], seats: Sequence[SeatCoverage]) -> dict[str, list]:
    """Per dimension key of the loop, who had it in focus and who scored it; a dimension nobody scored is a gap.

    `dimensions`: the dimensions of the rubrics the panel pins, in the debrief's order. A seat has a key in focus
    when its rubric has the key and its focus names it (or it has no focus). `gaps` keeps the dimensions' order.
    """
    rows = []
    for dimension in dimensions:
        rows.append(
            {
                "key": dimension.key,
                "name": dimension.name,
                "rubric": dimension.rubric,
                "focus": list(
                    _unique(
                        seat.interviewer
                        for seat in seats
                        if seat.rubric in dimension.rubrics and (not seat.focus or dimension.key in seat.focus)
                    )
                ),
                "scored": list(_unique(seat.interviewer for seat in seats if dimension.key in seat.scored)),
            }
        )
    return {"dimensions": rows, "gaps": [row["key"] for row in rows if not row["scored"]]}


def group_by_rubric(rows: Sequence[Mapping[str, Any]], names: Mapping[int, str]) -> list[dict[str, Any]]:
    """Consecutive dimension rows (each with its `rubric` id) as heat-map groups `{rubric, name, span}`, in order.

    The rows come ordered by rubric (the debrief builds them so), so each rubric is one group; if they were not, a
    rubric seen again starts a new group rather than reordering the rows the page draws.
    """
    groups: list[dict[str, Any]] = []
    for row in rows:
        rubric = row["rubric"]
        if groups and groups[-1]["rubric"] == rubric:
            groups[-1]["span"] += 1
        else:
            groups.append({"rubric": rubric, "name": names.get(rubric, ""), "span": 1})
    return groups


# Who may read a loop's debrief (Independence: "an interviewer sees their own note and scorecard only, until they
# have submitted their scorecard; then they may see the loop's debrief. Recruiters see all loops.").
DEBRIEF_OPEN = "open"
DEBRIEF_WITHHELD = "withheld"  # on the panel, own scorecard not in: 403 on a page, no "ready" email
DEBRIEF_UNKNOWN = "unknown"  # neither recruiter nor on the panel: 404, as for a loop that does not exist


def debrief_access(*, recruiter: bool, on_panel: bool, own_submitted: bool) -> str:
    """Whether a debrief is open to its reader: the one rule the API, the pages and the emails follow.
    `recruiter`: the reader is a recruiter (an email's recipient: the loop's own recruiter)."""
    if recruiter:
        return DEBRIEF_OPEN
    if not on_panel:
        return DEBRIEF_UNKNOWN
    return DEBRIEF_OPEN if own_submitted else DEBRIEF_WITHHELD
