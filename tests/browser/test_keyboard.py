"""The note and the scorecard by keyboard alone, quickly, with the vote ceiling always in view (800 px window)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import alice_interviews_dana

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIMENSION_KEYS = (
    "systems_thinking", "customer_empathy", "measurement", "risk_management",
    "execution_bias", "communication", "humility", "experience",
)  # fmt: skip


@pytest.fixture
def ended_interview():
    """Alice's call with Dana ended a minute ago."""
    return alice_interviews_dana(started_minutes_ago=61, ended=True)


@pytest.fixture
def keyboard_page(open_page):
    return open_page(1280, 800)


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-only")
    with page.expect_navigation():  # the sign-in's redirect, before the test moves on
        page.keyboard.press("Enter")


def focused(page) -> str:
    """The focused element: "name=value" for a radio or a button, "name=" for another field, else "#id"."""
    return page.evaluate(
        "() => { const el = document.activeElement; const valued = el.type === 'radio' || el.tagName === 'BUTTON';"
        " return el.name ? `${el.name}=${valued ? el.value : ''}` : `#${el.id}`; }"
    )


def tab_to(page, target: str, most: int) -> int:
    """Press Tab until `target` (as `focused` says it) has the focus; how many presses it took."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if focused(page) == target:
            return presses
    raise AssertionError(f"{target} not reached in {most} Tabs; focus is on {focused(page)}")


def test_the_note_is_written_by_keyboard_alone(keyboard_page, ended_interview):
    from scorecards.models import Note

    page = keyboard_page
    sign_in(page, "alice")
    page.goto(f"/interviews/{ended_interview.pk}/note/")
    tab_to(page, "best_thing=", most=25)
    page.keyboard.type("Asked who the users are before any fix.")
    page.keyboard.press("Tab")
    page.keyboard.type("Rollback came late.")
    page.keyboard.press("Tab")  # the vote: Strong No first; arrows move and choose
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert focused(page) == "vote=yes"
    page.keyboard.press("Tab")  # would you work with them: Space chooses the first, Yes
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Save the note
    page.wait_for_url(f"**/interviews/{ended_interview.pk}/scorecard/")
    note = Note.objects.get(interview=ended_interview)
    assert (note.best_thing, note.vote, note.want_to_work_with) == (
        "Asked who the users are before any fix.",
        "yes",
        "yes",
    )


def test_the_scorecard_is_scored_and_submitted_by_keyboard_with_the_ceiling_in_view(keyboard_page, ended_interview):
    from scorecards.models import Scorecard
    from tests.browser.conftest import ARTIFACTS
    from tests.factories import NoteFactory

    NoteFactory(interview=ended_interview)
    page = keyboard_page
    sign_in(page, "alice")
    page.goto(f"/interviews/{ended_interview.pk}/scorecard/")
    page.evaluate("() => { window.notReloaded = true; }")

    # the vote panel fits the window, so the ceiling and Submit never scroll away
    panel = page.locator("#vote-panel").bounding_box()
    assert panel is not None and panel["height"] <= 800

    # the skip link is among the first stops and lands on the vote
    presses = 0
    while page.evaluate("() => document.activeElement.textContent.trim()") != "Skip to the vote and submit":
        page.keyboard.press("Tab")
        presses += 1
        assert presses <= 15, "the skip link is not among the first stops"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page) == "vote=strong_yes"

    # scores: a digit picks it, Enter moves on (to its evidence) without reloading the page, Tab to the next score
    page.focus("input[name=score-systems_thinking][value='5']")
    for key in DIMENSION_KEYS:
        page.keyboard.press("4")
        assert focused(page) == f"score-{key}=4"
        page.keyboard.press("Enter")
        assert focused(page) == f"evidence-{key}="
        page.keyboard.press("Tab")
    assert page.evaluate("() => window.notReloaded") is True
    assert page.is_checked("input[name=score-experience][value='4']")

    # the gut check: Space answers Yes, Enter goes to the next question
    tab_to(page, "gut-work_with=yes", most=60)
    for question in ("work_with", "trust_day_one", "month_one_success"):
        assert focused(page) == f"gut-{question}=yes"
        page.keyboard.press("Space")
        page.keyboard.press("Enter")
    # the ceiling is in view after all that scrolling, and allows a Strong Yes
    page.wait_for_selector("#ceiling [data-max-vote=strong_yes]")
    ceiling = page.locator("#ceiling").bounding_box()
    assert ceiling is not None and ceiling["y"] >= 0 and ceiling["y"] + ceiling["height"] <= 800
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "keyboard-scorecard-ceiling-in-view.png"))  # the window, as the user sees it

    # the vote, then Submit, two stops later
    assert focused(page) == "vote=strong_yes"
    page.keyboard.press("ArrowDown")
    assert focused(page) == "vote=yes"
    assert tab_to(page, "action=submit", most=2) == 2
    page.keyboard.press("Enter")
    page.wait_for_url("**/interviews/")
    scorecard = Scorecard.objects.get(interview=ended_interview)
    assert (scorecard.status, scorecard.vote) == ("submitted", "yes")
