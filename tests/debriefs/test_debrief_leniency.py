"""The debrief's leniency-adjusted scores (debriefs.calibration_selectors.with_leniency): beside the raw ones, only
with enough history, and never read by the decision."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debriefs.calibration_selectors import with_leniency
from debriefs.selectors import debrief_document as loop_debrief
from tests.debriefs.conftest import add_interview, recompute
from tests.factories import LoopFactory

pytestmark = pytest.mark.django_db


def history(loop, recruiter, loops: int = 5):
    """`loops` earlier loops where alice scores 5s and bob 3s (each +2 / -2 against the other); then in `loop`
    alice, bob and carol all score 4s (carol has no other history).

    alice: (2 * loops + 0) / (loops + 1); bob the opposite; carol 0 over 1 scorecard.
    """
    for _ in range(loops):
        earlier = LoopFactory(position=loop.position, recruiter=recruiter)
        add_interview(earlier, "alice", vote="strong_yes", scores=5)
        add_interview(earlier, "bob", vote="yes", scores=3)
    add_interview(loop, "alice", vote="yes", scores=4)
    add_interview(loop, "bob", vote="yes", scores=4)
    add_interview(loop, "carol", vote="yes", scores=4)
    add_interview(loop, "dave", vote=None, ended=False)
    recompute(loop)


def test_each_score_shows_its_adjusted_value_when_the_interviewer_has_five_scorecards_of_history(
    loop, recruiter, api_as
):
    history(loop, recruiter)

    body = api_as(recruiter).get(f"/api/loops/{loop.pk}/debrief/").json()

    leniency = {vote["interviewer"]: (vote["leniency"], vote["leniency_n"]) for vote in body["votes"]}
    assert leniency == {"alice": (1.667, 6), "bob": (-1.667, 6), "carol": (0.0, 1), "dave": (None, 0)}
    systems = next(dimension for dimension in body["dimensions"] if dimension["key"] == "systems_thinking")
    assert [(entry["interviewer"], entry["score"], entry["adjusted"]) for entry in systems["scores"]] == [
        ("alice", 4, 2.333), ("bob", 4, 5.667), ("carol", 4, None),  # carol: one scorecard of history, not five
    ]  # fmt: skip
    # the raw scores decide and sum up: the mean and the lowest are the 4s
    assert (systems["mean"], systems["min"]) == (4.0, 4)


def test_four_scorecards_of_history_are_not_enough(loop, recruiter, api_as):
    history(loop, recruiter, loops=3)  # alice and bob: 3 earlier loops + this one

    body = api_as(recruiter).get(f"/api/loops/{loop.pk}/debrief/").json()

    assert {vote["interviewer"]: vote["leniency_n"] for vote in body["votes"]}["alice"] == 4
    assert all(entry["adjusted"] is None for dimension in body["dimensions"] for entry in dimension["scores"])


def test_the_overlay_only_adds_fields_and_the_decision_never_reads_them(loop, recruiter):
    # given: bob votes No; his adjusted scores (4 + 1.667) would be the loop's best
    history(loop, recruiter)
    card = loop.interviews.get(interviewer__username="bob").scorecard
    card.vote = "no"
    card.save()
    recompute(loop)
    raw = loop_debrief(loop.pk)

    adjusted = with_leniency(loop_debrief(loop.pk))

    # then: the decision is the votes' (One No = No Hire), whatever the adjusted scores say
    assert adjusted["decision"] == raw["decision"] == "no_hire"
    assert adjusted["tally"] == raw["tally"] and adjusted["reasons"] == raw["reasons"]
    # the stored document carries the overlay's fields empty (its serializer declares them): strip them on both sides
    for body in (adjusted, raw):
        for vote in body["votes"]:
            vote.pop("leniency", None), vote.pop("leniency_n", None)
        for dimension in body["dimensions"]:
            for entry in dimension["scores"]:
                entry.pop("adjusted", None)
    assert any(vote["interviewer"] == "bob" for vote in adjusted["votes"])
    assert adjusted == raw


def test_the_debrief_page_shows_the_adjusted_value_beside_the_raw_one_and_says_so(loop, recruiter, client):
    history(loop, recruiter)
    client.force_login(recruiter)

    html = client.get(f"/loops/{loop.pk}/").content.decode()

    assert '<span class="adjusted"><span class="visually-hidden">, adjusted for leniency: </span>2.3</span>' in html
    assert html.count('class="adjusted"') == 2 * 8  # alice's and bob's eight scores; carol's have no history
    assert "the score adjusted for its interviewer's leniency" in html
    assert "the decision, mean and lowest use the raw scores and the votes" in html


def test_without_history_the_page_says_nothing_of_adjustments(loop, recruiter, client):
    add_interview(loop, "alice", vote="yes", scores=4)
    client.force_login(recruiter)

    html = client.get(f"/loops/{loop.pk}/").content.decode()

    assert 'class="adjusted"' not in html and "adjusted-legend" not in html


@pytest.mark.parametrize("loops", [1, 30])
def test_the_overlay_is_one_query_on_the_stored_terms_whatever_the_panels_history(loop, recruiter, api_as, loops):
    history(loop, recruiter, loops=loops)
    client = api_as(recruiter)

    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"/api/loops/{loop.pk}/debrief/").json()

    # the token with its user, the caller's roles, the stored debrief, then the panel's leniency: its stored terms
    # summed, never the scorecards and scores of the loops the panel sat on
    assert len(queries) == 4, [query["sql"] for query in queries]
    assert "debriefs_leniencyterm" in queries[-1]["sql"]
    assert not [query["sql"] for query in queries if "scorecards_" in query["sql"]]
    leniency = {vote["interviewer"]: (vote["leniency"], vote["leniency_n"]) for vote in body["votes"]}
    assert leniency["alice"] == (round(2 * loops / (loops + 1), 3), loops + 1)
    assert leniency["bob"] == (round(-2 * loops / (loops + 1), 3), loops + 1)
