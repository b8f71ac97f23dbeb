"""Panel reads: the decision's input and the reminders' audiences, read from the interviews (a query each)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from debriefs import reminder_rules
from debriefs.aggregation import PanelVote
from debriefs.documents import panel_vote
from interviewloop.models import Interview, Loop
from scorecards.models import Scorecard


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
