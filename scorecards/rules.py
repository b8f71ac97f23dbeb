"""The vote rules of the interviewer guide, as pure functions on plain values.

No Django here: the API, the web form, the admin and the tests all call these with plain values
(see DESIGN.md, "The rules"). Quotes in the messages are the guide's own words.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

# Lowest to highest. There is no neutral vote: "If you're not sure, it's a No."
VOTES: tuple[str, ...] = ("strong_no", "no", "yes", "strong_yes")
VOTE_LABELS: dict[str, str] = {"strong_no": "Strong No", "no": "No", "yes": "Yes", "strong_yes": "Strong Yes"}

GUT_ANSWERS: tuple[str, ...] = ("yes", "no", "not_sure")
GUT_ANSWER_LABELS: dict[str, str] = {"yes": "Yes", "no": "No", "not_sure": "Not sure"}
# "If answer to any is 'No' or 'Not sure,' your vote is No."
GUT_ANSWERS_CAPPING_AT_NO: tuple[str, ...] = ("no", "not_sure")

SIGNALS = ("great", "okay", "bad")

# The scores that need written evidence when the rubric asks for it.
EXTREME_SCORES: tuple[int, ...] = (1, 5)


@dataclass(frozen=True)
class DimensionSpec:
    key: str
    name: str
    critical: bool = False
    required: bool = True
    weight: Decimal = Decimal(1)  # only the weighted score reads it: weights never change the vote ceiling


@dataclass(frozen=True)
class Thresholds:
    """The rubric's rule thresholds; the defaults are the guide's."""

    red_flags_for_strong_no: int = 2
    ones_fraction_for_strong_no: float = 0.5
    yes_min_fraction_at_3: float = 0.5
    strong_yes_min_fraction_at_4: float = 0.5
    strong_yes_critical_min: int = 4
    evidence_required_for_extremes: bool = True


@dataclass(frozen=True)
class Reason:
    """One rule that caps the vote, with what is behind it."""

    rule: str
    ceiling: str
    message: str
    dimensions: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()
    gut_check: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "ceiling": self.ceiling,
            "message": self.message,
            "dimensions": list(self.dimensions),
            "red_flags": list(self.red_flags),
            "gut_check": list(self.gut_check),
        }


@dataclass(frozen=True)
class Ceiling:
    """The highest vote the scorecard allows, and every reason that lowers it (lowest ceiling first)."""

    max_allowed_vote: str
    reasons: tuple[Reason, ...]

    def allows(self, vote: str) -> bool:
        """Any vote at or below the ceiling is allowed; anything else (above it, or not a vote) is not."""
        return vote in VOTES and vote_index(vote) <= vote_index(self.max_allowed_vote)


@dataclass(frozen=True)
class Problem:
    """Something that keeps a scorecard from being submitted: "incomplete" or "evidence_required"."""

    code: str
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "message": self.message}


def vote_index(vote: str) -> int:
    """Position of a vote from lowest (0, strong_no) to highest (3, strong_yes)."""
    try:
        return VOTES.index(vote)
    except ValueError:
        raise ValueError(f"{vote!r} is not a vote; expected one of {', '.join(VOTES)}") from None


def lower_vote(a: str, b: str) -> str:
    return a if vote_index(a) <= vote_index(b) else b


def rubric_is_editable(status: str) -> bool:
    """Only a draft rubric may change; a published version is immutable (edit a new version instead)."""
    return status == "draft"


def vote_ceiling(
    *,
    dimensions: Sequence[DimensionSpec],
    scores: Mapping[str, int | None],
    red_flags: Collection[str],
    gut_check: Mapping[str, str | None],
    gut_check_questions: Mapping[str, str],
    thresholds: Thresholds = Thresholds(),
    red_flag_names: Mapping[str, str] | None = None,
) -> Ceiling:
    """The highest vote these scores, red flags and gut check allow, with every reason that lowers it.

    Only the rubric's dimensions that have a score count ("scored dimensions"); keys of ``scores``
    outside the rubric are ignored (they are validated elsewhere). With nothing scored the share rules
    do not apply: completeness asks for the scores. `gut_check_questions` are the rubric's, key → wording, in
    order: only their answers count (a rubric without any has no gut check to cap the vote).
    """
    scored = [(dimension, score) for dimension in dimensions if (score := scores.get(dimension.key)) is not None]
    flags = _ordered_flags(red_flags, red_flag_names)
    flag_names = red_flag_names or {}
    reasons: list[Reason] = []

    ones = [dimension for dimension, score in scored if score <= 1]
    critical_ones = [dimension for dimension in ones if dimension.critical]
    below_three = [dimension for dimension, score in scored if score < 3]
    below_four = [dimension for dimension, score in scored if score < 4]
    weak_critical = [
        (dimension, score)
        for dimension, score in scored
        if dimension.critical and score < thresholds.strong_yes_critical_min
    ]
    doubts = [key for key in gut_check_questions if gut_check.get(key) in GUT_ANSWERS_CAPPING_AT_NO]

    # A threshold below 1 would make every scorecard a Strong No; a Strong No needs at least one flag.
    if flags and len(flags) >= thresholds.red_flags_for_strong_no:
        reasons.append(
            Reason(
                rule="multiple_red_flags",
                ceiling="strong_no",
                message=(
                    f"{_count(len(flags), 'red flag')} ({_names(flags, flag_names)}): "
                    f"{thresholds.red_flags_for_strong_no} or more red flags is a Strong No regardless of other "
                    "signals (guide, Red Flags)."
                ),
                red_flags=flags,
            )
        )

    ones_share = _fraction(thresholds.ones_fraction_for_strong_no)
    if ones and _at_least(len(ones), len(scored), ones_share):
        reasons.append(
            Reason(
                rule="ones_across_the_board",
                ceiling="strong_no",
                message=(
                    f"{_of_the_scored(len(ones), len(scored))} at 1 ({_dimension_names(ones)}): "
                    f"1's across the board ({_share(ones_share)} or more) is a Strong No "
                    '(guide, Overall Vote: "Strong No: Multiple red flags or 1\'s across board").'
                ),
                dimensions=_keys(ones),
            )
        )

    if flags:
        reasons.append(
            Reason(
                rule="red_flag",
                ceiling="no",
                message=(
                    f"Red {'flag' if len(flags) == 1 else 'flags'} heard ({_names(flags, flag_names)}): "
                    "any red flag caps the vote at No "
                    '(guide, Overall Vote: "No: Any 1\'s in critical dimensions or red flags").'
                ),
                red_flags=flags,
            )
        )

    if critical_ones:
        reasons.append(
            Reason(
                rule="one_in_critical",
                ceiling="no",
                message=(
                    f"Critical {'dimension' if len(critical_ones) == 1 else 'dimensions'} scored 1 "
                    f"({_dimension_names(critical_ones)}): any 1 in a critical dimension caps the vote at No "
                    '(guide, Overall Vote: "No: Any 1\'s in critical dimensions or red flags").'
                ),
                dimensions=_keys(critical_ones),
            )
        )

    if doubts:
        answered = "; ".join(
            f'{GUT_ANSWER_LABELS[str(gut_check[key])]} to "{gut_check_questions[key]}"' for key in doubts
        )
        reasons.append(
            Reason(
                rule="gut_check",
                ceiling="no",
                message=(
                    f"Gut check answered {answered}: the vote is No "
                    "(guide, Final Gut Check: \"If answer to any is 'No' or 'Not sure,' your vote is No.\")."
                ),
                gut_check=tuple(doubts),
            )
        )

    if ones:
        reasons.append(
            Reason(
                rule="any_one",
                ceiling="no",
                message=(
                    f"{_dimension_names(ones)} {'is' if len(ones) == 1 else 'are'} scored 1: "
                    "a Yes has no 1's (guide, Overall Vote: \"Yes: Mostly 3-4's, no 1's\")."
                ),
                dimensions=_keys(ones),
            )
        )

    three_share = _fraction(thresholds.yes_min_fraction_at_3)
    at_three = len(scored) - len(below_three)
    if scored and not _at_least(at_three, len(scored), three_share):
        reasons.append(
            Reason(
                rule="not_mostly_three_plus",
                ceiling="no",
                message=(
                    f"{_of_the_scored(at_three, len(scored), only=True)} at 3 or more "
                    f"(below 3: {_dimension_names(below_three)}): a Yes needs {_share(three_share)} "
                    "or more at 3+ (guide, Overall Vote: \"Yes: Mostly 3-4's, no 1's\")."
                ),
                dimensions=_keys(below_three),
            )
        )

    if weak_critical:
        listed = ", ".join(f"{dimension.name} ({score})" for dimension, score in weak_critical)
        reasons.append(
            Reason(
                rule="critical_below_strong_yes",
                ceiling="yes",
                message=(
                    f"Critical {'dimension' if len(weak_critical) == 1 else 'dimensions'} below "
                    f"{thresholds.strong_yes_critical_min}: {listed}. A Strong Yes needs "
                    f"{thresholds.strong_yes_critical_min}+ in every critical dimension "
                    '(guide, Overall Vote: "Strong Yes: 4-5 on most dimensions, '
                    'especially Systems + Risk + Execution").'
                ),
                dimensions=tuple(dimension.key for dimension, _ in weak_critical),
            )
        )

    four_share = _fraction(thresholds.strong_yes_min_fraction_at_4)
    at_four = len(scored) - len(below_four)
    if scored and not _more_than(at_four, len(scored), four_share):
        reasons.append(
            Reason(
                rule="not_mostly_four_plus",
                ceiling="yes",
                message=(
                    f"{_of_the_scored(at_four, len(scored), only=True)} at 4 or more "
                    f"(below 4: {_dimension_names(below_four)}): a Strong Yes needs more than "
                    f'{_share(four_share)} at 4+ (guide, Overall Vote: "Strong Yes: 4-5 on most dimensions").'
                ),
                dimensions=_keys(below_four),
            )
        )

    # Stable sort: same-ceiling reasons keep the rule table's order.
    reasons.sort(key=lambda reason: vote_index(reason.ceiling))
    max_allowed_vote = reasons[0].ceiling if reasons else VOTES[-1]
    return Ceiling(max_allowed_vote=max_allowed_vote, reasons=tuple(reasons))


def completeness_problems(
    *,
    dimensions: Sequence[DimensionSpec],
    scores: Mapping[str, int | None],
    evidence: Mapping[str, str],
    gut_check: Mapping[str, str | None],
    gut_check_questions: Mapping[str, str],
    vote: str | None,
    thresholds: Thresholds = Thresholds(),
) -> list[Problem]:
    """What keeps the scorecard from being submitted: "incomplete" problems first, then "evidence_required".

    Every required dimension scored, every one of the rubric's `gut_check_questions` answered, a vote given.
    Score ranges and unknown keys are validated elsewhere.
    """
    incomplete: list[Problem] = []
    for dimension in dimensions:
        if dimension.required and scores.get(dimension.key) is None:
            incomplete.append(Problem("incomplete", f"scores.{dimension.key}", f"Score {dimension.name} from 1 to 5."))
    for key, question in gut_check_questions.items():
        if gut_check.get(key) not in GUT_ANSWERS:
            incomplete.append(
                Problem("incomplete", f"gut_check.{key}", f'Answer the gut check "{question}": Yes, No or Not sure.')
            )
    if vote not in VOTES:
        incomplete.append(
            Problem(
                "incomplete",
                "vote",
                "Give a vote: Strong Yes, Yes, No or Strong No. If you're not sure, it's a No.",
            )
        )

    missing_evidence: list[Problem] = []
    if thresholds.evidence_required_for_extremes:
        for dimension in dimensions:
            score = scores.get(dimension.key)
            if score in EXTREME_SCORES and not (evidence.get(dimension.key) or "").strip():
                missing_evidence.append(
                    Problem(
                        "evidence_required",
                        f"scores.{dimension.key}.evidence",
                        f"{dimension.name} is scored {score}: write the evidence behind a 1 or a 5.",
                    )
                )
    return incomplete + missing_evidence


SCORE_PLACES = Decimal("0.01")  # the mean and the weighted score are given to 2 decimals


def _two_places(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def mean_score(*, dimensions: Sequence[DimensionSpec], scores: Mapping[str, int | None]) -> Decimal | None:
    """The plain mean of the scored dimensions, 2 decimals; None with nothing scored."""
    scored = [score for dimension in dimensions if (score := scores.get(dimension.key)) is not None]
    return _two_places(Fraction(sum(scored), len(scored))) if scored else None


def weights_differ(dimensions: Sequence[DimensionSpec]) -> bool:
    """Whether the rubric weighs its dimensions differently (then a scorecard has a weighted score)."""
    return len({Decimal(dimension.weight) for dimension in dimensions}) > 1


def weighted_score(*, dimensions: Sequence[DimensionSpec], scores: Mapping[str, int | None]) -> Decimal | None:
    """Sum of weight * score over the scored dimensions / the sum of their weights, 2 decimals.

    None where the rubric's weights are all equal (the plain mean says it all), with nothing scored, or when
    the scored dimensions weigh nothing. Only a number beside the mean: the vote ceiling never reads weights.
    """
    if not weights_differ(dimensions):
        return None
    scored = [
        (Fraction(Decimal(dimension.weight)), score)
        for dimension in dimensions
        if (score := scores.get(dimension.key)) is not None and dimension.weight > 0  # no weight: not weighed
    ]
    total = sum((weight for weight, _ in scored), Fraction(0))
    if total <= 0:
        return None
    return _two_places(sum((weight * score for weight, score in scored), Fraction(0)) / total)


def _ordered_flags(red_flags: Collection[str], red_flag_names: Mapping[str, str] | None) -> tuple[str, ...]:
    """Each flag once: in the rubric's order when the names are given, else as given (sorted if unordered)."""
    given = list(dict.fromkeys(red_flags if isinstance(red_flags, Sequence) else sorted(red_flags)))
    if not red_flag_names:
        return tuple(given)
    rubric_order = {key: position for position, key in enumerate(red_flag_names)}
    return tuple(sorted(given, key=lambda key: rubric_order.get(key, len(rubric_order))))


