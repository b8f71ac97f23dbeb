"""The vote-ceiling rules hold for every shipped rubric (the guide's and each template), through its own data.

Each rubric is read from its fixture file into the rules' plain inputs (dimension specs, thresholds, red-flag and
gut-check keys), as `scorecards.selectors.PinnedRubric` reads a loaded one (the last test checks they agree).
Parametrized over the fixtures' rubric keys: a template added to a fixture is covered without touching this file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecards.models import Rubric
from scorecards.rules import VOTES, DimensionSpec, Thresholds, vote_ceiling, vote_index
from scorecards.selectors import pinned_rubric

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SHIPPED_FIXTURES = ("default_rubric", "rubric_templates")  # in the order `make run` loads them
THRESHOLD_FIELDS = (
    "red_flags_for_strong_no",
    "ones_fraction_for_strong_no",
    "yes_min_fraction_at_3",
    "strong_yes_min_fraction_at_4",
    "strong_yes_critical_min",
    "evidence_required_for_extremes",
)
GUT_ANSWERS = ("yes", "no", "not_sure")

properties = settings(database=None, max_examples=100, deadline=None)


@dataclass(frozen=True)
class ShippedRubric:
    key: str
    specs: tuple[DimensionSpec, ...]
    thresholds: Thresholds
    red_flags: tuple[str, ...]
    red_flag_names: dict[str, str]
    gut_check_questions: dict[str, str]

    @property
    def gut_check(self) -> tuple[str, ...]:
        return tuple(self.gut_check_questions)


def _shipped() -> dict[str, ShippedRubric]:
    """Every rubric of the shipped fixtures, by key; parts refer to their rubric by id or by natural key."""
    rubrics: dict[object, dict] = {}
    parts: dict[object, dict[str, list[dict]]] = {}
    for name in SHIPPED_FIXTURES:
        for row in json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")):
            fields = row["fields"]
            if row["model"] == "scorecards.rubric":
                ref = row.get("pk") or (fields["name"], fields["version"])
                rubrics[ref] = fields
                parts[ref] = {}
            else:
                ref = fields["rubric"] if isinstance(fields["rubric"], int) else tuple(fields["rubric"])
                parts[ref].setdefault(row["model"], []).append(fields)
    shipped = {}
    for ref, fields in rubrics.items():
        ordered = {model: sorted(rows, key=lambda r: r["order"]) for model, rows in parts[ref].items()}
        flags = ordered.get("scorecards.redflag", [])
        shipped[fields["key"]] = ShippedRubric(
            key=fields["key"],
            specs=tuple(
                DimensionSpec(
                    key=d["key"],
                    name=d["name"],
                    critical=d["critical"],
                    required=d["required"],
                    weight=Decimal(d["weight"]),
                )
                for d in ordered["scorecards.dimension"]
            ),
            thresholds=Thresholds(**{name: fields[name] for name in THRESHOLD_FIELDS}),
            red_flags=tuple(flag["key"] for flag in flags),
            red_flag_names={flag["key"]: flag["name"] for flag in flags},
            gut_check_questions={q["key"]: q["text"] for q in ordered.get("scorecards.gutcheckquestion", [])},
        )
    return shipped


SHIPPED = _shipped()
KEYS = sorted(SHIPPED)
WITH_ENOUGH_FLAGS = [k for k in KEYS if len(SHIPPED[k].red_flags) >= SHIPPED[k].thresholds.red_flags_for_strong_no]
WITH_CRITICAL = [k for k in KEYS if any(spec.critical for spec in SHIPPED[k].specs)]


def test_the_shipped_rubrics_are_the_guide_and_the_templates():
    assert set(KEYS) == {
        "default_rubric",
        "coding_round",
        "pm_product_design",
        "pm_metrics",
        "pm_technical",
        "pm_behavioral",
        "leadership_principles",
        "bar_raiser",
    }
    # The guide exercises the rules that need red flags and critical dimensions.
    assert "default_rubric" in WITH_ENOUGH_FLAGS
    assert "default_rubric" in WITH_CRITICAL


def ceiling(rubric: ShippedRubric, scores, red_flags=(), gut_check=None):
    return vote_ceiling(
        dimensions=rubric.specs,
        scores=scores,
        red_flags=red_flags,
        gut_check=dict.fromkeys(rubric.gut_check, "yes") if gut_check is None else gut_check,
        thresholds=rubric.thresholds,
        red_flag_names=rubric.red_flag_names,
        gut_check_questions=rubric.gut_check_questions,
    )


@st.composite
def scorecards(draw, rubric: ShippedRubric):
    """Any scores (some dimensions left unscored), any of the rubric's red flags, any gut-check answers."""
    scores = {spec.key: draw(st.none() | st.integers(1, 5)) for spec in rubric.specs}
    flags = draw(st.lists(st.sampled_from(rubric.red_flags), unique=True)) if rubric.red_flags else []
    gut = {key: draw(st.sampled_from(GUT_ANSWERS)) for key in rubric.gut_check}
    return scores, flags, gut


