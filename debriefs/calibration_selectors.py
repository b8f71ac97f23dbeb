"""What calibration reads from the database, and who may read it (DESIGN.md, "Calibration").

The formulas are `debriefs.calibration` (pure); this module only fetches the plain columns they take, in a fixed
number of queries whatever the data:

- `interviewer_calibration`: the analytics rows (the API, the `/analytics/` page and its CSV). Two small queries
  fingerprint everything the figures read; rows for an unchanged fingerprint come from the cache, else five queries
  compute them (`compute_calibration`): the scorecards with their interview, note and loop; their score counts,
  grouped in SQL; their red-flag counts; the interviewers' names; the rubrics' dimension counts.
- `with_leniency`: the debrief's overlay, each score's leniency-adjusted value and each vote's leniency: one query
  (none when nobody has submitted), the sum of the panel members' stored terms (`LeniencyTerm`: each loop's part of
  each interviewer's leniency, written with the loop's debrief). It only adds fields: the decision, the tally,
  means and lows stay the raw scores'.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
)
from django.utils import timezone

from debriefs.calibration import (
    SCORES,
    Leniency,
    ScorecardFacts,
    Term,
    adjusted_score,
    focus_counts,
    interviewer_rows,
    leniency_of_terms,
    rounded,
)
from interviewloop.errors import Forbidden
from interviewloop.models import Interview, Loop
from interviewloop.roles import is_interviewer, is_recruiter
from scorecards.models import Dimension, DimensionScore, RedFlagMark, Scorecard

SUBMITTED = Scorecard.Status.SUBMITTED
logger = logging.getLogger(__name__)

# An interview's focus (its dimension keys; empty: all of its rubric's), read as one more column when the model
# has the field. Wiring a differently named field is this one line.
FOCUS_COLUMNS: tuple[str, ...] = ("focus",) if hasattr(Interview, "focus") else ()


def interview_focus_keys(focus: Sequence[str] | None, rubric_keys: Sequence[str]) -> tuple[str, ...]:
    """The dimension keys an interview was assigned: its focus, or every key of its rubric when it has none."""
    return tuple(focus) if focus else tuple(rubric_keys)


@dataclass(frozen=True)
class Window:
    """Which scorecards count: submitted on or after `since`, on or before `until` (days, in the site's zone),
    of loops for `position` (None: any)."""

    since: date | None = None
    until: date | None = None
    position: int | None = None


def may_read_calibration(user: Any) -> None:
    """Recruiters read every interviewer's row, an interviewer their own; anyone else is refused."""
    if not (is_recruiter(user) or is_interviewer(user)):
        raise Forbidden("Calibration is for recruiters, and for interviewers about themselves.")


def counting_scorecards(window: Window) -> QuerySet[Scorecard]:
    """Submitted scorecards of interviews that count (a shadow's or a cancelled one's never do), in the window."""
    cards = Scorecard.objects.filter(
        status=SUBMITTED, interview__counts_toward_decision=True, interview__cancelled_at__isnull=True
    )
    if window.since is not None:
        cards = cards.filter(submitted_at__gte=_start_of(window.since))
    if window.until is not None:
        cards = cards.filter(submitted_at__lt=_start_of(window.until + timedelta(days=1)))
    if window.position is not None:
        cards = cards.filter(interview__loop__position_id=window.position)
    return cards


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


_CARD_COLUMNS = (
    "id", "interview__loop_id", "interview__interviewer_id", "interview__rubric_id", "vote", "interview__note__vote",
    "interview__loop__status", "interview__loop__outcome",
)  # fmt: skip
_CARD_FIGURES = {
    "to_note": ExpressionWrapper(F("interview__note__submitted_at") - F("interview__ended_at"), DurationField()),
    "to_scorecard": ExpressionWrapper(F("submitted_at") - F("interview__ended_at"), DurationField()),
    "note_on_time": ExpressionWrapper(
        Q(interview__note__submitted_at__lte=F("interview__note__due_at")), output_field=BooleanField()
    ),
}
# How many dimensions each scorecard scored 1, 2, 3, 4 and 5 (its mean and the distribution at once), grouped in SQL
# over the scores table alone: a scorecard's scores are never fetched one by one, nor joined to its other columns.
_SCORE_COUNTS = {f"scored_{score}": Count("id", filter=Q(score=score)) for score in SCORES}


def interviewer_calibration(user: Any, window: Window) -> list[dict[str, Any]]:
    """The calibration rows `user` may read (`may_read_calibration`): every interviewer's for a recruiter, their own
    for an interviewer, always computed against everyone's scorecards in the window (`everyone_calibration`)."""
    may_read_calibration(user)
    rows = everyone_calibration(window)
    if is_recruiter(user):
        return rows
    return [row for row in rows if row["interviewer"] == user.username]


def everyone_calibration(window: Window) -> list[dict[str, Any]]:
    """Every interviewer's row for the window, from the cache while nothing it reads has changed.

    One query (`calibration_fingerprint`) says whether anything did; only then are the rows computed again
    (`compute_calibration`). Set ANALYTICS_CACHE_SECONDS=0 to compute them on every read.
    """
    seconds = settings.ANALYTICS_CACHE_SECONDS
    if not seconds:
        return compute_calibration(window)
    state = f"{window.since}:{window.until}:{window.position}:{calibration_fingerprint()}"
    key = "calibration:v1:" + hashlib.sha256(state.encode()).hexdigest()
    try:
        cached = cache.get(key)
    except Exception:  # any cache backend's outage (redis-py, pymemcache... each raise their own): compute instead
        logger.warning("calibration: the cache is unavailable; computing the rows", exc_info=True)
        return compute_calibration(window)
    if cached is not None:
        return cached
    rows = compute_calibration(window)
    try:
        cache.set(key, rows, seconds)
    except Exception:  # as above: the rows are right, only not kept
        logger.warning("calibration: the cache is unavailable; the rows are not kept", exc_info=True)
    return rows


def calibration_fingerprint() -> str:
    """What changes whenever a calibration figure can (two small queries): the submitted scorecards (how many, the
    latest change: a submission or an amendment touches `updated_at`), the interviews that count (a shadow made to
    count or not, a cancel), and the recorded outcomes (how many, the latest)."""
    cards = Scorecard.objects.filter(status=SUBMITTED).aggregate(count=Count("id"), latest=Max("updated_at"))
    loops = Loop.objects.aggregate(
        counting=Count(
            "interviews", filter=Q(interviews__counts_toward_decision=True, interviews__cancelled_at__isnull=True)
        ),
        recorded=Count("id", distinct=True, filter=Q(outcome_at__isnull=False)),
        latest=Max("outcome_at"),
    )
    return ":".join(str(value) for value in (*cards.values(), *loops.values()))


def compute_calibration(window: Window) -> list[dict[str, Any]]:
    """Every interviewer's row for the window, computed now. Five queries whatever the data (six once interviews
    carry a focus): the scorecards with their times and loop; their score counts; their red-flag counts; the
    interviewers' names; the number of dimensions of each rubric (an interview's default focus)."""
    cards = counting_scorecards(window)
    figures = tuple(_CARD_FIGURES)
    rows = list(
        cards.annotate(**_CARD_FIGURES).values_list(
            *_CARD_COLUMNS, *figures, *(f"interview__{column}" for column in FOCUS_COLUMNS)
        )
    )
    ids = cards.values("id")
    counts = {
        row[0]: tuple(row[1:])
        for row in DimensionScore.objects.filter(scorecard_id__in=ids)
        .values("scorecard_id")
        .annotate(**_SCORE_COUNTS)
        .values_list("scorecard_id", *_SCORE_COUNTS)
    }
    flags = dict(
        RedFlagMark.objects.filter(scorecard_id__in=ids)
        .values("scorecard_id")
        .annotate(count=Count("id"))
        .values_list("scorecard_id", "count")
    )
    people = {
        pk: (username, f"{first_name} {last_name}".strip() or username)
        for pk, username, first_name, last_name in get_user_model()
        .objects.filter(pk__in=cards.values("interview__interviewer_id"))
        .values_list("pk", "username", "first_name", "last_name")
    }
    dimension_counts = dict(
        Dimension.objects.filter(rubric_id__in=cards.values("interview__rubric_id"))
        .values("rubric_id")
        .annotate(count=Count("id"))
        .values_list("rubric_id", "count")
    )
    focused = _focused_scores(cards) if FOCUS_COLUMNS else {}

    facts = []
    nothing = (0,) * len(SCORES)
    for row in rows:
        pk, loop_id, interviewer_id, rubric_id, vote, note_vote, loop_status, outcome = row[:8]
        to_note, to_scorecard, note_on_time = row[8:11]
        focus = row[11] if FOCUS_COLUMNS else None
        score_counts = counts.get(pk, nothing)
        if focus:
            assigned, scored = focus_counts(interview_focus_keys(focus, ()), focused.get(pk, ()))
        else:  # every dimension of the rubric is in focus, and a scorecard scores only its rubric's
            assigned, scored = dimension_counts.get(rubric_id, 0), sum(score_counts)
        facts.append(
            ScorecardFacts(
                interviewer=people[interviewer_id][0],
                loop=loop_id,
                vote=vote,
                score_counts=score_counts,
                focus_assigned=assigned,
                focus_scored=scored,
                red_flags=flags.get(pk, 0),
                seconds_to_note=to_note.total_seconds() if to_note is not None else None,
                seconds_to_scorecard=to_scorecard.total_seconds() if to_scorecard is not None else None,
                note_on_time=note_on_time if note_vote is not None else None,
                note_vote=note_vote,
                outcome=(outcome or None) if loop_status == Loop.Status.CLOSED else None,
            )
        )
    return interviewer_rows(facts, names=dict(people.values()))


def _focused_scores(cards: QuerySet[Scorecard]) -> dict[int, list[str]]:
    """The keys each scorecard of a focused interview scored (only those need them: the others count all)."""
    scored: dict[int, list[str]] = defaultdict(list)
    rows = (
        DimensionScore.objects.filter(scorecard_id__in=cards.values("id"), score__isnull=False)
        .exclude(**{f"scorecard__interview__{FOCUS_COLUMNS[0]}": []})
        .values_list("scorecard_id", "dimension__key")
    )
    for scorecard_id, key in rows:
        scored[scorecard_id].append(key)
    return scored


# --- The debrief's overlay -------------------------------------------------------------------------------


# The panel's stored terms summed per interviewer (debriefs.LeniencyTerm, auth's User).
PANEL_TERMS_SQL = (
    "SELECT u.username, SUM(t.difference), SUM(t.n) FROM debriefs_leniencyterm t "
    "JOIN auth_user u ON u.id = t.interviewer_id WHERE u.username IN ({names}) GROUP BY u.username"
)


def panel_leniency(usernames: Sequence[str]) -> dict[str, Leniency]:
    """Each interviewer's leniency over their whole history (every loop, every position): the sum of their stored
    terms (`LeniencyTerm`, written with each loop's debrief), one GROUP BY over the panel's rows by interviewer."""
    if not usernames:
        return {}
    names = sorted(set(usernames))
    # In SQL: every debrief read asks, and Django takes 0.48 ms of CPU to build this GROUP BY as
    # `LeniencyTerm.objects.filter(interviewer__username__in=...).values_list(...).annotate(Sum, Sum)` against 0.09
    # ms written out (in-process on the bench database, 1,000 calls each; `make bench`: see the commit).
    with connection.cursor() as cursor:
        cursor.execute(
            PANEL_TERMS_SQL.format(names=", ".join(["%s"] * len(names))),  # one placeholder per name
            names,
        )
        rows = cursor.fetchall()
    standing = {username: leniency_of_terms([Term(difference, n)]) for username, difference, n in rows}
    return {username: standing.get(username, Leniency(None, 0)) for username in usernames}


def with_leniency(debrief: dict[str, Any]) -> dict[str, Any]:
    """The debrief with each submitted vote's `leniency` and `leniency_n`, and each score's `adjusted` value (score -
    leniency where `leniency_n` ≥ MIN_LENIENCY_HISTORY, else None). Adds fields, changes none: the decision rule
    never reads an adjusted score."""
    submitted = [vote["interviewer"] for vote in debrief["votes"] if vote.get("scorecard_status") == SUBMITTED]
    standing = panel_leniency(submitted)
    for vote in debrief["votes"]:
        mine = standing.get(vote["interviewer"])
        vote["leniency"] = rounded(mine.value) if mine is not None else None
        vote["leniency_n"] = mine.n if mine is not None else 0
    for dimension in debrief["dimensions"]:
        for entry in dimension["scores"]:
            entry["adjusted"] = adjusted_score(entry["score"], standing.get(entry["interviewer"]))
    return debrief
