"""The debrief's leniency as it was computed before the stored terms: `calibration.leniency` over every submitted
scorecard of a counting, not cancelled interview in every loop the interviewers were on, read from the rows at
once. The tests hold the stored terms (`LeniencyTerm`, read by `calibration_selectors.panel_leniency`) to it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from django.db.models import Count, Q, Sum

from debriefs.calibration import Leniency, Scored, leniency
from debriefs.calibration_selectors import panel_leniency
from interviewloop.models import Interview
from scorecards.models import Scorecard

SUBMITTED = Scorecard.Status.SUBMITTED


def whole_history_rows(usernames: Sequence[str]) -> list[tuple[int, str, int | None, int]]:
    """(loop, interviewer, sum of scores, how many scored) of every counting submitted scorecard in the loops any of
    `usernames` submitted a counting scorecard in (the overlay's one query until the terms were stored)."""
    return list(
        Scorecard.objects.filter(
            status=SUBMITTED,
            interview__counts_toward_decision=True,
            interview__cancelled_at__isnull=True,
            interview__loop_id__in=Interview.objects.filter(
                interviewer__username__in=usernames,
                counts_toward_decision=True,
                cancelled_at__isnull=True,
                scorecard__status=SUBMITTED,
            ).values("loop_id"),
        )
        .values_list("interview__loop_id", "interview__interviewer__username")
        .annotate(total=Sum("scores__score"), scored=Count("scores__score", filter=Q(scores__score__isnull=False)))
        .order_by()
    )


def whole_history_leniency(usernames: Sequence[str]) -> dict[str, Leniency]:
    standing = leniency(
        Scored(username, loop_id, total / scored if scored and total is not None else None)
        for loop_id, username, total, scored in whole_history_rows(usernames)
    )
    return {username: standing.get(username, Leniency(None, 0)) for username in usernames}


def assert_same_leniency(got: Mapping[str, Leniency], expected: Mapping[str, Leniency], context: object = None) -> None:
    """Equal counts and values (to 1e-9: SQL sums the stored terms in its own order)."""
    assert {who: standing.n for who, standing in got.items()} == {
        who: standing.n for who, standing in expected.items()
    }, context
    for who, standing in expected.items():
        value = got[who].value
        if standing.value is None:
            assert value is None, (who, context)
        else:
            assert value is not None and math.isclose(value, standing.value, abs_tol=1e-9), (
                who,
                value,
                standing,
                context,
            )


def assert_stored_leniency_is_the_whole_historys(usernames: Sequence[str], context: object = None) -> None:
    assert_same_leniency(panel_leniency(usernames), whole_history_leniency(usernames), context)
