"""The pure rules of a loop's rounds: focus, repeated questions, the bar raiser (no database)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from debriefs.aggregation import LoopDimension, SeatCoverage, coverage, group_by_rubric
from interviewloop.interview_rules import (
    BAR_RAISER_MUST_COUNT,
    bar_raiser_refusal,
    repeated_questions,
    unknown_focus,
)
from scorecards.rules import DimensionSpec, completeness_problems, effective_focus, focus_specs
from tests.factories import GUT_CHECK_QUESTIONS

SPECS = (
    DimensionSpec("ownership", "Ownership"),
    DimensionSpec("dive_deep", "Dive Deep", required=False),
    DimensionSpec("deliver_results", "Deliver Results"),
)
KEYS = [spec.key for spec in SPECS]


def test_a_bar_raiser_must_count_and_anyone_else_may_shadow():
    assert bar_raiser_refusal(bar_raiser=True, counts_toward_decision=False) == BAR_RAISER_MUST_COUNT
    assert BAR_RAISER_MUST_COUNT.code == "bar_raiser_must_count"
    assert bar_raiser_refusal(bar_raiser=True, counts_toward_decision=True) is None
    assert bar_raiser_refusal(bar_raiser=False, counts_toward_decision=False) is None


def test_focus_makes_its_dimensions_required_and_the_others_optional():
    focused = focus_specs(SPECS, ["dive_deep"])
    assert [(spec.key, spec.required) for spec in focused] == [
        ("ownership", False),
        ("dive_deep", True),
        ("deliver_results", False),
    ]
    # No focus: the rubric's own flags.
    assert focus_specs(SPECS, []) == SPECS


def test_completeness_asks_only_for_the_focus_dimensions():
    problems = completeness_problems(
        dimensions=focus_specs(SPECS, ["dive_deep"]),
        scores={},
        evidence={},
        gut_check={"work_with": "yes", "trust_day_one": "yes", "month_one_success": "yes"},
        gut_check_questions=GUT_CHECK_QUESTIONS,
        vote="yes",
    )
    assert [problem.field for problem in problems] == ["scores.dive_deep"]


def test_effective_focus_is_all_dimensions_without_a_focus_and_in_the_rubrics_order():
    assert effective_focus([], KEYS) == KEYS
    assert effective_focus(["deliver_results", "ownership"], KEYS) == ["ownership", "deliver_results"]


def test_unknown_focus_keys_are_named_in_the_order_given():
    assert unknown_focus(["dive_deep", "bias_for_action", "frugality"], KEYS) == ["bias_for_action", "frugality"]
    assert unknown_focus(KEYS, KEYS) == []


def test_a_repeated_question_names_the_first_interview_that_has_it():
    assigned = {7: [1, 2], 3: [2, 5], 9: []}
    assert repeated_questions([5, 4, 2, 2], assigned) == {5: 3, 2: 3}
    assert repeated_questions([4], assigned) == {}


@given(
    wanted=st.lists(st.integers(1, 20), max_size=8),
    assigned=st.dictionaries(st.integers(1, 9), st.lists(st.integers(1, 20), max_size=6), max_size=5),
)
def test_repeated_questions_are_exactly_the_wanted_ones_someone_else_has(wanted, assigned):
    repeated = repeated_questions(wanted, assigned)
    held = {question for questions in assigned.values() for question in questions}
    assert set(repeated) == set(wanted) & held
    for question, interview in repeated.items():
        assert question in assigned[interview]
        assert interview == min(i for i, questions in assigned.items() if question in questions)


@given(st.lists(st.sampled_from(KEYS), unique=True))
def test_focus_requires_exactly_its_keys(focus):
    focused = focus_specs(SPECS, focus)
    assert [spec.key for spec in focused] == KEYS
    if focus:
        assert {spec.key for spec in focused if spec.required} == set(focus)
    else:
        assert focused == SPECS


# --- Coverage and the heat-map's rubric groups (debriefs.aggregation) --------------------------------------

CODING, LEADERSHIP = 1, 2
DIMENSIONS = [
    LoopDimension("technical_skills", "Technical Skills", CODING, (CODING,)),
    LoopDimension("communication", "Communication", CODING, (CODING, LEADERSHIP)),
    LoopDimension("ownership", "Ownership", LEADERSHIP, (LEADERSHIP,)),
    LoopDimension("dive_deep", "Dive Deep", LEADERSHIP, (LEADERSHIP,)),
]


def test_coverage_says_who_had_each_dimension_in_focus_and_who_scored_it_and_names_the_gaps():
    seats = [
        SeatCoverage("cody", CODING, (), ("technical_skills", "communication")),
        SeatCoverage("lena", LEADERSHIP, ("ownership",), ("ownership",)),
        SeatCoverage("leo", LEADERSHIP, ("dive_deep", "communication"), ()),  # not submitted yet
    ]
    assert coverage(DIMENSIONS, seats) == {
        "dimensions": [
            {"key": "technical_skills", "name": "Technical Skills", "rubric": CODING, "focus": ["cody"],
             "scored": ["cody"]},
            {"key": "communication", "name": "Communication", "rubric": CODING, "focus": ["cody", "leo"],
             "scored": ["cody"]},
            {"key": "ownership", "name": "Ownership", "rubric": LEADERSHIP, "focus": ["lena"], "scored": ["lena"]},
            {"key": "dive_deep", "name": "Dive Deep", "rubric": LEADERSHIP, "focus": ["leo"], "scored": []},
        ],
        "gaps": ["dive_deep"],
    }  # fmt: skip


@given(
    st.lists(
        st.tuples(
            st.sampled_from([CODING, LEADERSHIP]),
            st.lists(st.sampled_from([d.key for d in DIMENSIONS]), unique=True),
            st.lists(st.sampled_from([d.key for d in DIMENSIONS]), unique=True),
        ),
        max_size=6,
    )
)
def test_a_gap_is_exactly_a_dimension_no_scorecard_scored(panel):
    seats = [
        SeatCoverage(f"p{n}", rubric, tuple(focus), tuple(scored)) for n, (rubric, focus, scored) in enumerate(panel)
    ]
    result = coverage(DIMENSIONS, seats)
    scored_somewhere = {key for seat in seats for key in seat.scored}
    assert result["gaps"] == [d.key for d in DIMENSIONS if d.key not in scored_somewhere]
    for row, dimension in zip(result["dimensions"], DIMENSIONS, strict=True):
        # Nobody has a dimension in focus that their rubric does not have.
        assert all(seats[int(who[1:])].rubric in dimension.rubrics for who in row["focus"])


def test_the_heat_map_groups_consecutive_dimensions_by_rubric():
    rows = [{"rubric": CODING}, {"rubric": CODING}, {"rubric": LEADERSHIP}, {"rubric": None}]
    assert group_by_rubric(rows, {CODING: "Coding round v1", LEADERSHIP: "Leadership Principles v1"}) == [
        {"rubric": CODING, "name": "Coding round v1", "span": 2},
        {"rubric": LEADERSHIP, "name": "Leadership Principles v1", "span": 1},
        {"rubric": None, "name": "", "span": 1},
    ]


@given(st.lists(st.sampled_from([CODING, LEADERSHIP, 3]), max_size=12))
def test_rubric_groups_cover_every_column_once(rubrics):
    groups = group_by_rubric([{"rubric": rubric} for rubric in rubrics], {})
    assert sum(group["span"] for group in groups) == len(rubrics)
    assert [g["rubric"] for g in groups for _ in range(g["span"])] == rubrics
