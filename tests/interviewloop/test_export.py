"""Exports: a loop's scorecards in Greenhouse Harvest's shape (GET /api/loops/{id}/export/) and the loops list as
CSV (/loops/export.csv), with the mapping rules tested on their own."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from interviewloop.export_rules import (
    FORMULA_STARTS,
    RATING_LEVELS,
    csv_cell,
    overall_recommendation,
    rating_for_score,
    ratings_by_level,
)
from interviewloop.exports import LOOP_CSV_HEADER
from interviewloop.models import Loop
from scorecards.models import GutCheckQuestion
from tests.debriefs.conftest import add_interview
from tests.factories import GUT_CHECK_QUESTIONS, InterviewFactory, LoopFactory, PositionFactory, UserFactory, iso

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
HARVEST_KEYS = {
    "id", "created_at", "updated_at", "interview", "interview_step", "candidate_id", "application_id",
    "interviewed_at", "submitted_by", "interviewer", "submitted_at", "overall_recommendation", "attributes",
    "ratings", "questions",
}  # fmt: skip


# --- rules ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vote", "recommendation"),
    [("strong_no", "definitely_not"), ("no", "no"), ("yes", "yes"), ("strong_yes", "strong_yes")],
)
def test_a_submitted_vote_is_harvests_recommendation(vote, recommendation):
    assert overall_recommendation(submitted=True, vote=vote) == recommendation


@pytest.mark.parametrize("vote", ["", "strong_no", "yes"])
def test_a_scorecard_not_submitted_has_no_decision(vote):
    assert overall_recommendation(submitted=False, vote=vote) == "no_decision"


def test_scores_one_to_five_are_harvests_five_levels_and_unscored_is_no_decision():
    assert [rating_for_score(score) for score in (1, 2, 3, 4, 5, None)] == [
        "definitely_not", "no", "mixed", "yes", "strong_yes", "no_decision",
    ]  # fmt: skip


@given(st.lists(st.tuples(st.text(min_size=1, max_size=8), st.none() | st.integers(1, 5)), max_size=12))
def test_every_scored_dimension_is_listed_once_at_its_level_and_unscored_ones_nowhere(scores):
    levels = ratings_by_level(scores)
    assert tuple(levels) == RATING_LEVELS
    for level, names in levels.items():
        assert names == [name for name, score in scores if score is not None and rating_for_score(score) == level]
    assert sum(len(names) for names in levels.values()) == sum(score is not None for _, score in scores)


@given(st.text(max_size=30))
def test_no_csv_text_cell_starts_a_formula_and_other_text_is_untouched(text):
    cell = csv_cell(text)
    assert not str(cell).startswith(FORMULA_STARTS)
    assert cell == ("'" + text if text.startswith(FORMULA_STARTS) else text)


def test_numbers_and_empty_cells_are_left_alone():
    assert csv_cell(-3) == -3
    assert csv_cell("") == ""
    assert csv_cell(None) is None


# --- GET /api/loops/{id}/export/ -------------------------------------------------------------------------------


@pytest.fixture
def panel(rubric, recruiter):
    """Dana's loop: Alice submitted a Strong No (every level used, one dimension unscored, a red flag); Bob has a
    draft; Carol has not started; Dave's interview was cancelled."""
    loop = LoopFactory(
        candidate__name="Dana Reyes", position=PositionFactory(title="SRE", rubric=rubric), recruiter=recruiter
    )
    start = timezone.now() - timedelta(hours=3)
    alice = add_interview(
        loop, "alice", vote="strong_no", start=start, red_flags=("overconfident",),
        scores={"systems_thinking": 1, "customer_empathy": 2, "measurement": 3, "risk_management": 4,
                "execution_bias": 5, "communication": 3, "humility": 4},
    )  # fmt: skip
    alice.interviewer.first_name, alice.interviewer.last_name = "Alice", "Ng"
    alice.interviewer.save()
    bob = add_interview(loop, "bob", vote="yes", submitted=False, start=start + timedelta(minutes=1))
    carol = add_interview(loop, "carol", vote=None, start=start + timedelta(minutes=2))
    InterviewFactory(
        loop=loop, interviewer=UserFactory(username="dave", role="interviewer"), cancelled_at=timezone.now(),
        scheduled_start=start + timedelta(minutes=3), scheduled_end=start + timedelta(hours=1),
    )  # fmt: skip
    return loop, alice, bob, carol


def user_ref(user, name):
    return {
        "id": user.pk,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "name": name,
        "employee_id": None,
    }


