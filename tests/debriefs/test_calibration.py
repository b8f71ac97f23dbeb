"""Calibration's formulas (debriefs/calibration.py): hand-computed examples, then hypothesis properties.

Pure functions: no database and no Django (these run with ``-p no:django`` too).
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from debriefs.calibration import (
    CSV_COLUMNS,
    Leniency,
    ScorecardFacts,
    Scored,
    adjusted_score,
    flat_row,
    focus_counts,
    interviewer_rows,
    leniency,
    percentile,
    score_counts_of,
    spread,
)

properties = settings(database=None, max_examples=300, deadline=None)


def card(interviewer, loop, vote, scores, **facts) -> ScorecardFacts:
    return ScorecardFacts(interviewer=interviewer, loop=loop, vote=vote, score_counts=score_counts_of(scores), **facts)


# --- Hand-computed examples ---------------------------------------------------------------------------------
#
# loop 1 (closed, no_hire): alice 4,4 (mean 4) yes; bob 3,3 (3) no, one red flag; carol 2,2 (2) strong_no, two flags
#   alice 4 - (3 + 2) / 2 = 1.5    bob 3 - (4 + 2) / 2 = 0    carol 2 - (4 + 3) / 2 = -1.5
# loop 2 (open): alice 5,4 (4.5) strong_yes; bob 3 (3) yes
#   alice 4.5 - 3 = 1.5            bob 3 - 4.5 = -1.5
# loop 3 (open): alice 3,3 yes, alone: nothing to compare with
# leniency: alice (1.5 + 1.5) / 2 = 1.5 (n 2); bob (0 - 1.5) / 2 = -0.75 (n 2); carol -1.5 (n 1)
# yes rate: alice 3/3, bob 1/2, carol 0/1; everyone 4/6


def example() -> list[ScorecardFacts]:
    return [
        card("alice", 1, "yes", [4, 4], outcome="no_hire", note_vote="yes", focus_assigned=8, focus_scored=7,
             seconds_to_note=60, seconds_to_scorecard=3600, note_on_time=True),
        card("bob", 1, "no", [3, 3], outcome="no_hire", red_flags=1, note_vote="yes", focus_assigned=8,
             focus_scored=8, seconds_to_note=200, seconds_to_scorecard=7200, note_on_time=True),
        card("carol", 1, "strong_no", [2, 2], outcome="no_hire", red_flags=2, note_vote="no", focus_assigned=3,
             focus_scored=3, seconds_to_note=900, seconds_to_scorecard=90000, note_on_time=False),
        card("alice", 2, "strong_yes", [5, 4], note_vote="yes", focus_assigned=8, focus_scored=8,
             seconds_to_note=120, seconds_to_scorecard=1800, note_on_time=True),
        card("bob", 2, "yes", [3], note_vote=None, focus_assigned=8, focus_scored=2),
        card("alice", 3, "yes", [3, 3], note_vote="strong_yes", focus_assigned=8, focus_scored=8,
             seconds_to_note=300, seconds_to_scorecard=600, note_on_time=False),
    ]  # fmt: skip


def test_leniency_of_the_hand_computed_panels():
    standing = leniency(Scored(c.interviewer, c.loop, c.mean) for c in example())

    assert standing == {"alice": Leniency(1.5, 2), "bob": Leniency(-0.75, 2), "carol": Leniency(-1.5, 1)}


def test_every_figure_of_the_hand_computed_rows():
    rows = interviewer_rows(example(), names={"alice": "Alice Adams", "bob": "Bob Brown"})

    assert [row["interviewer"] for row in rows] == ["alice", "bob", "carol"]  # by name: Alice, Bob, carol
    assert rows[0] == {
        "interviewer": "alice",
        "name": "Alice Adams",
        "scorecards": 3,
        "votes": {"strong_no": 0, "no": 0, "yes": 2, "strong_yes": 1},
        "yes_rate": 1.0,
        "yes_rate_deviation": 0.333,  # 1 - 4/6
        "mean_score": 3.833,  # (4 + 4.5 + 3) / 3
        "score_counts": {"1": 0, "2": 0, "3": 2, "4": 3, "5": 1},
        "leniency": 1.5,
        "leniency_n": 2,
        "adherence": 0.958,  # 23 / 24
        "agreement": 0.0,  # a yes on the loop recorded no_hire; loops 2 and 3 are not closed
        "agreement_n": 1,
        "note_on_time_rate": 0.667,
        "time_to_note": {"median": 120.0, "p90": 264.0},  # 60, 120, 300: 120 + 0.8 * 180
        "time_to_scorecard": {"median": 1800.0, "p90": 3240.0},  # 600, 1800, 3600: 1800 + 0.8 * 1800
        "vote_shift": {"up": 1, "down": 1, "same": 1},
        "red_flags_per_scorecard": 0.0,
    }
    bob, carol = rows[1], rows[2]
    assert (bob["yes_rate"], bob["yes_rate_deviation"], bob["leniency"], bob["leniency_n"]) == (0.5, -0.167, -0.75, 2)
    assert bob["vote_shift"] == {"up": 0, "down": 1, "same": 0}  # loop 2's scorecard has no note to shift from
    assert (bob["agreement"], bob["red_flags_per_scorecard"], bob["adherence"]) == (1.0, 0.5, 0.625)  # 10 / 16
    assert bob["time_to_note"] == {"median": 200.0, "p90": 200.0}
    assert bob["note_on_time_rate"] == 0.5  # the scorecard without its note is not on time
    assert (carol["name"], carol["yes_rate_deviation"], carol["leniency"], carol["leniency_n"]) == (
        "carol", -0.667, -1.5, 1,
    )  # fmt: skip
    assert (carol["red_flags_per_scorecard"], carol["agreement"]) == (2.0, 1.0)


def test_a_scorecard_alone_in_its_loop_has_no_leniency():
    rows = interviewer_rows([card("alice", 1, "yes", [4]), card("alice", 2, "no", [2])])

    assert (rows[0]["leniency"], rows[0]["leniency_n"]) == (None, 0)
    assert rows[0]["agreement"] is None and rows[0]["agreement_n"] == 0  # no closed loop
    assert rows[0]["time_to_note"] == {"median": None, "p90": None}
    assert rows[0]["yes_rate_deviation"] == 0.0  # alone, she is everyone


def test_a_scorecard_without_scores_is_left_out_of_leniency_both_ways():
    standing = leniency([Scored("alice", 1, None), Scored("bob", 1, 4.0), Scored("carol", 1, 2.0)])

    assert standing == {"alice": Leniency(None, 0), "bob": Leniency(2.0, 1), "carol": Leniency(-2.0, 1)}


def test_no_cards_no_rows():
    assert interviewer_rows([]) == []


def test_adjusted_scores_need_five_scorecards_of_history():
    assert adjusted_score(4, Leniency(0.5, 4)) is None
    assert adjusted_score(4, Leniency(0.5, 5)) == 3.5
    assert adjusted_score(2, Leniency(-0.3333333, 12)) == 2.333
    assert adjusted_score(4, Leniency(None, 0)) is None
    assert adjusted_score(4, None) is None


def test_focus_counts_count_only_the_focus():
    assert focus_counts(["measurement", "humility"], ["measurement", "communication"]) == (2, 1)
    assert focus_counts([], ["measurement"]) == (0, 0)


def test_percentiles_interpolate_and_spread_rounds():
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0], 90) == 5.0
    assert spread([10.0, 1 / 3]) == {"median": 5.167, "p90": 9.033}
    with pytest.raises(ValueError):
        percentile([], 50)


# --- Properties ----------------------------------------------------------------------------------------------

scores = st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=8)


@st.composite
def fixed_panels(draw):
    """n loops, each with the same k interviewers, each scoring 1 to 8 dimensions."""
    k = draw(st.integers(min_value=2, max_value=5))
    n = draw(st.integers(min_value=1, max_value=6))
    return [
        card(f"i{seat}", loop, draw(st.sampled_from(["strong_no", "no", "yes", "strong_yes"])), draw(scores))
        for loop in range(n)
        for seat in range(k)
    ]


@properties
@given(fixed_panels())
def test_leniency_of_a_panel_sums_to_zero_when_every_loop_has_the_same_interviewers(cards):
    standing = leniency(Scored(c.interviewer, c.loop, c.mean) for c in cards)
    loops = len({c.loop for c in cards})

    assert sum(value.value for value in standing.values()) == pytest.approx(0.0, abs=1e-9)  # type: ignore[misc]
    assert all(value.n == loops for value in standing.values())


@st.composite
def any_panels(draw):
    """Up to 8 loops, each with 1 to 4 of 4 interviewers (a loop's panel is its own), each scorecard's scores."""
    people = ["ann", "ben", "cat", "dan"]
    cards = []
    for loop in range(draw(st.integers(min_value=1, max_value=8))):
        panel = draw(st.lists(st.sampled_from(people), min_size=1, max_size=4, unique=True))
        cards += [(person, loop, draw(scores)) for person in panel]
    return cards


@properties
@given(any_panels(), st.sampled_from(["ann", "ben", "cat", "dan"]), st.integers(min_value=-3, max_value=3))
def test_a_constant_added_to_one_interviewers_scores_moves_their_leniency_by_it_and_the_others_by_their_share(
    cards, shifted, constant
):
    # given: everyone's scorecards, and the same with `constant` added to each of `shifted`'s scores
    assume(any(person == shifted for person, _, _ in cards))

    def means(add: int) -> list[Scored]:
        return [
            Scored(person, loop, sum(s + (add if person == shifted else 0) for s in given) / len(given))
            for person, loop, given in cards
        ]

    before, after = leniency(means(0)), leniency(means(constant))

    # then: their own leniency moves by exactly the constant (each of their differences does)...
    if before[shifted].n:
        assert after[shifted].value == pytest.approx(before[shifted].value + constant, abs=1e-9)  # type: ignore[operator]
    # ...and each other interviewer's by -constant / (k - 1) for each compared scorecard they share a loop of k with
    # the shifted one, averaged over their compared scorecards: zero for anyone never on a panel with them.
    sizes: dict[int, int] = defaultdict(int)
    present: dict[int, set[str]] = defaultdict(set)
    for person, loop, _ in cards:
        sizes[loop] += 1
        present[loop].add(person)
    for person in before:
        assert after[person].n == before[person].n
        if person == shifted or not before[person].n:
            continue
        compared = [loop for p, loop, _ in cards if p == person and sizes[loop] > 1]
        share = sum(1 / (sizes[loop] - 1) for loop in compared if shifted in present[loop]) / len(compared)
        assert after[person].value == pytest.approx(before[person].value - constant * share, abs=1e-9)  # type: ignore[operator]


@properties
@given(any_panels())
def test_leniency_is_bounded_by_the_score_range_and_counts_only_compared_scorecards(cards):
    standing = leniency(Scored(person, loop, sum(given) / len(given)) for person, loop, given in cards)
    sizes: dict[int, int] = defaultdict(int)
    for _, loop, _ in cards:
        sizes[loop] += 1
    for person, value in standing.items():
        assert value.n == sum(1 for p, loop, _ in cards if p == person and sizes[loop] > 1)
        assert (value.value is None) == (value.n == 0)
        assert value.value is None or -4 <= value.value <= 4


@properties
@given(fixed_panels())
def test_the_yes_rate_deviations_weighted_by_scorecards_sum_to_zero(cards):
    rows = interviewer_rows(cards)

    assert sum(row["scorecards"] for row in rows) == len(cards)
    assert sum(row["yes_rate_deviation"] * row["scorecards"] for row in rows) == pytest.approx(
        0.0,
        abs=0.0005 * len(cards) + 1e-9,  # each deviation rounded to 3 decimals
    )
    for row in rows:
        assert sum(row["votes"].values()) == row["scorecards"]
        assert sum(row["vote_shift"].values()) == 0  # no note votes given


def test_the_csv_row_is_the_same_row_flat_and_never_a_formula():
    row = interviewer_rows(example(), names={"alice": "=HYPERLINK(1)"})[0]

    flat = dict(zip(CSV_COLUMNS, flat_row(row), strict=True))

    assert flat["name"] == "'=HYPERLINK(1)"
    assert (flat["interviewer"], flat["scorecards"], flat["votes_strong_yes"], flat["scores_4"]) == ("alice", 3, 1, 3)
    assert (flat["leniency"], flat["time_to_note_p90"], flat["vote_shift_up"], flat["agreement"]) == (
        1.5,
        264.0,
        1,
        0.0,
    )
    assert flat_row(interviewer_rows([card("bob", 1, "no", [2])])[0])[CSV_COLUMNS.index("leniency")] == ""