@pytest.mark.parametrize("key", KEYS)
def test_the_ceiling_never_rises_when_a_score_drops_or_a_red_flag_is_added(key):
    rubric = SHIPPED[key]

    @properties
    @given(data=st.data(), card=scorecards(rubric))
    def check(data, card):
        scores, flags, gut = card
        before = vote_index(ceiling(rubric, scores, flags, gut).max_allowed_vote)
        scored = [k for k, score in scores.items() if score is not None and score > 1]
        if scored:
            dropped = data.draw(st.sampled_from(scored))
            lower = data.draw(st.integers(1, scores[dropped] - 1))
            after = ceiling(rubric, {**scores, dropped: lower}, flags, gut)
            assert vote_index(after.max_allowed_vote) <= before
        unheard = [flag for flag in rubric.red_flags if flag not in flags]
        if unheard:
            added = data.draw(st.sampled_from(unheard))
            after = ceiling(rubric, scores, [*flags, added], gut)
            assert vote_index(after.max_allowed_vote) <= before

    check()


@pytest.mark.parametrize("key", WITH_ENOUGH_FLAGS)
def test_enough_red_flags_are_a_strong_no_regardless_of_other_signals(key):
    rubric = SHIPPED[key]
    needed = rubric.thresholds.red_flags_for_strong_no

    @properties
    @given(
        flags=st.lists(st.sampled_from(rubric.red_flags), unique=True, min_size=needed),
        scores=st.fixed_dictionaries({spec.key: st.integers(1, 5) for spec in rubric.specs}),
    )
    def check(flags, scores):
        result = ceiling(rubric, scores, flags)
        assert result.max_allowed_vote == "strong_no"
        assert result.reasons[0].rule == "multiple_red_flags"

    check()


@pytest.mark.parametrize("key", WITH_CRITICAL)
def test_a_1_in_a_critical_dimension_is_at_most_a_no(key):
    rubric = SHIPPED[key]
    critical = [spec.key for spec in rubric.specs if spec.critical]

    @properties
    @given(data=st.data(), card=scorecards(rubric), one=st.sampled_from(critical))
    def check(data, card, one):
        scores, flags, gut = card
        result = ceiling(rubric, {**scores, one: 1}, flags, gut)
        assert vote_index(result.max_allowed_vote) <= vote_index("no")
        assert any(reason.rule == "one_in_critical" and one in reason.dimensions for reason in result.reasons)

    check()


@pytest.mark.parametrize("key", KEYS)
def test_a_1_anywhere_is_at_most_a_no(key):
    rubric = SHIPPED[key]

    @properties
    @given(card=scorecards(rubric), one=st.sampled_from([spec.key for spec in rubric.specs]))
    def check(card, one):
        scores, flags, gut = card
        assert vote_index(ceiling(rubric, {**scores, one: 1}, flags, gut).max_allowed_vote) <= vote_index("no")

    check()


@pytest.mark.parametrize("key", KEYS)
def test_a_no_or_not_sure_in_the_gut_check_is_at_most_a_no(key):
    rubric = SHIPPED[key]
    asked = list(rubric.gut_check)  # the rubric's own questions

    @properties
    @given(card=scorecards(rubric), doubt=st.sampled_from(asked), answer=st.sampled_from(["no", "not_sure"]))
    def check(card, doubt, answer):
        scores, flags, gut = card
        result = ceiling(rubric, scores, flags, {**gut, doubt: answer})
        assert vote_index(result.max_allowed_vote) <= vote_index("no")
        assert any(reason.rule == "gut_check" and doubt in reason.gut_check for reason in result.reasons)

    check()


@pytest.mark.parametrize("key", KEYS)
def test_all_5s_with_no_red_flag_and_all_yes_allow_a_strong_yes(key):
    rubric = SHIPPED[key]
    required = {spec.key for spec in rubric.specs if spec.required}

    # Any set of scored dimensions that holds the required ones (a focus of 2-3 principles, say), all at 5.
    @properties
    @given(scored=st.sets(st.sampled_from([spec.key for spec in rubric.specs]), min_size=1))
    def check(scored):
        result = ceiling(rubric, dict.fromkeys(scored | required, 5))
        assert result.max_allowed_vote == "strong_yes"
        assert result.reasons == ()

    check()


@pytest.mark.parametrize("key", KEYS)
def test_a_vote_at_or_below_the_ceiling_is_accepted_and_above_it_refused_with_a_reason(key):
    rubric = SHIPPED[key]

    @properties
    @given(card=scorecards(rubric), vote=st.sampled_from(VOTES))
    def check(card, vote):
        scores, flags, gut = card
        result = ceiling(rubric, scores, flags, gut)
        if vote_index(vote) <= vote_index(result.max_allowed_vote):
            assert result.allows(vote)
        else:
            assert not result.allows(vote)
            assert result.reasons, "a refused vote has a reason"
            assert result.reasons[0].ceiling == result.max_allowed_vote

    check()


@pytest.mark.django_db
def test_the_rubrics_as_loaded_are_what_these_properties_read():
    for name in SHIPPED_FIXTURES:
        call_command("loaddata", name, verbosity=0)
    assert set(Rubric.objects.values_list("key", flat=True)) == set(KEYS)
    for rubric in Rubric.objects.prefetch_related("gut_checks"):
        pinned = pinned_rubric(rubric)
        shipped = SHIPPED[rubric.key]
        assert pinned.specs == shipped.specs, rubric.key
        assert pinned.thresholds == shipped.thresholds, rubric.key
        assert tuple(pinned.red_flags) == shipped.red_flags, rubric.key
        assert pinned.red_flag_names == shipped.red_flag_names, rubric.key
        assert rubric.gut_check_questions == shipped.gut_check_questions, rubric.key
        assert getattr(pinned, "gut_check_questions", shipped.gut_check_questions) == shipped.gut_check_questions