def test_the_export_is_the_loops_scorecards_in_harvests_shape(api_as, recruiter, panel):
    loop, alice, bob, carol = panel
    scorecard = alice.scorecard
    # (the rubric is published, so its rows are frozen to save(): a direct update stands for another wording)
    GutCheckQuestion.objects.filter(rubric=alice.rubric, key="work_with").update(
        text="Would you hire them onto your own team?"
    )

    answer = api_as(recruiter).get(f"/api/loops/{loop.pk}/export/")

    assert answer.status_code == 200
    first, second, third = answer.json()  # dave's cancelled interview is not there
    assert first == {
        "id": scorecard.pk,
        "created_at": None,
        "updated_at": iso(scorecard.updated_at),
        "interview": "Guide rubric",
        "interview_step": {"id": alice.pk, "name": "Guide rubric"},
        "candidate_id": loop.candidate_id,
        "application_id": loop.pk,
        "interviewed_at": iso(alice.scheduled_start),
        "submitted_by": user_ref(alice.interviewer, "Alice Ng"),
        "interviewer": user_ref(alice.interviewer, "Alice Ng"),
        "submitted_at": iso(scorecard.submitted_at),
        "overall_recommendation": "definitely_not",
        "attributes": [
            {"name": "Systems Thinking", "type": "Critical dimension", "note": "Evidence.", "rating": "definitely_not"},
            {"name": "Customer Empathy", "type": "Dimension", "note": "Evidence.", "rating": "no"},
            {"name": "Measurement", "type": "Dimension", "note": "Evidence.", "rating": "mixed"},
            {"name": "Risk Management", "type": "Critical dimension", "note": "Evidence.", "rating": "yes"},
            {"name": "Execution Bias", "type": "Critical dimension", "note": "Evidence.", "rating": "strong_yes"},
            {"name": "Communication", "type": "Dimension", "note": "Evidence.", "rating": "mixed"},
            {"name": "Humility", "type": "Dimension", "note": "Evidence.", "rating": "yes"},
        ],
        "ratings": {
            "definitely_not": ["Systems Thinking"],
            "no": ["Customer Empathy"],
            "mixed": ["Measurement", "Communication"],
            "yes": ["Risk Management", "Humility"],
            "strong_yes": ["Execution Bias"],
        },
        "questions": [
            {"id": None, "question": "Key Take-Aways", "answer": "alice says strong_no."},
            {"id": None, "question": "Would you hire them onto your own team?", "answer": "Yes"},  # the rubric's words
            {"id": None, "question": GUT_CHECK_QUESTIONS["trust_day_one"], "answer": "Yes"},
            {"id": None, "question": GUT_CHECK_QUESTIONS["month_one_success"], "answer": "Yes"},
            {"id": None, "question": "Red flags", "answer": "Overconfident"},
        ],
    }
    empty_ratings = {level: [] for level in RATING_LEVELS}
    # a draft is its interviewer's until submitted: no decision, nothing of its content
    assert second == {
        **second,
        "id": bob.scorecard.pk,
        "interviewer": user_ref(bob.interviewer, "Bob"),
        "submitted_by": None,
        "submitted_at": None,
        "overall_recommendation": "no_decision",
        "attributes": [],
        "ratings": empty_ratings,
        "questions": [],
    }
    assert (third["id"], third["updated_at"], third["overall_recommendation"], third["interview_step"]["id"]) == (
        None, None, "no_decision", carol.pk,
    )  # fmt: skip


