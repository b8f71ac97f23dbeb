"""Every page, as every role that sees it, on a laptop and on a 390 px phone: axe-core finds nothing at any impact,
nothing scrolls sideways, no text runs out of its table cell, and every control a finger taps is at least 24 x 24 px
(WCAG 2.2 target size)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# Every rule axe-core ships, the WCAG 2.2 ones (target size) and best practices included.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
}
TAP_TARGETS = "input[type=radio], input[type=checkbox], button, select, summary, input[type=submit]"

# The width and the small targets, measured in the page (CSS pixels).
MEASURE = """(selector) => {
  const doc = document.documentElement;
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    // A radio or checkbox is tapped through its label as much as itself: the larger box counts.
    const boxes = [el, ...(el.labels || [])].map((node) => node.getBoundingClientRect());
    const box = boxes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    if (box.width === 0 && box.height === 0) continue;  // not rendered (closed <details>, hidden)
    // Visually hidden (1 px), operated through the control drawn for it (a score chip, a select2 box).
    if (box.width <= 1 || box.height <= 1) continue;
    if (box.width < 24 || box.height < 24) small.push(`${el.outerHTML.slice(0, 90)} ${box.width}x${box.height}`);
  }
  // What sticks out past the right edge, to say where a sideways scroll comes from.
  const wide = [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > doc.clientWidth + 1)
    .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= doc.clientWidth + 1)
    .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().right)}px`);
  // A table cell whose text runs out of it (over the next cell's): a name wider than its column.
  const spills = [...document.querySelectorAll("th, td")]
    .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
    .slice(0, 5).map((cell) => `${cell.tagName.toLowerCase()} "${cell.textContent.trim().slice(0, 40)}"`);
  return {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, small, wide, spills};
}"""


@pytest.fixture
def company(db):
    """A recruiter's company as the pages show it: a decided loop with a late note, a shadow, a missing scorecard;
    an interviewer with a note due, a draft scorecard, an upcoming call, and a submitted one; an admin."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from interviewloop.roles import ROLE_GROUPS
    from interviewloop.services import interview_cancel
    from scorecards.models import Rubric
    from tests.debriefs.conftest import add_interview, recompute
    from tests.factories import (
        CODING_DIMENSIONS,
        InterviewFactory,
        LoopFactory,
        PositionFactory,
        UserFactory,
        make_scorecard,
        make_weighted_rubric,
    )

    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    call_command("loaddata", "default_rubric", verbosity=0)
    rubric = Rubric.objects.get(status="published")
    recruiter = UserFactory(username="rita", role="recruiter", first_name="Rita", last_name="Recruiter")
    UserFactory(username="ada", role="admin", first_name="Ada")
    position = PositionFactory(title="LLM Reliability Engineer", rubric=rubric)
    decided = LoopFactory(candidate__name="Jordan Rivera", position=position, recruiter=recruiter)
    add_interview(decided, "alice", vote="strong_yes", note_vote="yes", scores=5)
    add_interview(
        decided, "bob", vote="no", note_vote="yes", note_late=True, red_flags=("overconfident",),
        scores={"systems_thinking": 1, "customer_empathy": 3, "measurement": 2, "risk_management": 2,
                "execution_bias": 3, "communication": 3, "humility": 2},
    )  # fmt: skip
    # a long name, as real panels have: it must not run over the heat-map's first column
    UserFactory(username="carol", role="interviewer", first_name="Carolina", last_name="Montgomery-Ellingsworth")
    add_interview(decided, "carol", vote="yes", counts=False, note_vote="yes", scores=4)
    add_interview(decided, "dave", vote=None, ended=False)
    # one not held yet (the page offers to cancel it: decided No) and one cancelled (its row marked)
    add_interview(decided, "erin", vote=None, ended=False, start=timezone.now() + timedelta(days=1))
    fay = add_interview(decided, "fay", vote=None, ended=False, start=timezone.now() + timedelta(days=2))
    interview_cancel(interview=fay, reason="Panel is enough.", by=recruiter)
    recompute(decided)
    ivan = UserFactory(username="ivan", role="interviewer", first_name="Ivan", last_name="Interviewer")
    now = timezone.now()
    ivan_loops = [LoopFactory(candidate__name=name, position=position, recruiter=recruiter) for name in
                  ("Dana Reyes", "Sam Lee", "Kim Park", "Noor Aziz")]  # fmt: skip
    due = InterviewFactory(loop=ivan_loops[0], interviewer=ivan, scheduled_start=now - timedelta(minutes=62),
                           scheduled_end=now - timedelta(minutes=2), ended_at=now - timedelta(minutes=2))  # fmt: skip
    drafting = add_interview(ivan_loops[1], "ivan", vote="yes", submitted=False, note_vote="yes")
    upcoming = InterviewFactory(loop=ivan_loops[2], interviewer=ivan, scheduled_start=now + timedelta(hours=3),
                                scheduled_end=now + timedelta(hours=4))  # fmt: skip
    submitted = add_interview(ivan_loops[3], "ivan", vote="yes", note_vote="yes")
    # a draft on a weighted rubric (40/30/20/10): the ceiling shows the weighted score beside the mean
    coding = PositionFactory(title="Backend Engineer", rubric=make_weighted_rubric())
    weighted = add_interview(
        LoopFactory(candidate__name="Lee Chen", position=coding, recruiter=recruiter), "ivan", vote="no",
        submitted=False, note_vote="yes", scores=dict(zip([d[0] for d in CODING_DIMENSIONS], (5, 3, 2, 1), strict=True)),
    )  # fmt: skip
    recompute(ivan_loops[3])
    assert make_scorecard  # the factories above built every scorecard
    return {
        "decided": decided,
        "due": due,
        "drafting": drafting,
        "upcoming": upcoming,
        "submitted": submitted,
        "weighted": weighted,
        "rubric": rubric,
        **every_round(rubric, recruiter, ivan),
    }


def every_round(rubric, recruiter, ivan):
    """Issue 17: a position with rounds, and a loop on two rubrics (focus, kit questions, a bar raiser) where ivan
    has a draft with questions and the debrief shows coverage gaps."""
    from interviewloop.services import position_create
    from tests.debriefs.conftest import add_interview, recompute
    from tests.debriefs.test_mixed_rubric_debrief import leadership_rubric, seat
    from tests.factories import LoopFactory, make_question

    principles = leadership_rubric()
    questions = [
        make_question(bank="handbook", key="q01", title="Walk me through an incident you owned end to end"),
        make_question(bank="llm_bank", key="rag-evals", title="How would you evaluate a RAG system?",
                      pitfalls="Only offline metrics.", insight="Tie evals to user outcomes."),
    ]  # fmt: skip
    position = position_create(
        title="Senior Product Manager",
        rubric=rubric,
        rounds=[
            {"title": "Product sense", "rubric": rubric, "duration_minutes": 45, "questions": [questions[0].pk]},
            {"title": "Leadership principles", "rubric": principles, "focus": ["ownership", "dive_deep"]},
            {"title": "Bar raiser", "rubric": principles, "bar_raiser": True},
        ],
    )
    mixed = LoopFactory(candidate__name="Morgan Lee", position=position, recruiter=recruiter)
    seat(mixed, "lena", principles, scores={"ownership": 4}, focus=["ownership"])
    seat(mixed, "bea", rubric, scores={"systems_thinking": 3, "communication": 4}, bar_raiser=True)
    asked = add_interview(mixed, "ivan", vote="yes", submitted=False, note_vote="yes", scores={})
    asked.rubric, asked.focus, asked.questions = principles, ["dive_deep"], [q.pk for q in questions]
    asked.save(update_fields=["rubric", "focus", "questions"])
    recompute(mixed)  # the rows changed behind the services: the stored debrief is rewritten from them
    # Retired once its interviews pinned it (they keep it), so the published rubrics stay the guide's and the
    # weighted one (the errors test below counts on it).
    principles.status = "retired"
    principles.save()
    return {"rounds_position": position, "mixed": mixed, "asked": asked}


def pages_of(company) -> dict[str, list[tuple[str, str]]]:
    """(name, path) of every page, per user who signs in to see it."""
    from django.contrib.auth import get_user_model

    decided = company["decided"].pk
    ivan = get_user_model().objects.get(username="ivan").pk
    return {
        "": [("login", "/accounts/login/")],
        "ivan": [
            ("my-interviews", "/interviews/"),
            # a refused filter value, said beside its field (and a valid one applied)
            ("my-interviews-filter-error", "/interviews/?scorecard_status=done&q=Dana"),
            ("kit", f"/interviews/{company['upcoming'].pk}/"),
            ("note", f"/interviews/{company['due'].pk}/note/"),
            ("scorecard", f"/interviews/{company['drafting'].pk}/scorecard/"),
            ("scorecard-weighted", f"/interviews/{company['weighted'].pk}/scorecard/"),
            ("debrief-locked", f"/loops/{company['drafting'].loop_id}/"),
            ("debrief-panel", f"/loops/{company['submitted'].loop_id}/"),
            ("kit-questions", f"/interviews/{company['asked'].pk}/"),
            ("scorecard-questions", f"/interviews/{company['asked'].pk}/scorecard/"),
            ("loops-interviewer", "/loops/"),
            ("profile-interviewer", "/profile/"),
            ("analytics-interviewer", "/analytics/"),
        ],
        "rita": [
            ("loops", "/loops/"),
            ("schedule", "/loops/new/"),
            ("debrief", f"/loops/{decided}/"),
            ("schedule-rounds", f"/loops/new/?position={company['rounds_position'].pk}"),
            ("debrief-mixed", f"/loops/{company['mixed'].pk}/"),
            ("profile", "/profile/"),
            ("analytics", "/analytics/"),
        ],
        "ada": [
            ("admin-index", "/admin/"),
            ("admin-rubrics", "/admin/scorecards/rubric/"),
            ("admin-rubric", f"/admin/scorecards/rubric/{company['rubric'].pk}/change/"),
            ("admin-loops", "/admin/interviewloop/loop/"),
            ("admin-loop", f"/admin/interviewloop/loop/{decided}/change/"),
            ("admin-position-rounds", f"/admin/interviewloop/position/{company['rounds_position'].pk}/change/"),
            ("admin-reminders", "/admin/debriefs/reminder/"),
            ("admin-user", f"/admin/auth/user/{ivan}/change/"),
            # add pages: their autocomplete boxes (select2) start empty
            ("admin-interview-add", "/admin/interviewloop/interview/add/"),
            ("admin-loop-add", "/admin/interviewloop/loop/add/"),
            ("admin-question-add", "/admin/scorecards/question/add/"),
        ],
    }


def signed_in(browser, live_server, username: str):
    """A browser context signed in as `username` through the login form (anonymous for ""): one sign-in per role
    for the whole survey, each viewport then set on its page."""
    context = browser.new_context(viewport=VIEWPORTS["laptop"], base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    if username:
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "pw-for-tests-only")
        with page.expect_navigation():
            page.click("button[type=submit]")
    return context, page


def measured_problems(page, axe) -> list[str]:
    """What axe, the width and the tap targets say of the page as it is now."""
    problems = []
    for violation in axe.run(page, options=AXE_OPTIONS).response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:4]]
        problems.append(f"axe {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    measured = page.evaluate(MEASURE, TAP_TARGETS)
    if measured["scrollWidth"] > measured["clientWidth"]:
        problems.append(
            f"scrolls sideways: {measured['scrollWidth']} px in {measured['clientWidth']} px, {measured['wide']}"
        )
    problems += [f"tap target under 24 px: {small}" for small in measured["small"]]
    problems += [f"text spills out of its cell: {spill}" for spill in measured["spills"]]
    return problems


def survey(page, pages: list[tuple[str, str]], screenshot_dir) -> dict[str, list[str]]:
    """What axe, the width and the tap targets say of each page on each viewport, as the page's signed-in user."""
    findings: dict[str, list[str]] = {}
    axe = Axe()
    for viewport in sorted(VIEWPORTS):
        page.set_viewport_size(VIEWPORTS[viewport])
        for name, path in pages:
            # Server-rendered pages that make no request after their load event (htmx only acts on input): the
            # load is the page as a reader first sees it, so there is no network quiet to wait for.
            response = page.goto(path, wait_until="load")
            # The locked debrief is a 403 page of its own: an interviewer sees it before submitting.
            expected = 403 if name == "debrief-locked" else 200
            assert response is not None and response.status == expected, (name, path, response and response.status)
            page.screenshot(path=str(screenshot_dir / f"a11y-{viewport}-{name}.png"), full_page=True)
            problems = measured_problems(page, axe)
            if problems:
                findings[f"{viewport} {name}"] = problems
    return findings


def schedule_errors_problems(page, viewport: str, screenshot_dir) -> list[str]:
    """Issue 18: a refused schedule marks each field beside its error and lists them all in a summary."""
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto("/loops/new/")
    page.select_option("#id_i1-interviewer", "ivan")
    page.fill("#id_i1-scheduled_start", "2030-05-06T10:00")
    page.fill("#id_i1-scheduled_end", "2030-05-06T09:00")
    with page.expect_navigation(wait_until="load"):
        page.click("button[type=submit].primary")
    page.screenshot(path=str(screenshot_dir / f"a11y-{viewport}-schedule-errors.png"), full_page=True)
    # the new candidate's name, the new position's title and rubric (two rubrics are published here, the guide's and
    # a weighted one, so none is chosen for the recruiter), and the end before its start
    assert page.locator("#schedule-errors li").count() == 4
    assert "Pick the new position's rubric." in page.locator("#schedule-errors").inner_text()
    assert page.get_attribute("#id_i1-scheduled_end", "aria-invalid") == "true"
    problems = [
        f"axe {violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in Axe().run(page, options=AXE_OPTIONS).response["violations"]
    ]
    measured = page.evaluate(MEASURE, TAP_TARGETS)
    if measured["scrollWidth"] > measured["clientWidth"]:
        problems.append(f"scrolls sideways: {measured['wide']}")
    problems += [f"tap target under 24 px: {small}" for small in measured["small"]]
    return problems


# One test for the whole survey: the company is built, and each role signs in, once (they were per viewport, and
# the schedule page's errors a test of their own: six company builds and sign-ins for the same pages).
def test_every_page_passes_axe_fits_the_screen_and_has_big_enough_targets(browser, live_server, company):
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    findings = {}
    schedule_errors = {}
    for username, pages in pages_of(company).items():
        context, page = signed_in(browser, live_server, username)
        try:
            for name, problems in survey(page, pages, ARTIFACTS).items():
                findings[f"{username or 'anonymous'} {name}"] = problems
            if username == "rita":
                # the schedule page with its errors passes axe and fits the screen (as laptop and phone)
                schedule_errors = {
                    viewport: schedule_errors_problems(page, viewport, ARTIFACTS) for viewport in VIEWPORTS
                }
        finally:
            context.close()
    report = "\n".join(f"{page}:\n  " + "\n  ".join(problems) for page, problems in findings.items())
    assert not findings, report
    assert schedule_errors == {viewport: [] for viewport in VIEWPORTS}
