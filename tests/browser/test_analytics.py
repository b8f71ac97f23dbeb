"""The calibration page in a real browser: the charts draw, their tables open, the filters and the CSV work, and
nothing breaks the CSP (the page has no script of its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def calibrated(db):
    """A harsh and a lenient interviewer over six loops of one position, and one loop of another position."""
    from django.core.management import call_command

    from scorecards.models import Rubric
    from tests.debriefs.conftest import add_interview
    from tests.factories import LoopFactory, PositionFactory, UserFactory

    call_command("loaddata", "default_rubric", verbosity=0)
    rubric = Rubric.objects.get(status="published")
    recruiter = UserFactory(username="rita", role="recruiter", first_name="Rita")
    for username, first in (("hana", "Hana"), ("leo", "Leo"), ("mia", "Mia")):
        UserFactory(username=username, role="interviewer", first_name=first)
    engineer = PositionFactory(title="LLM Reliability Engineer", rubric=rubric)
    for number in range(6):
        loop = LoopFactory(recruiter=recruiter, position=engineer)
        add_interview(loop, "hana", vote="no", note_vote="yes", scores=2)
        add_interview(loop, "leo", vote="strong_yes", note_vote="yes", scores=5)
        add_interview(loop, "mia", vote="yes", note_vote="yes", note_late=number % 2 == 0, scores=4)
    designer = PositionFactory(title="Product Designer", rubric=rubric)
    add_interview(LoopFactory(recruiter=recruiter, position=designer), "mia", vote="yes", scores=3)
    return {"engineer": engineer, "designer": designer}


def test_a_recruiter_reads_the_charts_filters_by_position_and_downloads_the_csv(
    page, login, live_server, calibrated, screenshot
):
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    login("rita")
    page.click("nav >> text=Calibration")
    page.wait_for_load_state("networkidle")

    assert page.locator("h1").inner_text() == "Calibration"
    assert page.locator("svg.chart-svg").count() == 5
    # the leniency chart: Hana harsh (2 against 5 and 4: -2.5), Leo lenient (+2), Mia a little (+0.5)
    lenient = page.locator("svg[aria-labelledby^=leniency] rect.lean-lenient")
    assert lenient.count() == 2
    assert page.locator("svg[aria-labelledby^=leniency] rect.lean-harsh").count() == 1
    assert lenient.first.bounding_box()["width"] >= 3 * lenient.last.bounding_box()["width"] > 0  # Leo 2, Mia 0.5
    # the numbers behind the chart open on demand
    page.click("section:has(#leniency-title) summary")
    assert page.locator("#leniency-table tbody tr").first.is_visible()
    assert page.locator("#leniency-table tbody th").all_inner_texts() == ["Hana", "Leo", "Mia"]
    screenshot("analytics-recruiter")

    page.select_option("#id_position", str(calibrated["designer"].pk))
    with page.expect_navigation():
        page.click("button:has-text('Show')")
    assert page.locator("#votes-table tbody th").all_text_contents() == ["Mia"]  # (its <details> is closed)

    with page.expect_download() as download:
        page.click("#csv-link")
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0].startswith("interviewer,name,scorecards,votes_strong_no")
    assert [line.split(",")[0] for line in lines[1:]] == ["mia"]
    assert violations == []


def test_a_bad_date_is_said_beside_the_filters_on_a_phone(open_page, live_server, calibrated):
    page = open_page(390, 844)
    page.goto("/accounts/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "pw-for-tests-only")
    with page.expect_navigation():
        page.click("button[type=submit]")

    response = page.goto("/analytics/?since=2026-02-30")

    assert response is not None and response.status == 400
    assert "is not valid: Enter a valid date." in page.locator("#filter-error").inner_text()
    assert page.get_attribute("#id_since", "aria-invalid") == "true"
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
