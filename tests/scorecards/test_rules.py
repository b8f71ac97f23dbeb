"""The vote ceiling and completeness rules: the guide's examples, then hypothesis properties.

Pure functions: no database and no Django (these run with ``-p no:django`` too).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecards.rules import (
    GUT_ANSWERS,
    VOTE_LABELS,
    VOTES,
    Ceiling,
    DimensionSpec,
    Problem,
    Reason,
    Thresholds,
    completeness_problems,
    lower_vote,
    mean_score,
    note_status,
    rubric_is_editable,
    vote_ceiling,
    vote_index,
    weighted_score,
    weights_differ,
)

# The guide's default rubric (Scoring Framework): critical are Systems + Risk + Execution; Experience is a bonus.
GUIDE_DIMENSIONS = (
    DimensionSpec("systems_thinking", "Systems Thinking", critical=True),
    DimensionSpec("customer_empathy", "Customer Empathy"),
    DimensionSpec("measurement", "Measurement"),
    DimensionSpec("risk_management", "Risk Management", critical=True),
    DimensionSpec("execution_bias", "Execution Bias", critical=True),
    DimensionSpec("communication", "Communication"),
    DimensionSpec("humility", "Humility"),
    DimensionSpec("experience", "Experience", required=False),
)
DIMENSION_KEYS = tuple(dimension.key for dimension in GUIDE_DIMENSIONS)
RED_FLAG_NAMES = {
    "buzzword_soup": "Buzzword soup",
    "no_curiosity": "No curiosity",
    "overconfident": "Overconfident",
    "no_failure_mode": "No failure mode",
    "production_blindness": "Production blindness",
    "defensive": "Defensive",
    "name_dropping": "Name-dropping",
    "analysis_paralysis": "Analysis paralysis",
}
# The guide's "Final Gut Check" questions (a rubric's own data: these are the guide rubric's).
GUT_CHECK_QUESTIONS = {
    "work_with": "Would I want to work with this person?",
    "trust_day_one": "Would I trust them to own LLM reliability on Day 1?",
    "month_one_success": "Do I believe they'll hit Month 1 success criteria?",
}
GUT_CHECK_KEYS = tuple(GUT_CHECK_QUESTIONS)
ALL_YES = dict.fromkeys(GUT_CHECK_KEYS, "yes")
GUIDE_THRESHOLDS = Thresholds()

# Hypothesis keeps no example database: these tests leave nothing behind in the tree.
properties = settings(database=None, max_examples=300, deadline=None)


def scores_with(base: int | None = 4, **overrides: int | None) -> dict[str, int | None]:
    """Every guide dimension at ``base``, except the ones named."""
    unknown = set(overrides) - set(DIMENSION_KEYS)
    assert not unknown, unknown
    return {**dict.fromkeys(DIMENSION_KEYS, base), **overrides}


def ceiling_for(
    scores: dict[str, int | None],
    red_flags: tuple[str, ...] = (),
    gut_check: dict[str, str | None] | None = None,
    thresholds: Thresholds = GUIDE_THRESHOLDS,
) -> Ceiling:
    return vote_ceiling(
        dimensions=GUIDE_DIMENSIONS,
        scores=scores,
        red_flags=red_flags,
        gut_check=ALL_YES if gut_check is None else gut_check,
        gut_check_questions=GUT_CHECK_QUESTIONS,
        thresholds=thresholds,
        red_flag_names=RED_FLAG_NAMES,
    )


def rules_of(ceiling: Ceiling) -> list[str]:
    return [reason.rule for reason in ceiling.reasons]


def reason(ceiling: Ceiling, rule: str) -> Reason:
    (found,) = [reason for reason in ceiling.reasons if reason.rule == rule]
    return found


# --- Vote ceiling: the guide's examples -----------------------------------------------------------


def test_fours_everywhere_with_no_concerns_allow_strong_yes():
    ceiling = ceiling_for(scores_with(4))

    assert ceiling == Ceiling(max_allowed_vote="strong_yes", reasons=())


def test_two_red_flags_are_a_strong_no_regardless_of_other_signals():
    # given: a perfect score sheet
    scores = scores_with(5)

    # when
    ceiling = ceiling_for(scores, red_flags=("buzzword_soup", "overconfident"))

    # then
    assert ceiling.max_allowed_vote == "strong_no"
    assert rules_of(ceiling) == ["multiple_red_flags", "red_flag"]
    assert reason(ceiling, "multiple_red_flags").red_flags == ("buzzword_soup", "overconfident")
    assert reason(ceiling, "multiple_red_flags").ceiling == "strong_no"


def test_one_red_flag_caps_the_vote_at_no():
    ceiling = ceiling_for(scores_with(5), red_flags=("production_blindness",))

    assert ceiling.max_allowed_vote == "no"
    assert ceiling.reasons == (
        Reason(
            rule="red_flag",
            ceiling="no",
            message=(
                "Red flag heard (Production blindness): any red flag caps the vote at No "
                '(guide, Overall Vote: "No: Any 1\'s in critical dimensions or red flags").'
            ),
            red_flags=("production_blindness",),
        ),
    )


def test_the_same_red_flag_twice_counts_once():
    ceiling = ceiling_for(scores_with(5), red_flags=("defensive", "defensive"))

    assert ceiling.max_allowed_vote == "no"
    assert reason(ceiling, "red_flag").red_flags == ("defensive",)


def test_red_flags_are_listed_in_rubric_order():
    ceiling = ceiling_for(scores_with(5), red_flags=("analysis_paralysis", "buzzword_soup", "defensive"))

    assert reason(ceiling, "multiple_red_flags").red_flags == ("buzzword_soup", "defensive", "analysis_paralysis")


@pytest.mark.parametrize(
    ("flag_count", "expected"),
    [(1, "no"), (2, "no"), (3, "strong_no"), (4, "strong_no")],
)
def test_red_flags_for_strong_no_comes_from_the_rubric(flag_count, expected):
    # given: a rubric that needs three red flags for a Strong No
    thresholds = Thresholds(red_flags_for_strong_no=3)
    flags = tuple(RED_FLAG_NAMES)[:flag_count]

    # when
    ceiling = ceiling_for(scores_with(5), red_flags=flags, thresholds=thresholds)

    # then
    assert ceiling.max_allowed_vote == expected
    assert ("multiple_red_flags" in rules_of(ceiling)) is (expected == "strong_no")


def test_exactly_half_the_dimensions_at_1_is_a_strong_no():
    # given: four of the eight dimensions at 1, none of them critical
    scores = scores_with(5, customer_empathy=1, measurement=1, communication=1, humility=1)

    # when
    ceiling = ceiling_for(scores)

    # then: half at 3+ is still "mostly", half at 4+ is not "most"
    assert ceiling.max_allowed_vote == "strong_no"
    assert rules_of(ceiling) == ["ones_across_the_board", "any_one", "not_mostly_four_plus"]
    assert reason(ceiling, "ones_across_the_board").dimensions == (
        "customer_empathy",
        "measurement",
        "communication",
        "humility",
    )


def test_just_under_half_the_dimensions_at_1_is_not_a_strong_no():
    # given: three of eight at 1
    scores = scores_with(5, customer_empathy=1, measurement=1, communication=1)

    # when
    ceiling = ceiling_for(scores)

    # then
    assert ceiling.max_allowed_vote == "no"
    assert rules_of(ceiling) == ["any_one"]
    assert reason(ceiling, "any_one").dimensions == ("customer_empathy", "measurement", "communication")


def test_ones_across_the_board_counts_only_scored_dimensions():
    # given: Experience unscored, so 4 of the 7 scored dimensions are at 1 (more than half) ...
    four_of_seven = scores_with(5, experience=None, customer_empathy=1, measurement=1, communication=1, humility=1)
    # ... and 3 of 7 (less than half)
    three_of_seven = scores_with(5, experience=None, customer_empathy=1, measurement=1, communication=1)

    # then
    assert ceiling_for(four_of_seven).max_allowed_vote == "strong_no"
    assert ceiling_for(three_of_seven).max_allowed_vote == "no"


def test_ones_fraction_for_strong_no_comes_from_the_rubric():
    # given: a rubric where a quarter of the dimensions at 1 is already "across the board"
    thresholds = Thresholds(ones_fraction_for_strong_no=0.25)

    # when
    two_ones = ceiling_for(scores_with(5, customer_empathy=1, humility=1), thresholds=thresholds)
    one_one = ceiling_for(scores_with(5, humility=1), thresholds=thresholds)

    # then
    assert two_ones.max_allowed_vote == "strong_no"
    assert one_one.max_allowed_vote == "no"


def test_a_1_in_a_critical_dimension_caps_the_vote_at_no():
    ceiling = ceiling_for(scores_with(5, risk_management=1))

    assert ceiling.max_allowed_vote == "no"
    assert rules_of(ceiling) == ["one_in_critical", "any_one", "critical_below_strong_yes"]
    assert reason(ceiling, "one_in_critical").dimensions == ("risk_management",)
    assert reason(ceiling, "critical_below_strong_yes").ceiling == "yes"


def test_a_1_in_any_dimension_caps_the_vote_at_no():
    # "Yes: Mostly 3-4's, no 1's"
    ceiling = ceiling_for(scores_with(5, communication=1))

    assert ceiling.max_allowed_vote == "no"
    assert ceiling.reasons == (
        Reason(
            rule="any_one",
            ceiling="no",
            message=(
                "Communication is scored 1: a Yes has no 1's (guide, Overall Vote: \"Yes: Mostly 3-4's, no 1's\")."
            ),
            dimensions=("communication",),
        ),
    )


def test_a_1_in_the_bonus_dimension_still_caps_the_vote_at_no():
    ceiling = ceiling_for(scores_with(5, experience=1))

    assert ceiling.max_allowed_vote == "no"
    assert rules_of(ceiling) == ["any_one"]


@pytest.mark.parametrize("answer", ["no", "not_sure"])
@pytest.mark.parametrize("question", GUT_CHECK_KEYS)
def test_a_no_or_not_sure_gut_check_makes_the_vote_no(question, answer):
    # given: a strong score sheet, but one doubt
    gut_check = {**ALL_YES, question: answer}

    # when
    ceiling = ceiling_for(scores_with(5), gut_check=gut_check)

    # then: "If answer to any is 'No' or 'Not sure,' your vote is No."
    assert ceiling.max_allowed_vote == "no"
    assert rules_of(ceiling) == ["gut_check"]
    assert reason(ceiling, "gut_check").gut_check == (question,)


def test_gut_check_reason_quotes_the_questions_in_doubt():
    gut_check = {"work_with": "yes", "trust_day_one": "not_sure", "month_one_success": "no"}

    ceiling = ceiling_for(scores_with(5), gut_check=gut_check)

    assert ceiling.reasons == (
        Reason(
            rule="gut_check",
            ceiling="no",
            message=(
                'Gut check answered Not sure to "Would I trust them to own LLM reliability on Day 1?"; '
                'No to "Do I believe they\'ll hit Month 1 success criteria?": the vote is No '
                "(guide, Final Gut Check: \"If answer to any is 'No' or 'Not sure,' your vote is No.\")."
            ),
            gut_check=("trust_day_one", "month_one_success"),
        ),
    )


def test_an_unanswered_gut_check_does_not_lower_the_ceiling():
    # Completeness asks for the answer; the ceiling is about what was said.
    ceiling = ceiling_for(scores_with(5), gut_check={"work_with": "yes"})

    assert ceiling.max_allowed_vote == "strong_yes"


def test_fewer_than_half_the_dimensions_at_3_or_more_caps_the_vote_at_no():
    # given: the critical three at 5, the other five at 2
    scores = scores_with(2, systems_thinking=5, risk_management=5, execution_bias=5)

    # when
    ceiling = ceiling_for(scores)

    # then
    assert ceiling.max_allowed_vote == "no"
    assert rules_of(ceiling) == ["not_mostly_three_plus", "not_mostly_four_plus"]
    assert reason(ceiling, "not_mostly_three_plus").dimensions == (
        "customer_empathy",
        "measurement",
        "communication",
        "humility",
        "experience",
    )


def test_exactly_half_the_dimensions_at_3_or_more_allows_yes():
    # given: four of eight at 4 (the criticals and Communication), four at 2
    scores = scores_with(2, systems_thinking=4, risk_management=4, execution_bias=4, communication=4)

    # when
    ceiling = ceiling_for(scores)

    # then: half is "mostly 3-4's", but not "4-5 on most"
    assert ceiling.max_allowed_vote == "yes"
    assert ceiling.allows("yes")
    assert rules_of(ceiling) == ["not_mostly_four_plus"]


def test_a_critical_dimension_at_3_caps_a_strong_yes_at_yes():
    # "Strong Yes: 4-5 on most dimensions, especially Systems + Risk + Execution"
    ceiling = ceiling_for(scores_with(5, risk_management=3))

    assert ceiling.max_allowed_vote == "yes"
    assert ceiling.reasons == (
        Reason(
            rule="critical_below_strong_yes",
            ceiling="yes",
            message=(
                "Critical dimension below 4: Risk Management (3). A Strong Yes needs 4+ in every critical "
                'dimension (guide, Overall Vote: "Strong Yes: 4-5 on most dimensions, especially '
                'Systems + Risk + Execution").'
            ),
            dimensions=("risk_management",),
        ),
    )


def test_strong_yes_critical_min_comes_from_the_rubric():
    thresholds = Thresholds(strong_yes_critical_min=5)

    ceiling = ceiling_for(scores_with(5, systems_thinking=4), thresholds=thresholds)

    assert ceiling.max_allowed_vote == "yes"
    assert reason(ceiling, "critical_below_strong_yes").dimensions == ("systems_thinking",)


def test_exactly_half_the_dimensions_at_4_or_more_caps_a_strong_yes_at_yes():
    # given: the criticals and Humility at 4, the other four at 3
    scores = scores_with(3, systems_thinking=4, risk_management=4, execution_bias=4, humility=4)

    # when
    ceiling = ceiling_for(scores)

    # then: "most" means more than half
    assert ceiling.max_allowed_vote == "yes"
    assert rules_of(ceiling) == ["not_mostly_four_plus"]
    assert reason(ceiling, "not_mostly_four_plus").dimensions == (
        "customer_empathy",
        "measurement",
        "communication",
        "experience",
    )


def test_more_than_half_at_4_or_more_with_criticals_at_4_allows_strong_yes():
    # given: five of eight at 4 including the criticals, three at 3
    scores = scores_with(3, systems_thinking=4, risk_management=4, execution_bias=4, humility=4, communication=4)

    # when
    ceiling = ceiling_for(scores)

    # then
    assert ceiling == Ceiling(max_allowed_vote="strong_yes", reasons=())


def test_unscored_experience_is_left_out_of_the_shares():
    # given: 4 of the 7 scored dimensions at 4+ (more than half), Experience unscored
    scores = scores_with(3, systems_thinking=4, risk_management=4, execution_bias=4, humility=4, experience=None)

    assert ceiling_for(scores).max_allowed_vote == "strong_yes"


def test_every_applicable_reason_is_listed_lowest_ceiling_first():
    # given: everything wrong at once
    scores = scores_with(2, systems_thinking=1, customer_empathy=1, measurement=1, communication=1)
    gut_check = {**ALL_YES, "work_with": "not_sure"}

    # when
    ceiling = ceiling_for(scores, red_flags=("no_failure_mode", "name_dropping"), gut_check=gut_check)

    # then: every rule of the table, in the table's order
    assert ceiling.max_allowed_vote == "strong_no"
    assert rules_of(ceiling) == [
        "multiple_red_flags",
        "ones_across_the_board",
        "red_flag",
        "one_in_critical",
        "gut_check",
        "any_one",
        "not_mostly_three_plus",
        "critical_below_strong_yes",
        "not_mostly_four_plus",
    ]
    assert [reason.ceiling for reason in ceiling.reasons] == ["strong_no"] * 2 + ["no"] * 5 + ["yes"] * 2


def test_reasons_name_the_dimensions_and_red_flags():
    scores = scores_with(5, systems_thinking=1, measurement=1, humility=1, communication=1)

    ceiling = ceiling_for(scores, red_flags=("buzzword_soup", "name_dropping"))

    assert reason(ceiling, "multiple_red_flags").message == (
        "2 red flags (Buzzword soup, Name-dropping): 2 or more red flags is a Strong No regardless of other "
        "signals (guide, Red Flags)."
    )
    assert reason(ceiling, "ones_across_the_board").message == (
        "4 of 8 scored dimensions are at 1 (Systems Thinking, Measurement, Communication, Humility): "
        "1's across the board (half or more) is a Strong No "
        '(guide, Overall Vote: "Strong No: Multiple red flags or 1\'s across board").'
    )
    assert reason(ceiling, "one_in_critical").message == (
        "Critical dimension scored 1 (Systems Thinking): any 1 in a critical dimension caps the vote at No "
        '(guide, Overall Vote: "No: Any 1\'s in critical dimensions or red flags").'
    )
    assert reason(ceiling, "not_mostly_four_plus").message == (
        "Only 4 of 8 scored dimensions are at 4 or more (below 4: Systems Thinking, Measurement, Communication, "
        'Humility): a Strong Yes needs more than half at 4+ (guide, Overall Vote: "Strong Yes: 4-5 on most '
        'dimensions").'
    )


def test_a_red_flag_without_a_name_is_named_from_its_key():
    ceiling = vote_ceiling(
        dimensions=GUIDE_DIMENSIONS,
        scores=scores_with(5),
        red_flags=["reads_from_notes"],
        gut_check=ALL_YES,
        gut_check_questions=GUT_CHECK_QUESTIONS,
    )

    assert "Reads from notes" in reason(ceiling, "red_flag").message


def test_reason_as_dict_is_json_ready():
    ceiling = ceiling_for(scores_with(5, risk_management=1), red_flags=("defensive",))

    payload = [reason.as_dict() for reason in ceiling.reasons]

    assert json.loads(json.dumps(payload)) == payload
    assert payload[0] == {
        "rule": "red_flag",
        "ceiling": "no",
        "message": reason(ceiling, "red_flag").message,
        "dimensions": [],
        "red_flags": ["defensive"],
        "gut_check": [],
    }
    assert payload[1]["dimensions"] == ["risk_management"]


def test_scores_outside_the_rubric_are_ignored():
    ceiling = ceiling_for({**scores_with(5), "charisma": 1})

    assert ceiling == Ceiling(max_allowed_vote="strong_yes", reasons=())


def test_nothing_scored_leaves_the_share_rules_out():
    # Completeness asks for the scores; an empty draft shows no share-based reasons.
    ceiling = ceiling_for(scores_with(None))

    assert ceiling == Ceiling(max_allowed_vote="strong_yes", reasons=())


def test_share_thresholds_compare_exactly():
    # given: a five-dimension rubric asking for 60% at 3+; 0.6 * 5 is 3.0000000000000004 in floats
    dimensions = GUIDE_DIMENSIONS[1:3] + GUIDE_DIMENSIONS[5:]
    scores = {"customer_empathy": 4, "measurement": 4, "communication": 4, "humility": 2, "experience": 2}
    thresholds = Thresholds(yes_min_fraction_at_3=0.6, strong_yes_min_fraction_at_4=0.6)

    # when
    ceiling = vote_ceiling(
        dimensions=dimensions,
        scores=scores,
        red_flags=(),
        gut_check=ALL_YES,
        gut_check_questions=GUT_CHECK_QUESTIONS,
        thresholds=thresholds,
    )

    # then: exactly 3 of 5 at 3+ is enough for a Yes; exactly 3 of 5 at 4+ is not more than 60%
    assert rules_of(ceiling) == ["not_mostly_four_plus"]
    assert ceiling.max_allowed_vote == "yes"


@pytest.mark.parametrize(
    ("max_allowed_vote", "allowed"),
    [
        ("strong_no", {"strong_no"}),
        ("no", {"strong_no", "no"}),
        ("yes", {"strong_no", "no", "yes"}),
        ("strong_yes", set(VOTES)),
    ],
)
def test_ceiling_allows_votes_at_or_below_it(max_allowed_vote, allowed):
    ceiling = Ceiling(max_allowed_vote=max_allowed_vote, reasons=())

    assert {vote for vote in VOTES if ceiling.allows(vote)} == allowed
    assert not ceiling.allows("maybe")


def test_votes_are_ordered_lowest_to_highest():
    assert [vote_index(vote) for vote in VOTES] == [0, 1, 2, 3]
    assert VOTE_LABELS == {"strong_no": "Strong No", "no": "No", "yes": "Yes", "strong_yes": "Strong Yes"}
    assert lower_vote("yes", "no") == "no"
    assert lower_vote("strong_no", "strong_yes") == "strong_no"
    assert lower_vote("yes", "yes") == "yes"


def test_an_unknown_vote_has_no_index():
    with pytest.raises(ValueError, match="'neutral' is not a vote"):
        vote_index("neutral")


@pytest.mark.parametrize(("status", "editable"), [("draft", True), ("published", False), ("retired", False)])
def test_only_a_draft_rubric_is_editable(status, editable):
    assert rubric_is_editable(status) is editable


# --- Completeness ---------------------------------------------------------------------------------


def complete_card(**overrides):
    card = {
        "dimensions": GUIDE_DIMENSIONS,
        "scores": scores_with(3),
        "evidence": {},
        "gut_check": dict(ALL_YES),
        "gut_check_questions": GUT_CHECK_QUESTIONS,
        "vote": "yes",
    }
    return {**card, **overrides}


def test_a_complete_scorecard_has_no_problems():
    assert completeness_problems(**complete_card()) == []


def test_a_missing_required_score_is_incomplete():
    problems = completeness_problems(**complete_card(scores=scores_with(3, measurement=None)))

    assert problems == [Problem("incomplete", "scores.measurement", "Score Measurement from 1 to 5.")]


def test_a_score_left_out_of_the_body_is_incomplete():
    scores = scores_with(3)
    del scores["humility"]

    problems = completeness_problems(**complete_card(scores=scores))

    assert [problem.field for problem in problems] == ["scores.humility"]


def test_unscored_experience_is_complete():
    # Experience is the guide's "bonus": not required.
    assert completeness_problems(**complete_card(scores=scores_with(3, experience=None))) == []


@pytest.mark.parametrize("answer", [None, "", "maybe"])
def test_an_unanswered_gut_check_question_is_incomplete(answer):
    gut_check = {**ALL_YES, "trust_day_one": answer}

    problems = completeness_problems(**complete_card(gut_check=gut_check))

    assert problems == [
        Problem(
            "incomplete",
            "gut_check.trust_day_one",
            'Answer the gut check "Would I trust them to own LLM reliability on Day 1?": Yes, No or Not sure.',
        )
    ]


def test_a_gut_check_question_left_out_is_incomplete():
    problems = completeness_problems(**complete_card(gut_check={"work_with": "yes"}))

    assert [problem.field for problem in problems] == ["gut_check.trust_day_one", "gut_check.month_one_success"]


@pytest.mark.parametrize("vote", [None, "", "neutral", "maybe"])
def test_a_missing_or_unknown_vote_is_incomplete(vote):
    problems = completeness_problems(**complete_card(vote=vote))

    assert problems == [
        Problem("incomplete", "vote", "Give a vote: Strong Yes, Yes, No or Strong No. If you're not sure, it's a No.")
    ]


@pytest.mark.parametrize("score", [1, 5])
@pytest.mark.parametrize("evidence", [{}, {"systems_thinking": ""}, {"systems_thinking": "  \n"}])
def test_a_1_or_a_5_needs_evidence(score, evidence):
    problems = completeness_problems(**complete_card(scores=scores_with(3, systems_thinking=score), evidence=evidence))

    assert problems == [
        Problem(
            "evidence_required",
            "scores.systems_thinking.evidence",
            f"Systems Thinking is scored {score}: write the evidence behind a 1 or a 5.",
        )
    ]


@pytest.mark.parametrize("score", [1, 5])
def test_a_1_or_a_5_with_evidence_is_complete(score):
    card = complete_card(
        scores=scores_with(3, systems_thinking=score), evidence={"systems_thinking": "Drew the feedback loop unasked."}
    )

    assert completeness_problems(**card) == []


@pytest.mark.parametrize("score", [2, 3, 4])
def test_scores_between_the_extremes_need_no_evidence(score):
    assert completeness_problems(**complete_card(scores=scores_with(score))) == []


def test_a_5_in_the_bonus_dimension_needs_evidence_too():
    problems = completeness_problems(**complete_card(scores=scores_with(3, experience=5)))

    assert [problem.field for problem in problems] == ["scores.experience.evidence"]


def test_evidence_is_not_required_when_the_rubric_turns_it_off():
    card = complete_card(scores=scores_with(3, humility=1, communication=5))

    problems = completeness_problems(**card, thresholds=Thresholds(evidence_required_for_extremes=False))

    assert problems == []


def test_incomplete_problems_come_before_evidence_problems():
    # given: an evidence problem, a missing score, a missing gut answer and no vote
    card = complete_card(
        scores=scores_with(3, customer_empathy=5, risk_management=None, humility=1),
        gut_check={**ALL_YES, "month_one_success": None},
        vote=None,
    )

    # when
    problems = completeness_problems(**card)

    # then
    assert [(problem.code, problem.field) for problem in problems] == [
        ("incomplete", "scores.risk_management"),
        ("incomplete", "gut_check.month_one_success"),
        ("incomplete", "vote"),
        ("evidence_required", "scores.customer_empathy.evidence"),
        ("evidence_required", "scores.humility.evidence"),
    ]
    assert problems[0].as_dict() == {
        "code": "incomplete",
        "field": "scores.risk_management",
        "message": "Score Risk Management from 1 to 5.",
    }


# --- Vote ceiling: properties ---------------------------------------------------------------------

score_values = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
score_sheets = st.fixed_dictionaries({key: score_values for key in DIMENSION_KEYS})
red_flag_sets = st.lists(st.sampled_from(tuple(RED_FLAG_NAMES)), unique=True, max_size=len(RED_FLAG_NAMES))
gut_checks = st.fixed_dictionaries({key: st.one_of(st.none(), st.sampled_from(GUT_ANSWERS)) for key in GUT_CHECK_KEYS})


@st.composite
def scored_dimension(draw, scores):
    """A dimension with a score above 1 in ``scores`` (to drop), and a lower score."""
    droppable = [key for key, score in scores.items() if score is not None and score > 1]
    key = draw(st.sampled_from(droppable))
    return key, draw(st.integers(min_value=1, max_value=scores[key] - 1))


@properties
@given(scores=score_sheets, red_flags=red_flag_sets, gut_check=gut_checks, data=st.data())
def test_ceiling_never_rises_when_a_score_drops(scores, red_flags, gut_check, data):
    # given
    droppable = [key for key, score in scores.items() if score is not None and score > 1]
    if not droppable:
        return
    before = ceiling_for(scores, tuple(red_flags), gut_check)
    key, lower = data.draw(scored_dimension(scores))

    # when
    after = ceiling_for({**scores, key: lower}, tuple(red_flags), gut_check)

    # then
    assert vote_index(after.max_allowed_vote) <= vote_index(before.max_allowed_vote)


@properties
@given(scores=score_sheets, red_flags=red_flag_sets, gut_check=gut_checks, data=st.data())
def test_ceiling_never_rises_when_a_red_flag_is_added(scores, red_flags, gut_check, data):
    others = [flag for flag in RED_FLAG_NAMES if flag not in red_flags]
    if not others:
        return
    before = ceiling_for(scores, tuple(red_flags), gut_check)
    added = data.draw(st.sampled_from(others))

    after = ceiling_for(scores, (*red_flags, added), gut_check)

    assert vote_index(after.max_allowed_vote) <= vote_index(before.max_allowed_vote)
    assert vote_index(after.max_allowed_vote) <= vote_index("no")


@properties
@given(
    scores=score_sheets,
    red_flags=red_flag_sets,
    gut_check=gut_checks,
    question=st.sampled_from(GUT_CHECK_KEYS),
    doubt=st.sampled_from(("no", "not_sure")),
)
def test_ceiling_never_rises_when_a_gut_answer_turns_to_doubt(scores, red_flags, gut_check, question, doubt):
    before = ceiling_for(scores, tuple(red_flags), gut_check)

    after = ceiling_for(scores, tuple(red_flags), {**gut_check, question: doubt})

    assert vote_index(after.max_allowed_vote) <= vote_index(before.max_allowed_vote)
    assert vote_index(after.max_allowed_vote) <= vote_index("no")


@properties
@given(scores=score_sheets, red_flags=red_flag_sets, gut_check=gut_checks, vote=st.sampled_from(VOTES))
def test_a_vote_is_allowed_exactly_when_it_is_at_or_below_the_ceiling(scores, red_flags, gut_check, vote):
    ceiling = ceiling_for(scores, tuple(red_flags), gut_check)

    assert ceiling.allows(vote) is (vote_index(vote) <= vote_index(ceiling.max_allowed_vote))


@properties
@given(scores=score_sheets, red_flags=red_flag_sets, gut_check=gut_checks)
def test_the_ceiling_is_the_lowest_of_its_reasons(scores, red_flags, gut_check):
    ceiling = ceiling_for(scores, tuple(red_flags), gut_check)

    ceilings = [vote_index(reason.ceiling) for reason in ceiling.reasons]
    assert ceilings == sorted(ceilings)
    assert vote_index(ceiling.max_allowed_vote) == min(ceilings, default=vote_index("strong_yes"))
    assert len(set(rules_of(ceiling))) == len(ceiling.reasons)
    assert all(reason.message for reason in ceiling.reasons)


@properties
@given(scores=score_sheets, red_flags=red_flag_sets, gut_check=gut_checks)
def test_strong_yes_only_without_flags_doubts_or_weak_scores(scores, red_flags, gut_check):
    ceiling = ceiling_for(scores, tuple(red_flags), gut_check)

    if ceiling.max_allowed_vote == "strong_yes":
        scored = [score for score in scores.values() if score is not None]
        assert not red_flags
        assert not {"no", "not_sure"} & set(gut_check.values())
        assert 1 not in scored
        assert all(
            scores[key] is None or scores[key] >= 4 for key in ("systems_thinking", "risk_management", "execution_bias")
        )
        assert not scored or 2 * sum(score >= 4 for score in scored) > len(scored)


# --- note_status -------------------------------------------------------------------------------

_END = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
_DUE = _END + timedelta(minutes=5)


@pytest.mark.parametrize(
    ("ended_at", "submitted_at", "now", "expected"),
    [
        (None, None, _END, "not_due"),
        (_END, None, _END - timedelta(seconds=1), "not_due"),  # an end time set ahead has not come yet
        (_END, None, _END, "due"),
        (_END, None, _DUE, "due"),  # the deadline itself is still on time
        (_END, None, _DUE + timedelta(seconds=1), "missing"),
        (_END, _DUE, _DUE + timedelta(hours=1), "on_time"),
        (_END, _DUE + timedelta(seconds=1), _DUE + timedelta(hours=1), "late"),
    ],
)
def test_note_status(ended_at, submitted_at, now, expected):
    due = ended_at + timedelta(minutes=5) if ended_at else None
    assert note_status(ended_at=ended_at, note_due_at=due, note_submitted_at=submitted_at, now=now) == expected


# --- Reasons read as a person would write them -------------------------------------------------------------------


def test_a_single_scored_dimension_is_named_as_the_only_one():
    # given only Systems Thinking scored, at 2
    ceiling = ceiling_for(scores_with(None, systems_thinking=2))
    # then the share rules speak of "the only scored dimension", never "0 of 1 scored dimension are"
    assert reason(ceiling, "not_mostly_three_plus").message.startswith(
        "The only scored dimension is not at 3 or more (below 3: Systems Thinking):"
    )
    assert reason(ceiling, "not_mostly_four_plus").message.startswith(
        "The only scored dimension is not at 4 or more (below 4: Systems Thinking):"
    )


def test_none_and_all_of_the_scored_dimensions_are_said_in_words():
    below_three = ceiling_for(scores_with(2))
    assert reason(below_three, "not_mostly_three_plus").message.startswith(
        "None of the 8 scored dimensions is at 3 or more"
    )
    all_ones = ceiling_for(scores_with(1))
    assert reason(all_ones, "ones_across_the_board").message.startswith("All 8 scored dimensions are at 1 (")
    one_of_two = ceiling_for(scores_with(None, systems_thinking=1, humility=4))
    assert reason(one_of_two, "ones_across_the_board").message.startswith("1 of 2 scored dimensions is at 1 (")


@properties
@given(scores=score_sheets, red_flags=red_flag_sets, gut_check=gut_checks)
def test_every_reason_agrees_in_number(scores, red_flags, gut_check):
    # whatever is scored, no reason counts "0 of" or "of 1", and the verb agrees with the count
    for given_reason in ceiling_for(scores, red_flags, gut_check).reasons:
        message = given_reason.message
        assert not re.search(r"\b0 of |\bof 1 scored|\b1 scored dimensions", message), message
        assert not re.search(r"\b1 of \d+ scored dimensions are\b", message), message
        assert not re.search(r"\b([2-9]|\d{2,}) of \d+ scored dimensions is\b", message), message


# --- Gut-check questions are the rubric's ---------------------------------------------------------


def test_a_rubric_without_gut_check_questions_has_none_to_answer_or_to_cap_the_vote():
    card = complete_card(gut_check={}, gut_check_questions={})
    assert completeness_problems(**card) == []
    ceiling = vote_ceiling(
        dimensions=GUIDE_DIMENSIONS, scores=scores_with(5), red_flags=(), gut_check={}, gut_check_questions={}
    )
    assert ceiling.max_allowed_vote == "strong_yes"


def test_the_gut_check_is_the_rubrics_own_questions_in_its_words():
    questions = {"bar": "Does this hire raise the bar?", "culture": "Would they add to the team?"}
    problems = completeness_problems(**complete_card(gut_check={"bar": "yes"}, gut_check_questions=questions))
    assert [(p.field, p.message) for p in problems] == [
        ("gut_check.culture", 'Answer the gut check "Would they add to the team?": Yes, No or Not sure.')
    ]
    # an answer to a question the rubric does not ask (the guide's, say) neither completes nor caps it
    ceiling = vote_ceiling(
        dimensions=GUIDE_DIMENSIONS,
        scores=scores_with(5),
        red_flags=(),
        gut_check={"work_with": "no", "bar": "not_sure", "culture": "yes"},
        gut_check_questions=questions,
    )
    assert [(r.rule, r.gut_check) for r in ceiling.reasons] == [("gut_check", ("bar",))]
    assert 'Not sure to "Does this hire raise the bar?"' in ceiling.reasons[0].message


# --- The weighted score ---------------------------------------------------------------------------

CODING = (  # the coding round's weights (seed 002): Technical Skills 40 %, Engineering Practices 30 %, ...
    DimensionSpec("technical_skills", "Technical Skills", critical=True, weight=Decimal(40)),
    DimensionSpec("engineering_practices", "Engineering Practices", weight=Decimal(30)),
    DimensionSpec("problem_solving", "Problem Solving", weight=Decimal(20)),
    DimensionSpec("communication", "Communication", weight=Decimal(10)),
)


def test_the_weighted_score_weighs_each_scored_dimension():
    scores = {"technical_skills": 5, "engineering_practices": 3, "problem_solving": 2, "communication": 1}
    # (40*5 + 30*3 + 20*2 + 10*1) / 100 = 3.4; the plain mean is 11 / 4 = 2.75
    assert weighted_score(dimensions=CODING, scores=scores) == Decimal("3.40")
    assert mean_score(dimensions=CODING, scores=scores) == Decimal("2.75")
    # only the scored dimensions: (40*4 + 10*1) / 50 = 3.4
    assert weighted_score(dimensions=CODING, scores={"technical_skills": 4, "communication": 1}) == Decimal("3.40")
    assert weighted_score(dimensions=CODING, scores={"problem_solving": 2, "communication": 3}) == Decimal("2.33")


def test_no_weighted_score_where_the_weights_are_equal_or_nothing_is_scored():
    assert not weights_differ(GUIDE_DIMENSIONS)
    assert weighted_score(dimensions=GUIDE_DIMENSIONS, scores=scores_with(4)) is None
    assert weighted_score(dimensions=CODING, scores={}) is None
    assert mean_score(dimensions=CODING, scores={}) is None


weights = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2)


@st.composite
def weighted_rubrics(draw):
    """A rubric of 1-8 dimensions with weights (maybe all equal) and a score sheet with at least one score."""
    size = draw(st.integers(min_value=1, max_value=8))
    equal = draw(st.booleans())
    weight = draw(weights)
    dimensions = tuple(
        DimensionSpec(f"d{n}", f"D{n}", critical=draw(st.booleans()), weight=weight if equal else draw(weights))
        for n in range(size)
    )
    scores = {d.key: draw(st.one_of(st.none(), st.integers(min_value=1, max_value=5))) for d in dimensions}
    scores[dimensions[draw(st.integers(min_value=0, max_value=size - 1))].key] = draw(st.integers(1, 5))
    return dimensions, scores


@properties
@given(weighted_rubrics())
def test_the_weighted_score_lies_between_the_lowest_and_the_highest_score(rubric):
    dimensions, scores = rubric
    score = weighted_score(dimensions=dimensions, scores=scores)
    given_scores = [s for s in scores.values() if s is not None]
    if weights_differ(dimensions):
        assert score is not None and min(given_scores) <= score <= max(given_scores)
        assert score == score.quantize(Decimal("0.01"))
    else:
        assert score is None


@properties
@given(weighted_rubrics(), weights)
def test_equal_weights_give_the_plain_mean(rubric, weight):
    dimensions, scores = rubric
    equal = tuple(replace(d, weight=weight) for d in dimensions)
    # as a weighted sum over equal weights (the pure formula, not the "weights differ" switch)
    plain = mean_score(dimensions=equal, scores=scores)
    made_different = (*equal, DimensionSpec("unscored", "Unscored", weight=weight + 1))
    assert weighted_score(dimensions=made_different, scores=scores) == plain


@properties
@given(weighted_rubrics(), st.data())
def test_weights_never_change_the_vote_ceiling(rubric, data):
    dimensions, scores = rubric
    reweighed = tuple(replace(d, weight=data.draw(weights)) for d in dimensions)
    before = vote_ceiling(dimensions=dimensions, scores=scores, red_flags=(), gut_check={}, gut_check_questions={})
    after = vote_ceiling(dimensions=reweighed, scores=scores, red_flags=(), gut_check={}, gut_check_questions={})
    assert after == before
    # a 1 in a critical dimension still caps it at No, however heavy the others are
    critical = [d.key for d in dimensions if d.critical]
    if critical:
        capped = vote_ceiling(
            dimensions=reweighed,
            scores={**dict.fromkeys(scores, 5), critical[0]: 1},
            red_flags=(),
            gut_check={},
            gut_check_questions={},
        )
        assert vote_index(capped.max_allowed_vote) <= vote_index("no")
