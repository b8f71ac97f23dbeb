"""Calibration: how each interviewer scores, on time and against the panel (DESIGN.md, "Calibration").

Pure functions on plain values: no Django, no ORM, no request. `debriefs.calibration_selectors` reads the
columns these need and calls them, for the analytics API, its page and CSV, and the debrief's leniency-adjusted
scores; the tests call them directly on hand-computed examples and with hypothesis properties.

The figures, per interviewer, over the submitted scorecards of counting interviews they are given:

- `scorecards`, `votes` (count per vote), `yes_rate` (share of yes/strong_yes) and `yes_rate_deviation` (theirs
  minus everyone's: the share over every scorecard given, not a mean of rates);
- `leniency`: the mean, over their scorecards that had another one to compare with, of (their scorecard's mean
  dimension score minus the mean of the other scorecards' mean dimension scores in the same loop); `leniency_n`
  is how many scorecards that mean is over (`leniency` is None when it is 0). Each scorecard weighs the same
  (a mean of means), so in every loop the deviations sum to zero. It is the sum of each loop's `Term`
  (`loop_terms`), which the debrief stores per loop and interviewer for its overlay;
- `adherence`: focus dimensions scored / focus dimensions assigned (pooled over their scorecards);
- `agreement`: share of their votes on closed loops on the side of the recorded outcome;
- `note_on_time_rate` (a scorecard without its note counts as not on time), `time_to_note` and `time_to_scorecard` (`{median, p90}` seconds from `ended_at`),
  `vote_shift` (`{up, down, same}` from the note's vote to the scorecard's), `red_flags_per_scorecard`.

Numbers are rounded to 3 decimals only on the way out (`interviewer_rows`, `adjusted_score`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

from scorecards.rules import VOTES

YES_VOTES: tuple[str, ...] = ("yes", "strong_yes")
NO_VOTES: tuple[str, ...] = ("strong_no", "no")
SCORES: tuple[int, ...] = (1, 2, 3, 4, 5)
# The debrief adjusts a score for its interviewer's leniency only with this much history behind it: below it, one
# unusual panel would swing the adjustment (a study of 207 interviewers found leniency a stable trait, measured
# over many ratings: Roberts et al., Medical Education 44(7), 2010).
MIN_LENIENCY_HISTORY = 5
DECIMALS = 3


class ScorecardFacts(NamedTuple):
    """One submitted scorecard of a counting interview, as calibration reads it (a tuple: thousands are built)."""

    interviewer: str
    loop: int
    vote: str
    score_counts: tuple[int, ...] = (0, 0, 0, 0, 0)  # how many dimensions it scored 1, 2, 3, 4 and 5
    focus_assigned: int = 0  # focus dimensions assigned to the interview (all of its rubric's by default)
    focus_scored: int = 0  # of which it scored
    red_flags: int = 0
    seconds_to_note: float | None = None  # from the interview's end to the five-minute note (None: no note)
    seconds_to_scorecard: float | None = None  # from the interview's end to the submission
    note_on_time: bool | None = None  # None: no note
    note_vote: str | None = None
    outcome: str | None = None  # the recorded outcome ("hire" / "no_hire") once the loop is closed, else None

    @property
    def mean(self) -> float | None:
        """The scorecard's mean dimension score (None: nothing scored)."""
        ones, twos, threes, fours, fives = self.score_counts
        scored = ones + twos + threes + fours + fives
        if not scored:
            return None
        return (ones + 2 * twos + 3 * threes + 4 * fours + 5 * fives) / scored


def score_counts_of(scores: Iterable[int]) -> tuple[int, ...]:
    """`ScorecardFacts.score_counts` from the scores themselves (1-5)."""
    values = list(scores)
    return tuple(values.count(score) for score in SCORES)


class Scored(NamedTuple):
    """What leniency reads of a scorecard: whose, in which loop, and its mean dimension score (None: none scored)."""

    interviewer: str
    loop: int
    mean: float | None


class Leniency(NamedTuple):
    value: float | None  # unrounded; None when nothing to compare with
    n: int


class Term(NamedTuple):
    """One loop's part of an interviewer's leniency (stored per loop and interviewer: `debriefs.LeniencyTerm`)."""

    difference: float  # the sum, over their scorecards compared in the loop, of (their mean - the others' mean)
    n: int  # how many of their scorecards in the loop had another to compare with


K = TypeVar("K", bound=Hashable)  # who an interviewer is: a username here, a user id in the stored terms