def _fraction(value: float | Decimal | Fraction) -> Fraction:
    # repr() keeps a float threshold like 0.1 at exactly 1/10 rather than its binary approximation.
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _at_least(count: int, total: int, share: Fraction) -> bool:
    return count * share.denominator >= total * share.numerator


def _more_than(count: int, total: int, share: Fraction) -> bool:
    return count * share.denominator > total * share.numerator


def _share(share: Fraction) -> str:
    if share == Fraction(1, 2):
        return "half"
    if share == 1:
        return "all"
    return f"{float(share * 100):g}%"


def _of_the_scored(count: int, total: int, *, only: bool = False) -> str:
    """How many of the scored dimensions, as a sentence's subject and verb: "Only 2 of 5 scored dimensions are",
    "1 of 4 scored dimensions is", "None of the 3 scored dimensions is", "The only scored dimension is not"."""
    if total == 1:
        return "The only scored dimension is" if count == 1 else "The only scored dimension is not"
    if count == 0:
        return f"None of the {total} scored dimensions is"
    if count == total:
        return f"All {total} scored dimensions are"
    return f"{'Only ' if only else ''}{count} of {total} scored dimensions {'is' if count == 1 else 'are'}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _keys(dimensions: Sequence[DimensionSpec]) -> tuple[str, ...]:
    return tuple(dimension.key for dimension in dimensions)


