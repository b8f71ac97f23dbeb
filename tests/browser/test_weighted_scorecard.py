"""A scorecard on a weighted rubric (40/30/20/10) in headless Chromium: the live ceiling shows the plain mean, the
weighted score and the highest vote allowed, and the weights never lift that vote."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coding_round():
    """Alice's ended coding round (a rubric weighted 40/30/20/10, made here), her note written."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import InterviewFactory, NoteFactory, PositionFactory, UserFactory, make_weighted_rubric

    alice = UserFactory(username="alice", first_name="Alice", role="interviewer")
    start = timezone.now() - timedelta(hours=2)
    interview = InterviewFactory(
        interviewer=alice,
        loop__candidate__name="Dana Reyes",
        loop__position=PositionFactory(rubric=make_weighted_rubric()),
        scheduled_start=start,
        scheduled_end=start + timedelta(hours=1),
        ended_at=start + timedelta(hours=1),
    )
    NoteFactory(interview=interview)
    return interview


def scores_line(page) -> tuple[str, str]:
    return (
        page.locator("#ceiling [data-mean-score]").inner_text(),
        page.locator("#ceiling [data-weighted-score]").inner_text(),
    )


def test_a_weighted_scorecard_shows_the_mean_the_weighted_score_and_the_ceiling(page, login, screenshot, coding_round):
    from scorecards.models import Scorecard
    from tests.factories import CODING_GUT_CHECK

    login("alice")
    page.goto(f"/interviews/{coding_round.pk}/scorecard/")
    # the rubric's own gut-check questions, in its order
    legends = page.locator("fieldset.gut legend").all_inner_texts()
    assert legends == list(CODING_GUT_CHECK.values())

    # Technical Skills (40 %) at 5, then 3, 2 and 1: the weighted score leans to the heavy dimension
    for key, score in (("technical_skills", 5), ("engineering_practices", 3), ("problem_solving", 2)):
        page.click(f"#dimension-{key} .s{score}-choice span")
    page.click("#dimension-communication .s1-choice span")
    page.wait_for_selector('#ceiling [data-weighted-score="3.40"]')
    assert scores_line(page) == ("2.75", "3.40")
    assert page.locator("#ceiling [data-max-vote]").get_attribute("data-max-vote") == "no"  # a 1 is a No
    screenshot("weighted-1-lopsided")

    # the critical, heaviest dimension at 1 and the rest at 5: a high weighted score, still capped at No
    page.click("#dimension-technical_skills .s1-choice span")
    for key in ("engineering_practices", "problem_solving", "communication"):
        page.click(f"#dimension-{key} .s5-choice span")
    page.wait_for_selector('#ceiling [data-weighted-score="3.40"] >> nth=0')
    page.wait_for_selector('#ceiling [data-mean-score="4.00"]')
    assert scores_line(page) == ("4.00", "3.40")
    assert page.locator("#ceiling [data-max-vote]").get_attribute("data-max-vote") == "no"
    assert page.locator("#ceiling [data-rule=one_in_critical]").is_visible()
    screenshot("weighted-2-critical-one")

    # all 4s: the weighted score equals the mean, and nothing caps the vote any more
    for key in ("technical_skills", "engineering_practices", "problem_solving", "communication"):
        page.click(f"#dimension-{key} .s4-choice span")
    page.wait_for_selector('#ceiling [data-mean-score="4.00"]')
    page.wait_for_selector('#ceiling [data-weighted-score="4.00"]')
    for key in CODING_GUT_CHECK:
        page.check(f"input[name=gut-{key}][value=yes]")
    page.wait_for_selector("#ceiling [data-max-vote=strong_yes]")
    page.check("input[name=vote][value=yes]")
    page.click("button[value=submit]")
    page.wait_for_url("**/interviews/")
    scorecard = Scorecard.objects.get(interview=coding_round)
    assert (scorecard.status, scorecard.gut_check) == ("submitted", dict.fromkeys(CODING_GUT_CHECK, "yes"))
