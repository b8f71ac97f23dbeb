"""A scorecard on a rubric that is not the guide's: its own gut-check questions, and its weights beside the mean."""

from __future__ import annotations

import pytest

from scorecards.models import Scorecard, ScorecardAmendment
from tests.debriefs.conftest import recompute
from tests.factories import CODING_GUT_CHECK, InterviewFactory, NoteFactory, PositionFactory, make_weighted_rubric
from tests.scorecards.conftest import ENDED, START

pytestmark = pytest.mark.django_db


@pytest.fixture
def coding(interviewer):
    """Alice's ended coding round, on a rubric weighted 40/30/20/10, with her note written."""
    rubric = make_weighted_rubric()
    interview = InterviewFactory(
        interviewer=interviewer,
        loop__position=PositionFactory(rubric=rubric),
        scheduled_start=START,
        scheduled_end=ENDED,
        ended_at=ENDED,
    )
    NoteFactory(interview=interview)
    return interview


def url(interview, action=""):
    return f"/api/interviews/{interview.id}/scorecard/{action}"


def body(scores, *, gut="yes", vote="yes", red_flags=()):
    return {
        "scores": {key: {"score": score, "evidence": "Shown in the code."} for key, score in scores.items()},
        "red_flags": [{"key": key, "evidence": "Heard."} for key in red_flags],
        "gut_check": dict.fromkeys(CODING_GUT_CHECK, gut),
        "vote": vote,
        "summary": "Clean, tested, slow to start.",
    }


LOPSIDED = {"technical_skills": 5, "engineering_practices": 3, "problem_solving": 2, "communication": 1}


def test_the_gut_check_is_the_pinned_rubrics_questions(alice, coding):
    # not started: every question of the rubric, in its order, unanswered
    assert alice.get(url(coding)).json()["gut_check"] == {"ship_their_code": None, "pair_again": None}
    # the guide's questions are not this rubric's
    refused = alice.put(url(coding), {"gut_check": {"work_with": "yes"}}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "unknown_gut_check",
        "detail": "'work_with' is not a gut-check question of Coding round v1; they are ship_their_code, pair_again.",
        "field": "gut_check.work_with",
    }
    # a draft answers them by their keys; the submit needs every one of them
    partial = alice.put(url(coding), {"gut_check": {"pair_again": "yes"}}, format="json")
    assert partial.json()["gut_check"] == {"ship_their_code": None, "pair_again": "yes"}
    missing = alice.post(url(coding, "submit/"), {**body(LOPSIDED), "gut_check": {"pair_again": "yes"}}, format="json")
    assert missing.status_code == 400
    assert [p["field"] for p in missing.json()["problems"]] == ["gut_check.ship_their_code"]
    assert "Would I ship their code on Friday?" in missing.json()["problems"][0]["message"]
    # a doubt caps the vote at No, in the rubric's words
    doubt = alice.post(url(coding, "check/"), body(LOPSIDED, gut="not_sure"), format="json").json()
    assert doubt["max_allowed_vote"] == "no"
    assert 'Not sure to "Would I ship their code on Friday?"' in doubt["reasons"][0]["message"]


def test_a_weighted_rubric_gives_the_weighted_score_beside_the_mean(alice, coding):
    # (40*5 + 30*3 + 20*2 + 10*1) / 100 = 3.4 beside the plain mean 11 / 4 = 2.75
    draft = alice.put(url(coding), body(LOPSIDED, vote="no"), format="json").json()
    assert (draft["mean_score"], draft["weighted_score"]) == (2.75, 3.4)
    assert alice.get(url(coding)).json() == draft
    checked = alice.post(url(coding, "check/"), {}, format="json").json()
    assert (checked["mean_score"], checked["weighted_score"]) == (2.75, 3.4)
    # only the scored dimensions weigh: (40*4 + 10*1) / 50
    partial = alice.put(
        url(coding), {"scores": {"technical_skills": {"score": 4}, "communication": {"score": 1}}}, format="json"
    )
    assert (partial.json()["mean_score"], partial.json()["weighted_score"]) == (2.5, 3.4)


def test_weights_never_lift_the_vote_above_the_ceiling(alice, coding):
    # the heaviest dimension is critical: a 1 there caps the vote at No, whatever the weighted score says
    scores = {"technical_skills": 1, "engineering_practices": 5, "problem_solving": 5, "communication": 5}
    checked = alice.post(url(coding, "check/"), body(scores, vote="strong_yes"), format="json").json()
    assert checked["max_allowed_vote"] == "no"
    assert "one_in_critical" in [reason["rule"] for reason in checked["reasons"]]
    refused = alice.post(url(coding, "submit/"), body(scores, vote="yes"), format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "vote_not_allowed")
    assert not Scorecard.objects.exists()  # a refused submit with a body saves nothing


def test_submit_amend_and_the_debrief_keep_the_rubrics_keys_and_scores(alice, coding, recruiter, api_as):
    assert alice.post(url(coding, "submit/"), body(LOPSIDED, vote="no"), format="json").status_code == 200
    assert Scorecard.objects.get().gut_check == dict.fromkeys(CODING_GUT_CHECK, "yes")
    amended = alice.post(
        url(coding, "amend/"), {**body(LOPSIDED, vote="strong_no", gut="no"), "reason": "Re-read."}, format="json"
    )
    assert amended.status_code == 200
    assert ScorecardAmendment.objects.get().previous["gut_check"] == dict.fromkeys(CODING_GUT_CHECK, "yes")
    assert amended.json()["gut_check"] == dict.fromkeys(CODING_GUT_CHECK, "no")
    recompute(coding.loop)
    (vote,) = api_as(recruiter).get(f"/api/loops/{coding.loop_id}/debrief/").json()["votes"]
    assert (vote["vote"], vote["mean_score"], vote["weighted_score"]) == ("strong_no", 2.75, 3.4)


def test_the_debrief_page_shows_each_votes_mean_and_weighted_score(alice, coding, recruiter, client):
    assert alice.post(url(coding, "submit/"), body(LOPSIDED, vote="no"), format="json").status_code == 200
    client.force_login(recruiter)
    html = client.get(f"/loops/{coding.loop_id}/").content.decode()
    # (5 + 3 + 2 + 1) / 4 = 2.75; (40*5 + 30*3 + 20*2 + 10*1) / 100 = 3.40
    assert "mean 2.75, weighted 3.40" in html
