"""The interviewer's whole flow in headless Chromium: end the call, write the note, score, get refused, submit."""

from __future__ import annotations

import pytest

from tests.browser.conftest import alice_interviews_dana

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIMENSION_KEYS = (
    "systems_thinking", "customer_empathy", "measurement", "risk_management",
    "execution_bias", "communication", "humility", "experience",
)  # fmt: skip


@pytest.fixture
def running_interview():
    """Alice is half-way through a call with Dana."""
    return alice_interviews_dana(started_minutes_ago=40)


def test_an_interviewer_ends_the_call_writes_the_note_and_submits_a_consistent_scorecard(
    page, login, screenshot, running_interview
):
    from scorecards.models import Note, Scorecard

    interview = running_interview
    # My interviews: the call is upcoming, with its End button
    login("alice")
    assert page.url.endswith("/interviews/")
    assert page.locator("#upcoming ~ .rows").get_by_text("Dana Reyes").is_visible()
    screenshot("interviewer-1-my-interviews")

    # The kit: problem statement with a copy button, the threads, phase timers
    page.click("text=Open the kit")
    page.wait_for_url(f"**/interviews/{interview.pk}/")
    assert page.locator("details.thread").count() == 7
    assert page.locator("button[data-copy='#problem-text']").is_visible()
    page.locator(".timer-toggle").first.click()  # the JavaScript timers appear and run
    assert page.locator(".timer-toggle").first.inner_text() == "Pause"
    page.locator("details.thread").first.locator("summary").click()
    screenshot("interviewer-2-kit")

    # End the call: straight to the five-minute note, with its countdown
    page.click("button.end-interview")
    page.wait_for_url(f"**/interviews/{interview.pk}/note/")
    assert "left" in page.locator(".deadline time[data-countdown]").inner_text()
    page.fill("#id_best_thing", "Asked who the affected customers are before writing a single fix.")
    page.fill("#id_biggest_concern", "Rollout safety came late and only when prompted.")
    page.check("input[name=vote][value=yes]")
    page.check("input[name=want_to_work_with][value=yes]")
    screenshot("interviewer-3-note")
    page.click("text=Save the note")
    page.wait_for_url(f"**/interviews/{interview.pk}/scorecard/")
    assert Note.objects.get(interview=interview).on_time

    # The scorecard: 4s with evidence, the gut check, a red flag, and a Strong Yes
    for key in DIMENSION_KEYS:
        page.click(f"#dimension-{key} .s4-choice span")
    page.fill("#evidence-systems_thinking", "Drew the loop from detection to prevention unprompted.")
    for question in ("work_with", "trust_day_one", "month_one_success"):
        page.check(f"input[name=gut-{question}][value=yes]")
    page.check("input[name=flag-defensive]")
    page.fill("#flag-evidence-defensive", "Pushed back hard when asked about the rollback plan.")
    page.check("input[name=thread-signal-first_two_weeks][value=great]")
    page.fill("#thread-notes-first_two_weeks", "Audit first, ship a guard in week two.")
    page.check("input[name=vote][value=strong_yes]")
    # the live ceiling follows the form: a red flag caps it at No
    page.wait_for_selector("#ceiling [data-max-vote=no]")
    assert page.locator("#ceiling [data-rule=red_flag]").is_visible()
    page.wait_for_selector("#save-status .saved")  # autosaved
    screenshot("interviewer-4-scorecard-live-ceiling")

    # Submit the too-high vote: refused, with its reasons, and nothing typed is lost
    page.click("button[value=submit]")
    page.wait_for_selector("#refusal[data-code=vote_not_allowed]")
    assert page.locator("#refusal [data-rule=red_flag]").is_visible()
    assert page.input_value("#evidence-systems_thinking") == "Drew the loop from detection to prevention unprompted."
    assert page.is_checked("input[name=flag-defensive]")
    assert Scorecard.objects.get(interview=interview).status == "draft"
    screenshot("interviewer-5-scorecard-refused")

    # The flag was a misclick: untick it, vote Yes (Strong Yes needs more than half at 4+... and no red flag)
    page.uncheck("input[name=flag-defensive]")
    page.fill("#flag-evidence-defensive", "")
    page.check("input[name=vote][value=yes]")
    page.wait_for_selector("#ceiling [data-max-vote=strong_yes]")
    page.click("button[value=submit]")
    page.wait_for_url("**/interviews/")
    assert "Scorecard submitted" in page.content()
    scorecard = Scorecard.objects.get(interview=interview)
    assert (scorecard.status, scorecard.vote) == ("submitted", "yes")
    screenshot("interviewer-6-submitted")

    page.goto(f"/interviews/{interview.pk}/scorecard/")
    assert page.locator("input[name=vote][value=no]").is_disabled()
    assert page.locator("button[value=submit]").count() == 0
    screenshot("interviewer-7-scorecard-locked")