def mean_score(scores: Iterable[float]) -> float | None:
    values = list(scores)
    return sum(values) / len(values) if values else None


def loop_terms(cards: Iterable[tuple[K, float | None]]) -> dict[K, Term]:
    """One loop's part of each of its interviewers' leniency, from its counting submitted scorecards as
    (interviewer, mean dimension score; None when nothing was scored).

    Each scorecard with a mean is compared with the mean of the other scorecards' means; one without a mean, or
    alone with one, has nothing to compare with (n 0). Every interviewer given has a term, if only `Term(0.0, 0)`.
    The terms do not depend on the cards' order, so the debrief's write and the migration's backfill agree.
    """
    given = list(cards)
    terms = {interviewer: Term(0.0, 0) for interviewer, _ in given}
    scored = [(interviewer, mean) for interviewer, mean in given if mean is not None]
    others = len(scored) - 1
    if others < 1:
        return terms
    total = math.fsum(mean for _, mean in scored)  # exactly rounded: the same whatever order the cards come in
    for interviewer, mean in scored:
        difference, n = terms[interviewer]
        terms[interviewer] = Term(difference + (mean - (total - mean) / others), n + 1)
    return terms


def leniency_of_terms(terms: Iterable[Term]) -> Leniency:
    """An interviewer's leniency from their terms of every loop (`loop_terms`): the differences' sum over n."""
    difference, n = 0.0, 0
    for term in terms:
        difference += term.difference
        n += term.n
    return Leniency(difference / n, n) if n else Leniency(None, 0)


def leniency(scored: Iterable[Scored]) -> dict[str, Leniency]:
    """Per interviewer: the mean of (their mean - the mean of the other scorecards' means in the same loop), the sum
    of their terms of each loop (`loop_terms`) over the scorecards those compared.

    A scorecard without a score, or alone in its loop, has nothing to compare with: it is left out (and does not
    count in `n`). Interviewers who have only such scorecards get `Leniency(None, 0)`.
    """
    by_loop: dict[int, list[tuple[str, float | None]]] = defaultdict(list)
    for card in scored:
        by_loop[card.loop].append((card.interviewer, card.mean))
    mine: dict[str, list[Term]] = defaultdict(list)
    for cards in by_loop.values():
        for interviewer, term in loop_terms(cards).items():
            mine[interviewer].append(term)
    return {interviewer: leniency_of_terms(terms) for interviewer, terms in mine.items()}


