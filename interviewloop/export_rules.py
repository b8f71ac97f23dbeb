"""Export rules, on plain values (no Django): our votes and 1-5 scores in Greenhouse Harvest's words, and CSV cells
that a spreadsheet will not run as formulas.

Harvest's scorecard (`GET /v1/applications/{id}/scorecards`) says `overall_recommendation` in five words and rates
each attribute on five levels; the mapping, documented in the README:

| ours | Harvest `overall_recommendation` |      | score | Harvest rating |
|---|---|---|---|---|
| `strong_no` | `definitely_not` |           | 1 | `definitely_not` |
| `no` | `no` |                             | 2 | `no` |
| `yes` | `yes` |                           | 3 | `mixed` |
| `strong_yes` | `strong_yes` |             | 4 | `yes` |
| not submitted | `no_decision` |            | 5 | `strong_yes` |

An unscored (optional) dimension is rated `no_decision` and listed under no level of `ratings`.
"""

from __future__ import annotations

from collections.abc import Iterable

RECOMMENDATIONS = ("definitely_not", "no", "yes", "strong_yes", "no_decision")
RATING_LEVELS = ("definitely_not", "no", "mixed", "yes", "strong_yes")
ATTRIBUTE_RATINGS = (*RATING_LEVELS, "no_decision")
NO_DECISION = "no_decision"

VOTE_TO_RECOMMENDATION = {"strong_no": "definitely_not", "no": "no", "yes": "yes", "strong_yes": "strong_yes"}
SCORE_TO_RATING = dict(zip(range(1, 6), RATING_LEVELS, strict=True))

# What a spreadsheet reads as the start of a formula (OWASP "CSV Injection"): = + - @, and tab / carriage return,
# which some programs strip before looking.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def overall_recommendation(*, submitted: bool, vote: str) -> str:
    """Harvest's word for a scorecard's vote; a scorecard not submitted (a draft, or none yet) has no decision."""
    if not submitted:
        return NO_DECISION
    return VOTE_TO_RECOMMENDATION[vote]


def rating_for_score(score: int | None) -> str:
    """Harvest's level for a 1-5 dimension score; `no_decision` when unscored."""
    if score is None:
        return NO_DECISION
    return SCORE_TO_RATING[score]


def ratings_by_level(scores: Iterable[tuple[str, int | None]]) -> dict[str, list[str]]:
    """Harvest's `ratings`: each level with the names of the attributes rated at it, in the order given."""
    levels: dict[str, list[str]] = {level: [] for level in RATING_LEVELS}
    for name, score in scores:
        if score is not None:
            levels[SCORE_TO_RATING[score]].append(name)
    return levels


def csv_cell(value: object) -> object:
    """A value as a CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe (shown as
    text, the formula not run); numbers and empty cells are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
