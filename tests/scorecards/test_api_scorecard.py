"""GET/PUT /api/interviews/{id}/scorecard/, POST .../check/, .../submit/, .../amend/."""

from __future__ import annotations

from unittest import mock

import pytest

from debriefs.services import loop_recompute_decision
from interviewloop.models import Loop
from scorecards.models import Dimension, Scorecard, ScorecardAmendment
from tests.factories import InterviewFactory, iso, make_rubric
from tests.scorecards.conftest import full_body, scores_body

pytestmark = pytest.mark.django_db

GUT_EMPTY = {"work_with": None, "trust_day_one": None, "month_one_success": None}


def url(interview, action=""):
    return f"/api/interviews/{interview.id}/scorecard/{action}"


def body_of(response):
    """The body part of a scorecard answer."""
    data = response.json()
    return {key: data[key] for key in ("scores", "red_flags", "threads", "gut_check", "vote", "summary")}


# --- read and draft -------------------------------------------------------------------------------


def test_a_scorecard_not_started_reads_empty(alice, interview):
    response = alice.get(url(interview))
    assert response.status_code == 200
    assert response.json() == {
        "interview": interview.id,
        "rubric": interview.rubric_id,
        "status": "not_started",
        "scores": {},
        "red_flags": [],
        "threads": [],
        "gut_check": GUT_EMPTY,
        "vote": None,
        "summary": "",
        "questions": [],
        "mean_score": None,
        "weighted_score": None,
        "updated_at": None,
        "submitted_at": None,
        "amended_at": None,
        "amendments": [],
    }