def _dimension_names(dimensions: Sequence[DimensionSpec]) -> str:
    return ", ".join(dimension.name for dimension in dimensions)


def _names(keys: Sequence[str], names: Mapping[str, str]) -> str:
    return ", ".join(names.get(key) or key.replace("_", " ").capitalize() for key in keys)


# --- The interview's two deadlines ----------------------------------------------------------------
# Written once here; scorecards.deadlines binds them to their settings (and builds the one SQL form of the
# note's deadline), and every model, selector, serializer, stored Note.due_at and reminder goes through it.


def note_due_at(ended_at: datetime | None, *, window_minutes: float) -> datetime | None:
    """The five-minute note's deadline: `window_minutes` after the interview ended; None before it ends
    (DESIGN.md: `note_due_at = ended_at + 5 min`, a setting). Past the calendar's end: its last instant."""
    return None if ended_at is None else _later(ended_at, timedelta(minutes=window_minutes))


def scorecard_due_at(ended_at: datetime | None, *, due_hours: float) -> datetime | None:
    """When the scorecard is due: `due_hours` after the interview ended (DESIGN.md: `ended_at` + 24 h, the first
    `scorecard_overdue`); None before it ends. Past the calendar's end: its last instant."""
    return None if ended_at is None else _later(ended_at, timedelta(hours=due_hours))


