"""Every round of a loop in a real browser: the kit with its questions, the schedule page offering a position's rounds
as rows, and the mixed-rubric debrief with its rubric groups, coverage gaps and bar raiser (issue 17)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from interviewloop.roles import ROLE_GROUPS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rounds(db):
    from interviewloop.services import position_create
    from tests.debriefs.conftest import add_interview, recompute
    from tests.debriefs.test_mixed_rubric_debrief import leadership_rubric, seat
    from tests.factories import LoopFactory, UserFactory, make_question, make_rubric

    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    recruiter = UserFactory(username="rita", role="recruiter", first_name="Rita")
    for name in ("ivan", "iris", "igor"):
        UserFactory(username=name, role="interviewer")
    guide = make_rubric()
    principles = leadership_rubric()
    questions = [
        make_question(bank="handbook", key="q07", title="Walk me through an incident you owned",
                      strong_answer="Names the blast radius.\nSays what they changed after.", insight="Ownership shows."),
        make_question(bank="llm_bank", key="rag", title="How would you evaluate a RAG system?",
                      pitfalls="Only offline metrics."),
    ]  # fmt: skip
    position = position_create(
        title="Senior Product Manager",
        rubric=guide,
        rounds=[
            {"title": "Product sense", "rubric": guide, "duration_minutes": 45, "questions": [questions[0].pk]},
            {"title": "Leadership principles", "rubric": principles, "duration_minutes": 30,
             "focus": ["ownership", "dive_deep"], "questions": [questions[1].pk]},
            {"title": "Bar raiser", "rubric": principles, "duration_minutes": 60, "bar_raiser": True},
        ],
    )  # fmt: skip
    mixed = LoopFactory(candidate__name="Morgan Lee", position=position, recruiter=recruiter)
    seat(mixed, "lena", principles, scores={"ownership": 4}, focus=["ownership"])
    seat(mixed, "bea", guide, scores={"systems_thinking": 4}, bar_raiser=True)
    start = timezone.now() + timedelta(hours=2)
    asked = add_interview(mixed, "ivan", vote=None, ended=False, start=start)
    asked.rubric, asked.focus, asked.questions = principles, ["dive_deep"], [q.pk for q in questions]
    asked.save(update_fields=["rubric", "focus", "questions"])
    recompute(mixed)  # the rows changed behind the services: the stored debrief is rewritten from them
    return {"position": position, "mixed": mixed, "asked": asked}


def test_the_kit_shows_the_interviews_questions_with_what_to_listen_for(page, login, screenshot, rounds):
    login("ivan")
    page.goto(f"/interviews/{rounds['asked'].pk}/")
    questions = page.locator(".kit-question")
    expect(questions).to_have_count(2)
    expect(questions.first).to_contain_text("Walk me through an incident you owned")
    expect(page.locator("#focus-h")).to_be_visible()
    expect(page.locator(".focus-list")).to_contain_text("Dive Deep")
    guidance = questions.first.locator("details.answer-guide")
    expect(guidance.get_by_text("Names the blast radius.")).to_be_hidden()  # folded until asked for
    guidance.locator("summary").click()
    expect(guidance.get_by_text("Names the blast radius.")).to_be_visible()
    expect(guidance).to_contain_text("Ownership shows.")
    screenshot("rounds-kit-questions")


def test_the_schedule_page_gives_each_round_a_row_and_schedules_from_them(page, login, screenshot, rounds):
    from interviewloop.models import Loop

    position = rounds["position"]
    product, leadership, raiser = position.rounds.order_by("order")
    login("rita")
    page.goto("/loops/new/")
    page.fill("#id_candidate_name", "Avery Stone")
    page.select_option("#id_position", str(position.pk))
    # the script gives each row its round, with the round's length and counting
    expect(page.locator("#id_i0-round")).to_have_value(str(product.pk))
    expect(page.locator("#id_i1-round")).to_have_value(str(leadership.pk))
    expect(page.locator("#id_i2-round")).to_have_value(str(raiser.pk))
    expect(page.locator("#id_i0-duration")).to_have_value("45")
    expect(page.locator("#id_i1-duration")).to_have_value("30")
    for row, who in enumerate(("ivan", "iris", "igor")):
        page.select_option(f"#id_i{row}-interviewer", who)
    page.fill("#id_i0-scheduled_start", "2030-05-06T10:00")
    expect(page.locator("#id_i2-scheduled_end")).to_have_value("2030-05-06T12:15")
    screenshot("rounds-schedule")
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    loop = Loop.objects.get(candidate__name="Avery Stone")
    rows = list(loop.interviews.order_by("scheduled_start").values_list("round__title", "bar_raiser", "focus"))
    assert rows == [
        ("Product sense", False, []),
        ("Leadership principles", False, ["ownership", "dive_deep"]),
        ("Bar raiser", True, []),
    ]


def test_the_mixed_debrief_groups_by_rubric_names_the_gaps_and_marks_the_bar_raiser(page, login, screenshot, rounds):
    login("rita")
    page.goto(f"/loops/{rounds['mixed'].pk}/")
    groups = page.locator("#heatmap .rubric-group")
    expect(groups).to_have_count(2)
    expect(groups.nth(1)).to_have_text("Leadership Principles v1")
    expect(page.locator(".vote-row", has_text="Bea").locator(".bar-raiser-badge")).to_be_visible()
    gaps = page.locator(".coverage-gaps .gap")
    expect(gaps.filter(has_text="Dive Deep")).to_have_count(1)
    expect(page.locator(".coverage-table tr[data-key='dive_deep'] td").first).to_contain_text("ivan")
    screenshot("rounds-mixed-debrief")
