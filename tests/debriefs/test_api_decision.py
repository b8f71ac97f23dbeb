"""POST /api/loops/{id}/decision/: no_hire any time, hire only when the rule says hire."""

from __future__ import annotations

import pytest

from tests.debriefs.conftest import add_interview


def url(loop) -> str:
    return f"/api/loops/{loop.pk}/decision/"


@pytest.mark.django_db
def test_hire_against_one_no_is_409_one_no_is_no_hire(loop, recruiter, api_as):
    add_interview(loop, "alice", vote="strong_yes")
    add_interview(loop, "bob", vote="strong_no")

    response = api_as(recruiter).post(url(loop), {"decision": "hire"}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "code": "one_no_is_no_hire",
        "detail": "A No from bob: One No = No Hire. Record no_hire, or wait for an amended scorecard.",
        "decision": "no_hire",
        "reasons": ["bob voted Strong No: One No = No Hire."],
    }


@pytest.mark.django_db
def test_hire_while_pending_is_409_decision_pending(loop, recruiter, api_as):
    add_interview(loop, "alice", vote="yes")
    add_interview(loop, "bob", vote=None)

    response = api_as(recruiter).post(url(loop), {"decision": "hire"}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "code": "decision_pending",
        "detail": "The decision is still pending (Waiting for scorecards from bob): "
        "a hire needs every counting scorecard in, all Yes.",
        "decision": "pending",
        "reasons": ["Waiting for scorecards from bob."],
    }


@pytest.mark.django_db
def test_no_hire_is_recorded_and_answers_the_closed_loop_row(loop, recruiter, api_as):
    add_interview(loop, "alice", vote="yes")
    add_interview(loop, "bob", vote=None)

    response = api_as(recruiter).post(url(loop), {"decision": "no_hire"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["stage"], body["outcome"], body["outcome_by"]) == (
        loop.pk, "closed", "closed", "no_hire", "rita",
    )  # fmt: skip
    assert body["outcome_at"] is not None
    again = api_as(recruiter).post(url(loop), {"decision": "no_hire"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "loop_closed")


@pytest.mark.django_db
def test_hire_is_recorded_when_everyone_said_yes(loop, recruiter, api_as):
    add_interview(loop, "alice", vote="yes")
    response = api_as(recruiter).post(url(loop), {"decision": "hire"}, format="json")
    assert (response.status_code, response.json()["outcome"]) == (200, "hire")


@pytest.mark.django_db
def test_an_unknown_decision_is_400(loop, recruiter, api_as):
    response = api_as(recruiter).post(url(loop), {"decision": "maybe"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_decision")
    response = api_as(recruiter).post(url(loop), {}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


@pytest.mark.django_db
def test_who_may_record(loop, api, api_as, outsider, other_interviewer):
    member = add_interview(loop, "alice", vote="yes").interviewer
    body = {"decision": "no_hire"}
    assert api.post(url(loop), body, format="json").status_code == 401
    # a panel member who may read the debrief is forbidden to decide; anyone else does not know the loop
    response = api_as(member).post(url(loop), body, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    for user in (outsider, other_interviewer):
        assert api_as(user).post(url(loop), body, format="json").status_code == 404
    loop.refresh_from_db()
    assert loop.status == "open"