def _later(moment: datetime, delta: timedelta) -> datetime:
    try:
        return moment + delta
    except OverflowError:
        return (datetime.max if delta > timedelta(0) else datetime.min).replace(tzinfo=moment.tzinfo)


# The five-minute note's state as every list, page and email shows it.
NOTE_STATUSES: tuple[str, ...] = ("not_due", "due", "on_time", "late", "missing")


def note_status(
    *, ended_at: datetime | None, note_due_at: datetime | None, note_submitted_at: datetime | None, now: datetime
) -> str:
    """`not_due` before the interview ends; then `due` until the deadline and `missing` after it, while no
    note is written; once written, `on_time` or `late` against the deadline (Post-Interview: "within 5 minutes").
    """
    if note_submitted_at is not None and note_due_at is not None:
        return "on_time" if note_submitted_at <= note_due_at else "late"
    if ended_at is None or note_due_at is None or ended_at > now:
        return "not_due"
    return "due" if now <= note_due_at else "missing"


def focus_specs(dimensions: Sequence[DimensionSpec], focus: Collection[str]) -> tuple[DimensionSpec, ...]:
    """The dimensions as an interview with `focus` is scored: its focus dimensions required, the others optional
    (DESIGN.md, "Every round of a loop": Focus). No focus (empty) is the rubric's own `required` flags."""
    if not focus:
        return tuple(dimensions)
    return tuple(replace(dimension, required=dimension.key in focus) for dimension in dimensions)


def effective_focus(focus: Sequence[str], dimension_keys: Sequence[str]) -> list[str]:
    """The dimension keys an interview has in focus: its `focus` (known keys, in the rubric's order), or all of the
    rubric's when it has none ("default: all"). Calibration's adherence and the debrief's coverage read this."""
    if not focus:
        return list(dimension_keys)
    return [key for key in dimension_keys if key in focus]