def test_a_partial_draft_is_saved_as_given(alice, interview):
    partial = {"scores": {"systems_thinking": {"score": 2, "evidence": ""}}, "vote": "no"}
    response = alice.put(url(interview), partial, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert body_of(response) == {
        "scores": {"systems_thinking": {"score": 2, "evidence": ""}},
        "red_flags": [],
        "threads": [],
        "gut_check": GUT_EMPTY,
        "vote": "no",
        "summary": "",
    }
    assert body_of(alice.get(url(interview))) == body_of(response)


def test_putting_a_draft_replaces_it_and_what_is_left_out_is_empty(alice, interview):
    alice.put(url(interview), full_body(red_flags=("defensive",)), format="json")
    response = alice.put(url(interview), {"summary": "Starting over."}, format="json")
    assert body_of(response) == {
        "scores": {},
        "red_flags": [],
        "threads": [],
        "gut_check": GUT_EMPTY,
        "vote": None,
        "summary": "Starting over.",
    }


def test_a_full_draft_round_trips_in_the_contracts_shape(alice, interview):
    body = full_body(red_flags=("buzzword_soup",))
    response = alice.put(url(interview), body, format="json")
    assert body_of(response) == body


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"scores": {"charisma": {"score": 3}}}, "unknown_dimension", "scores.charisma"),
        ({"scores": {"measurement": {"score": 6}}}, "score_out_of_range", "scores.measurement.score"),
        ({"scores": {"measurement": {"score": 0}}}, "score_out_of_range", "scores.measurement.score"),
        ({"red_flags": [{"key": "rude", "evidence": ""}]}, "unknown_red_flag", "red_flags[0].key"),
        ({"threads": [{"key": "astrology", "signal": "great"}]}, "unknown_thread", "threads[0].key"),
        ({"gut_check": {"vibes": "yes"}}, "unknown_gut_check", "gut_check.vibes"),
        (
            {"red_flags": [{"key": "defensive"}, {"key": "defensive"}]},
            "duplicate_red_flag",
            "red_flags[1].key",
        ),
    ],
)
def test_a_draft_with_keys_or_scores_the_rubric_does_not_know_is_400_naming_the_field(
    alice, interview, body, code, field
):
    alice.put(url(interview), {"summary": "Kept."}, format="json")
    response = alice.put(url(interview), body, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert response.json()["detail"]
    assert body_of(alice.get(url(interview)))["summary"] == "Kept."


def test_a_key_from_another_rubric_version_is_refused(alice, interview):
    # given a newer version of the rubric with a dimension the pinned version does not have
    newer = make_rubric(name="Guide rubric", version=2, status="draft")
    Dimension.objects.create(rubric=newer, key="ai_fluency", name="AI fluency", order=9)
    newer.status = "published"
    newer.save()
    # when alice scores it on her interview, pinned to version 1
    response = alice.put(url(interview), {"scores": {"ai_fluency": {"score": 4}}}, format="json")
    # then
    assert response.status_code == 400
    assert response.json() == {
        "code": "unknown_dimension",
        "detail": "'ai_fluency' is not a dimension of Guide rubric v1, the rubric this interview is scored against.",
        "field": "scores.ai_fluency",
    }


def test_a_badly_shaped_body_is_400(alice, interview):
    response = alice.put(
        url(interview), {"vote": "maybe", "threads": [{"key": "first_two_weeks", "signal": "meh"}]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"vote", "threads"}


# --- check ----------------------------------------------------------------------------------------


def test_check_gives_the_ceiling_and_every_reason_for_the_body_and_saves_nothing(alice, interview):
    body = full_body(score=4, vote="strong_yes", red_flags=("defensive",))
    response = alice.post(url(interview, "check/"), body, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "max_allowed_vote": "no",
        "reasons": [
            {
                "rule": "red_flag",
                "ceiling": "no",
                "message": (
                    "Red flag heard (Defensive): any red flag caps the vote at No "
                    '(guide, Overall Vote: "No: Any 1\'s in critical dimensions or red flags").'
                ),
                "dimensions": [],
                "red_flags": ["defensive"],
                "gut_check": [],
            }
        ],
        "mean_score": 4.0,
        "weighted_score": None,  # the guide weighs every dimension the same: its mean says it all
    }
    assert not Scorecard.objects.exists()


def test_check_with_an_empty_body_uses_the_saved_draft(alice, interview):
    alice.put(url(interview), {"scores": scores_body(4), "gut_check": {"work_with": "not_sure"}}, format="json")
    response = alice.post(url(interview, "check/"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["max_allowed_vote"] == "no"
    assert [reason["rule"] for reason in response.json()["reasons"]] == ["gut_check"]


def test_check_of_a_strong_scorecard_allows_strong_yes(alice, interview):
    response = alice.post(url(interview, "check/"), full_body(score=5, vote="strong_yes"), format="json")
    assert response.json() == {
        "max_allowed_vote": "strong_yes",
        "reasons": [],
        "mean_score": 5.0,
        "weighted_score": None,
    }


def test_check_refuses_unknown_keys_too(alice, interview):
    response = alice.post(url(interview, "check/"), {"scores": {"charisma": {"score": 5}}}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "unknown_dimension")


# --- submit ---------------------------------------------------------------------------------------


def test_submit_needs_the_note_first(alice, interview):
    alice.put(url(interview), full_body(), format="json")
    response = alice.post(url(interview, "submit/"), {}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "code": "note_required",
        "detail": "Write the five-minute note first: the first impression is captured before the scorecard.",
    }
    assert Scorecard.objects.get().status == "draft"


def test_an_incomplete_scorecard_is_refused_with_every_missing_field(alice, noted_interview):
    partial = {"scores": scores_body({"systems_thinking": 4, "measurement": 4}), "vote": "yes"}
    alice.put(url(noted_interview), partial, format="json")
    response = alice.post(url(noted_interview, "submit/"), {}, format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "incomplete"
    assert [problem["field"] for problem in data["problems"]] == [
        "scores.customer_empathy",
        "scores.risk_management",
        "scores.execution_bias",
        "scores.communication",
        "scores.humility",
        "gut_check.work_with",
        "gut_check.trust_day_one",
        "gut_check.month_one_success",
    ]
    assert data["problems"][0] == {
        "code": "incomplete",
        "field": "scores.customer_empathy",
        "message": "Score Customer Empathy from 1 to 5.",
    }


def test_a_1_or_a_5_without_evidence_is_refused(alice, noted_interview):
    body = full_body(score=4, vote="yes")
    body["scores"]["humility"] = {"score": 5, "evidence": "  "}
    response = alice.post(url(noted_interview, "submit/"), body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "evidence_required",
        "detail": "A score of 1 or 5 needs written evidence: scores.humility.evidence.",
        "problems": [
            {
                "code": "evidence_required",
                "field": "scores.humility.evidence",
                "message": "Humility is scored 5: write the evidence behind a 1 or a 5.",
            }
        ],
    }


def test_a_vote_above_the_ceiling_is_refused_with_its_reasons_and_the_draft_stays_as_it_was(alice, noted_interview):
    # given a saved draft with a 1 in a critical dimension and a Yes vote
    draft = full_body(score={**{k: 4 for k in scores_body()}, "risk_management": 1}, vote="yes")
    alice.put(url(noted_interview), draft, format="json")
    before = alice.get(url(noted_interview)).json()
    # when alice submits it, and then submits a Strong Yes body
    response = alice.post(url(noted_interview, "submit/"), {}, format="json")
    with_body = alice.post(url(noted_interview, "submit/"), draft | {"vote": "strong_yes"}, format="json")
    # then both are refused, naming the ceiling and every reason
    assert response.status_code == with_body.status_code == 400
    data = response.json()
    assert data["code"] == "vote_not_allowed"
    assert data["vote"] == "yes"
    assert data["max_allowed_vote"] == "no"
    assert [reason["rule"] for reason in data["reasons"]] == ["one_in_critical", "any_one", "critical_below_strong_yes"]
    assert data["detail"].startswith("A Yes vote is above what this scorecard allows (No): Critical dimension scored 1")
    assert with_body.json()["vote"] == "strong_yes"
    # and the draft is exactly as it was
    assert alice.get(url(noted_interview)).json() == before


def test_a_consistent_scorecard_is_submitted_locked_and_decides_the_loop(alice, noted_interview):
    alice.put(url(noted_interview), full_body(score=4, vote="yes"), format="json")
    with (
        mock.patch("debriefs.outbox.scorecard_submitted") as submitted,
        mock.patch("scorecards.services.loop_recompute_decision", wraps=loop_recompute_decision) as recompute,
    ):
        response = alice.post(url(noted_interview, "submit/"), {}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "submitted"
    assert data["submitted_at"] is not None
    assert body_of(response) == full_body(score=4, vote="yes")
    submitted.assert_called_once()
    recompute.assert_called_once()
    # the only counting interview voted Yes: the rule says hire
    assert Loop.objects.get(pk=noted_interview.loop_id).decision == "hire"
    listed = alice.get("/api/interviews/").json()["results"][0]
    assert listed["scorecard_status"] == "submitted"


def test_a_no_vote_makes_the_loop_no_hire(alice, noted_interview):
    InterviewFactory(loop=noted_interview.loop)  # another panel member, not yet submitted
    response = alice.post(url(noted_interview, "submit/"), full_body(score=3, vote="no"), format="json")
    assert response.status_code == 200
    assert Loop.objects.get(pk=noted_interview.loop_id).decision == "no_hire"


def test_submitting_twice_gives_one_submission_and_409(alice, noted_interview):
    alice.put(url(noted_interview), full_body(), format="json")
    first = alice.post(url(noted_interview, "submit/"), {}, format="json")
    second = alice.post(url(noted_interview, "submit/"), {}, format="json")
    assert (first.status_code, second.status_code) == (200, 409)
    assert second.json()["code"] == "already_submitted"
    assert iso(Scorecard.objects.get().submitted_at) == first.json()["submitted_at"]


def test_a_submitted_scorecard_is_locked_against_drafts(alice, noted_interview):
    alice.post(url(noted_interview, "submit/"), full_body(), format="json")
    response = alice.put(url(noted_interview), {"summary": "changed my mind"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_submitted"
    assert body_of(alice.get(url(noted_interview))) == full_body()


# --- amend ----------------------------------------------------------------------------------------


def test_an_amendment_needs_a_reason(alice, noted_interview):
    alice.post(url(noted_interview, "submit/"), full_body(), format="json")
    response = alice.post(url(noted_interview, "amend/"), full_body(vote="no") | {"reason": " "}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "reason_required",
        "detail": "Say why the submitted scorecard changes: an amendment needs a reason.",
        "field": "reason",
    }


def test_a_draft_is_not_amended(alice, noted_interview):
    alice.put(url(noted_interview), full_body(), format="json")
    response = alice.post(url(noted_interview, "amend/"), full_body(vote="no") | {"reason": "x"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "not_submitted")


def test_an_amendment_keeps_the_previous_version_and_recomputes_the_decision(alice, interviewer, noted_interview):
    alice.post(url(noted_interview, "submit/"), full_body(vote="yes"), format="json")
    assert Loop.objects.get(pk=noted_interview.loop_id).decision == "hire"
    response = alice.post(
        url(noted_interview, "amend/"),
        full_body(vote="no") | {"reason": "Re-read the doc: no rollback plan at all."},
        format="json",
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["vote"]) == ("submitted", "no")
    assert data["amended_at"] is not None
    amendment = ScorecardAmendment.objects.get()
    assert amendment.previous == full_body(vote="yes") | {"questions": []}  # the kit's questions: none here
    assert (amendment.previous_vote, amendment.amended_by) == ("yes", interviewer)
    assert data["amendments"] == [
        {
            "previous": full_body(vote="yes") | {"questions": []},
            "previous_vote": "yes",
            "reason": "Re-read the doc: no rollback plan at all.",
            "amended_by": "alice",
            "amended_at": data["amended_at"],
        }
    ]
    assert Loop.objects.get(pk=noted_interview.loop_id).decision == "no_hire"


def test_an_amendment_goes_through_the_same_rules(alice, noted_interview):
    alice.post(url(noted_interview, "submit/"), full_body(vote="yes"), format="json")
    response = alice.post(
        url(noted_interview, "amend/"),
        full_body(vote="strong_yes", gut="not_sure") | {"reason": "Felt better."},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "vote_not_allowed")
    assert not ScorecardAmendment.objects.exists()
    assert alice.get(url(noted_interview)).json()["vote"] == "yes"


# --- independence ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "action"),
    [("get", ""), ("put", ""), ("post", "check/"), ("post", "submit/"), ("post", "amend/")],
)
def test_another_interviewers_scorecard_is_not_found(
    api, api_as, other_interviewer, recruiter, outsider, noted_interview, method, action
):
    target = url(noted_interview, action)
    body = full_body() | {"reason": "x"}
    assert getattr(api, method)(target, body, format="json").status_code == 401
    response = getattr(api_as(other_interviewer), method)(target, body, format="json")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No interview of yours has this id."}
    for user in (recruiter, outsider):
        response = getattr(api_as(user), method)(target, body, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert not Scorecard.objects.exists()