def test_only_recruiters_export_and_a_missing_loop_is_404(api, api_as, recruiter, interviewer, outsider, panel):
    loop, alice, _, _ = panel
    url = f"/api/loops/{loop.pk}/export/"

    assert api.get(url).status_code == 401
    for user in (alice.interviewer, outsider):  # a panel member who may read the debrief too
        refused = api_as(user).get(url)
        assert refused.status_code == 403
        assert refused.json()["code"] == "permission_denied"
    assert api_as(outsider).get("/api/loops/999999/export/").status_code == 403  # existence not told
    missing = api_as(recruiter).get("/api/loops/999999/export/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


@pytest.mark.parametrize("panel_size", [2, 6])
def test_the_export_reads_in_a_fixed_number_of_queries(
    api_as, recruiter, rubric, panel_size, django_assert_num_queries
):
    loop = LoopFactory(position=PositionFactory(rubric=rubric), recruiter=recruiter)
    for number in range(panel_size):
        add_interview(loop, f"panelist{number}", vote="yes", red_flags=("defensive",))
    client = api_as(recruiter)
    # the token with its user, the caller's roles (2); the loop, the interviews with interviewers, rubrics and scorecards,
    # their scores, their red flags, the rubrics' gut-check wording (5)
    with django_assert_num_queries(7):
        answer = client.get(f"/api/loops/{loop.pk}/export/")
    assert len(answer.json()) == panel_size


def openapi_to_json_schema(node, components):
    """An OpenAPI 3.0 schema as JSON Schema: references resolved, `nullable` as a null type, every object closed."""
    if isinstance(node, list):
        return [openapi_to_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return openapi_to_json_schema(components[node["$ref"].rsplit("/", 1)[1]], components)
    schema = {key: openapi_to_json_schema(value, components) for key, value in node.items() if key != "nullable"}
    if node.get("type") == "object" and "properties" in node:
        schema["additionalProperties"] = False
    if node.get("nullable"):
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def test_the_schema_describes_the_export_exactly(api_as, recruiter, panel):
    loop = panel[0]
    spec = api_as(recruiter).get("/api/schema/?format=json").json()
    operation = spec["paths"]["/api/loops/{loop_id}/export/"]["get"]
    response_schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    schema = openapi_to_json_schema(response_schema, spec["components"]["schemas"])
    scorecard_schema = spec["components"]["schemas"]["HarvestScorecard"]

    body = api_as(recruiter).get(f"/api/loops/{loop.pk}/export/").json()

    assert list(Draft202012Validator(schema).iter_errors(body)) == []
    assert set(scorecard_schema["properties"]) == HARVEST_KEYS == set(scorecard_schema["required"])
    enum = spec["components"]["schemas"]["OverallRecommendationEnum"]["enum"]
    assert enum == ["definitely_not", "no", "yes", "strong_yes", "no_decision"]


# --- /loops/export.csv -------------------------------------------------------------------------------------------


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def read_csv(response) -> list[list[str]]:
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def loops(rubric, recruiter):
    position = PositionFactory(title="SRE", rubric=rubric)
    open_loop = LoopFactory(candidate__name="Jordan Rivera", position=position, recruiter=recruiter)
    hired = LoopFactory(
        candidate__name="Sam Okoro", position=position, recruiter=recruiter,
        status=Loop.Status.CLOSED, decision="hire", outcome="hire",
    )  # fmt: skip
    hostile = LoopFactory(
        candidate__name='=HYPERLINK("http://evil.example","click")', position=position, recruiter=recruiter
    )
    return open_loop, hired, hostile


def test_the_csv_lists_the_loops_with_the_pages_filters(recruiter, loops):
    open_loop, hired, hostile = loops
    client = signed_in(recruiter)

    everything = client.get("/loops/export.csv")
    closed = read_csv(client.get("/loops/export.csv?status=closed"))
    searched = read_csv(client.get("/loops/export.csv?q=jordan"))
    hires = read_csv(client.get("/loops/export.csv?decision=hire&status=open"))

    assert everything["Content-Type"] == "text/csv; charset=utf-8"
    assert everything["Content-Disposition"].startswith('attachment; filename="loops-')
    rows = read_csv(everything)
    assert rows[0] == list(LOOP_CSV_HEADER)
    assert [int(row[0]) for row in rows[1:]] == [hostile.pk, hired.pk, open_loop.pk]  # newest first, as the page
    assert [row[0] for row in closed[1:]] == [str(hired.pk)]
    assert closed[1][1:8] == ["Sam Okoro", "SRE", "Rita", "Closed", "Closed", "Hire", "Hire"]
    assert [row[0] for row in searched[1:]] == [str(open_loop.pk)]
    assert hires[1:] == []
    # the page lists the same loops for the same filters
    page = client.get("/loops/?status=closed")
    assert [loop.pk for loop in page.context["page"].object_list] == [hired.pk]


def test_csv_cells_that_would_run_as_formulas_are_neutralised(recruiter, rubric):
    position = PositionFactory(title="@SUM(A1:A9)", rubric=rubric)
    for name in ("=1+1", "+cmd|' /C calc'!A0", "-2+3", "\tTab", "Plain name"):
        LoopFactory(candidate__name=name, position=position, recruiter=recruiter)

    rows = read_csv(signed_in(recruiter).get("/loops/export.csv"))

    assert sorted(row[1] for row in rows[1:]) == sorted(
        ["'=1+1", "'+cmd|' /C calc'!A0", "'-2+3", "'\tTab", "Plain name"]
    )
    assert {row[2] for row in rows[1:]} == {"'@SUM(A1:A9)"}


def test_only_recruiters_download_the_csv(interviewer, outsider, loops):
    assert Client().get("/loops/export.csv").status_code == 302  # to the sign-in page
    assert signed_in(interviewer).get("/loops/export.csv").status_code == 403
    assert signed_in(outsider).get("/loops/export.csv").status_code == 403


def test_the_loops_page_links_the_csv_with_its_filters_for_recruiters(recruiter, interviewer, loops):
    page = signed_in(recruiter).get("/loops/?status=closed&q=sam&page=1")
    assert b'href="/loops/export.csv?status=closed&amp;q=sam" download>Download CSV</a>' in page.content
    assert b"Download CSV" not in signed_in(interviewer).get("/loops/").content


def test_the_csv_times_are_in_the_readers_zone(recruiter, loops):
    from interviewloop.profiles import user_set_time_zone

    user_set_time_zone(user=recruiter, time_zone="Asia/Kolkata")
    open_loop = loops[0]

    rows = read_csv(signed_in(recruiter).get("/loops/export.csv?q=jordan"))

    created = dict(zip(rows[0], rows[1], strict=True))["created_at"]
    assert created == open_loop.created_at.astimezone(ZoneInfo("Asia/Kolkata")).isoformat()
    assert created.endswith("+05:30")
