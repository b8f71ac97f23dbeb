"""The recruiter in a real browser: the loops list, a loop's debrief (banner, heat-map, late note), the decision."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from interviewloop.roles import ROLE_GROUPS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def decided_loop(db):
    from tests.debriefs.conftest import add_interview, recompute
    from tests.factories import LoopFactory, PositionFactory, UserFactory, make_rubric

    # A transactional test empties the tables after itself, the role groups from the migration included.
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    recruiter = UserFactory(username="rita", role="recruiter", first_name="Rita")
    position = PositionFactory(title="LLM Reliability Engineer", rubric=make_rubric())
    loop = LoopFactory(candidate__name="Jordan Rivera", position=position, recruiter=recruiter)
    add_interview(loop, "alice", vote="strong_yes", note_vote="yes", scores=5)
    add_interview(
        loop, "bob", vote="no", note_vote="yes", note_late=True, red_flags=("overconfident",),
        scores={"systems_thinking": 1, "customer_empathy": 3, "measurement": 2, "risk_management": 2,
                "execution_bias": 3, "communication": 3, "humility": 2},
    )  # fmt: skip
    add_interview(loop, "carol", vote="yes", counts=False, note_vote="yes", scores=4)
    add_interview(loop, "dave", vote=None, ended=False)
    other = LoopFactory(candidate__name="Avery Stone", position=position, recruiter=recruiter)
    add_interview(other, "alice", vote="yes", note_vote="yes")
    recompute(loop)
    recompute(other)
    return loop


def test_a_recruiter_reads_a_debrief_and_records_no_hire(page, login, screenshot, decided_loop):
    login("rita")
    # home sends a recruiter to the loops
    page.wait_for_url("**/loops/")
    rows = page.locator(".loop-row")
    assert rows.count() == 2
    jordan = page.locator(".loop-row", has_text="Jordan Rivera")
    assert jordan.locator(".badge.no_hire").inner_text() == "No hire"
    assert jordan.locator(".missing-count").inner_text() == "1"
    assert jordan.locator(".late-count").inner_text() == "1"
    screenshot("recruiter-loops")

    # search narrows the list (htmx swaps the table; the URL follows)
    page.fill("#id_q", "avery")
    expect(page.locator(".loop-row")).to_have_count(1)
    assert "q=avery" in page.url
    page.fill("#id_q", "")
    expect(page.locator(".loop-row")).to_have_count(2)

    page.click("text=Jordan Rivera")
    page.wait_for_url(f"**/loops/{decided_loop.pk}/")

    banner = page.locator("#decision-banner")
    assert "No hire" in banner.inner_text()
    assert "Decided by Bob" in banner.inner_text()
    assert "bob voted No: One No = No Hire." in banner.inner_text()

    # the heat-map: rows are the submitted scorecards, cells coloured by score
    heatmap = page.locator("#heatmap")
    assert heatmap.locator("tbody tr").count() == 3
    bob_row = heatmap.locator("tbody tr", has_text="Bob")
    assert "s1" in bob_row.locator("td").nth(0).get_attribute("class")
    assert bob_row.locator("td.s1").count() == 1
    assert heatmap.locator("tbody tr", has_text="Alice").locator("td.s5").count() == 8
    assert heatmap.locator("tfoot tr", has_text="Lowest").locator("td").nth(0).inner_text() == "1"

    # the late note is flagged, and the vote's shift from the note is visible
    bob_vote = page.locator(".vote-row[data-interviewer=bob]")
    assert bob_vote.locator(".note-late").is_visible()
    assert "moved down" in bob_vote.inner_text()
    assert page.locator(".vote-row[data-interviewer=alice] .note-late").count() == 0

    # evidence behind a score opens on click
    bob_row.locator("td").nth(0).click()
    assert "Bob · Systems Thinking (1)" in page.locator("#evidence-panel").inner_text()

    # hire is locked by the rule; no hire is recorded after a confirmation
    assert page.locator(".hire-button").is_disabled()
    screenshot("recruiter-debrief-no-hire")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(".no-hire-button")
    page.wait_for_load_state("networkidle")
    assert "Recorded: No hire. The loop is closed." in page.content()
    assert "Recorded No hire by rita" in page.locator("#decision-banner").inner_text()
    assert page.locator(".decide").count() == 0
    screenshot("recruiter-debrief-recorded")


def test_a_recruiter_schedules_a_loop_in_the_browser(page, login, screenshot, decided_loop):
    from tests.factories import UserFactory

    UserFactory(username="ivan", role="interviewer", first_name="Ivan")
    login("rita")
    page.click("text=Schedule a loop")
    page.fill("#id_candidate_name", "Sam Lee")
    page.fill("#id_candidate_email", "sam@example.com")
    page.select_option("#id_position", label="LLM Reliability Engineer")
    page.select_option("#id_i0-interviewer", "ivan")
    page.fill("#id_i0-scheduled_start", "2030-05-06T10:00")
    page.fill("#id_i0-scheduled_end", "2030-05-06T11:00")
    page.select_option("#id_i1-interviewer", "alice")
    page.fill("#id_i1-scheduled_start", "2030-05-06T12:00")
    page.fill("#id_i1-scheduled_end", "2030-05-06T11:00")  # ends before it starts
    screenshot("recruiter-schedule")
    page.click("button[type=submit].primary")
    assert "The interview must end after it starts." in page.locator("[role=alert]").inner_text()
    # nothing typed is lost
    assert page.input_value("#id_candidate_name") == "Sam Lee"
    assert page.input_value("#id_i0-scheduled_start") == "2030-05-06T10:00"

    page.fill("#id_i1-scheduled_end", "2030-05-06T13:00")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/loops/*/")
    assert "Sam Lee" in page.locator("h1").inner_text()
    assert "Pending" in page.locator("#decision-banner").inner_text()
    assert page.locator(".missing-list li").count() == 2
    screenshot("recruiter-scheduled-loop")


def test_a_recruiter_schedules_three_interviews_in_one_go_with_the_defaults(page, login, screenshot, decided_loop):
    from interviewloop.models import Loop
    from tests.factories import UserFactory

    UserFactory(username="ivan", role="interviewer", first_name="Ivan", last_name="Petrov")
    login("rita")
    page.click("text=Schedule a loop")
    page.fill("#id_candidate_name", "Sam Lee")
    page.select_option("#id_position", label="LLM Reliability Engineer")
    assert page.locator("#id_i0-interviewer option", has_text="Ivan Petrov (ivan)").count() == 1
    page.select_option("#id_i0-interviewer", "ivan")
    page.fill("#id_i0-scheduled_start", "2030-05-06T10:00")
    page.select_option("#id_i1-interviewer", "alice")
    page.select_option("#id_i2-interviewer", "carol")
    # each start follows the interview before; each end is its start plus the default hour
    assert page.input_value("#id_i0-scheduled_end") == "2030-05-06T11:00"
    assert page.input_value("#id_i1-scheduled_start") == "2030-05-06T11:00"
    assert page.input_value("#id_i2-scheduled_end") == "2030-05-06T13:00"
    page.select_option("#id_i1-duration", "45")  # a shorter second round moves the third
    assert page.input_value("#id_i1-scheduled_end") == "2030-05-06T11:45"
    assert page.input_value("#id_i2-scheduled_start") == "2030-05-06T11:45"
    assert page.input_value("#id_i3-scheduled_start") == ""  # no interviewer there: left empty
    screenshot("recruiter-schedule-defaults")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/loops/*/")
    assert "Sam Lee" in page.locator("h1").inner_text()
    loop = Loop.objects.get(candidate__name="Sam Lee")
    planned = [
        (username, start.strftime("%H:%M"), end.strftime("%H:%M"))
        for username, start, end in loop.interviews.order_by("scheduled_start").values_list(
            "interviewer__username", "scheduled_start", "scheduled_end"
        )
    ]
    assert planned == [("ivan", "10:00", "11:00"), ("alice", "11:00", "11:45"), ("carol", "11:45", "12:45")]