def percentile(ordered: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of sorted values, interpolated between the closest ranks (as numpy's default)."""
    if not ordered:
        raise ValueError("no values")
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def spread(seconds: Iterable[float]) -> dict[str, float | None]:
    """`{median, p90}` of durations in seconds, rounded; both None when there are none."""
    ordered = sorted(seconds)
    if not ordered:
        return {"median": None, "p90": None}
    return {"median": rounded(percentile(ordered, 50)), "p90": rounded(percentile(ordered, 90))}


def vote_shift(note_vote: str | None, scorecard_vote: str) -> str | None:
    """ "up", "down" or "same" from the five-minute note's vote to the scorecard's; None without both."""
    if note_vote not in VOTES or scorecard_vote not in VOTES:
        return None
    steps = VOTES.index(scorecard_vote) - VOTES.index(str(note_vote))
    return "up" if steps > 0 else "down" if steps < 0 else "same"


def agrees(vote: str, outcome: str | None) -> bool | None:
    """Whether a vote is on the side of the recorded outcome; None when the loop has no recorded outcome."""
    if outcome == "hire":
        return vote in YES_VOTES
    if outcome == "no_hire":
        return vote in NO_VOTES
    return None


def focus_counts(focus: Iterable[str], scored: Iterable[str]) -> tuple[int, int]:
    """(focus dimensions assigned, of which scored), from the focus keys and the keys scored."""
    assigned = set(focus)
    return len(assigned), len(assigned & set(scored))


def rounded(value: float | None) -> float | None:
    if value is None:
        return None
    return round(value, DECIMALS) + 0.0  # + 0.0: never "-0.0"


def share(part: int, whole: int) -> float | None:
    return rounded(part / whole) if whole else None


def adjusted_score(score: int, standing: Leniency | None) -> float | None:
    """The score less its interviewer's leniency, when they have enough history (`MIN_LENIENCY_HISTORY`)."""
    if standing is None or standing.value is None or standing.n < MIN_LENIENCY_HISTORY:
        return None
    return rounded(score - standing.value)


def interviewer_rows(
    cards: Sequence[ScorecardFacts],
    *,
    names: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per interviewer with a scorecard among `cards`, ordered by name (`names`: username -> display name).

    An interviewer reading their own row still needs everyone's cards: leniency compares each scorecard with its
    loop's others, and the yes-rate deviation is against everyone's share.
    """
    names = names or {}
    scored = [Scored(card.interviewer, card.loop, card.mean) for card in cards]
    standing = leniency(scored)
    yes_everyone = sum(1 for card in cards if card.vote in YES_VOTES) / len(cards) if cards else 0.0
    mine: dict[str, list[tuple[ScorecardFacts, float | None]]] = defaultdict(list)
    for card, seen in zip(cards, scored, strict=True):
        mine[card.interviewer].append((card, seen.mean))
    rows = [
        _row(interviewer, own, standing[interviewer], yes_everyone, names.get(interviewer) or interviewer)
        for interviewer, own in mine.items()
    ]
    return sorted(rows, key=lambda row: (row["name"].lower(), row["interviewer"]))


def _row(
    interviewer: str,
    cards: list[tuple[ScorecardFacts, float | None]],
    standing: Leniency,
    yes_everyone: float,
    name: str,
) -> dict[str, Any]:
    votes = dict.fromkeys(VOTES, 0)
    shifts = {"up": 0, "down": 0, "same": 0}
    yes = assigned = scored = flags = on_time = agreeing = judged = 0
    to_note: list[float] = []
    to_scorecard: list[float] = []
    means: list[float] = []
    distribution = [0] * len(SCORES)
    for card, mean in cards:
        if card.vote in votes:
            votes[card.vote] += 1
        yes += card.vote in YES_VOTES
        distribution = [have + count for have, count in zip(distribution, card.score_counts, strict=True)]
        if mean is not None:
            means.append(mean)
        assigned += card.focus_assigned
        scored += card.focus_scored
        flags += card.red_flags
        on_time += bool(card.note_on_time)
        if card.seconds_to_note is not None:
            to_note.append(card.seconds_to_note)
        if card.seconds_to_scorecard is not None:
            to_scorecard.append(card.seconds_to_scorecard)
        if (shift := vote_shift(card.note_vote, card.vote)) is not None:
            shifts[shift] += 1
        if (agreed := agrees(card.vote, card.outcome)) is not None:
            judged += 1
            agreeing += agreed
    count = len(cards)
    yes_rate = yes / count
    return {
        "interviewer": interviewer,
        "name": name,
        "scorecards": count,
        "votes": votes,
        "yes_rate": rounded(yes_rate),
        "yes_rate_deviation": rounded(yes_rate - yes_everyone),
        "mean_score": rounded(mean_score(means)),
        "score_counts": {str(score): count for score, count in zip(SCORES, distribution, strict=True)},
        "leniency": rounded(standing.value),
        "leniency_n": standing.n,
        "adherence": share(scored, assigned),
        "agreement": share(agreeing, judged),
        "agreement_n": judged,
        "note_on_time_rate": share(on_time, count),
        "time_to_note": spread(to_note),
        "time_to_scorecard": spread(to_scorecard),
        "vote_shift": shifts,
        "red_flags_per_scorecard": share(flags, count),
    }


# --- The same rows, flat (the CSV download) ------------------------------------------------------------------

CSV_COLUMNS: tuple[str, ...] = (
    "interviewer", "name", "scorecards",
    *(f"votes_{vote}" for vote in VOTES),
    "yes_rate", "yes_rate_deviation", "mean_score",
    *(f"scores_{score}" for score in SCORES),
    "leniency", "leniency_n", "adherence", "agreement", "agreement_n", "note_on_time_rate",
    "time_to_note_median", "time_to_note_p90", "time_to_scorecard_median", "time_to_scorecard_p90",
    "vote_shift_up", "vote_shift_down", "vote_shift_same", "red_flags_per_scorecard",
)  # fmt: skip
# A cell a spreadsheet would run as a formula (OWASP's CSV injection): written with a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def flat_row(row: Mapping[str, Any]) -> list[Any]:
    """One calibration row in `CSV_COLUMNS`' order: nested figures flattened, None as an empty cell."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, Mapping):
            prefix = "scores" if key == "score_counts" else key
            flat.update({f"{prefix}_{inner}": figure for inner, figure in value.items()})
        else:
            flat[key] = value
    cells = []
    for column in CSV_COLUMNS:
        value = flat.get(column)
        if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
            value = "'" + value
        cells.append("" if value is None else value)
    return cells
