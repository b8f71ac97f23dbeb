"""The whole recruiter's flow through the HTTP contract, from an empty loop to a recorded outcome.

Scheduling (this app) meets the interviewers' endpoints (notes, scorecards, amendments): the decision
stored on the loop follows each submission and amendment, and the debrief shows it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from interviewloop.models import Loop
from tests.factories import UserFactory

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DIMENSIONS = [
    "systems_thinking", "customer_empathy", "measurement", "risk_management",
    "execution_bias", "communication", "humility", "experience",
]  # fmt: skip


def scorecard(vote: str, score: int = 4) -> dict:
    return {
        "scores": {key: {"score": score, "evidence": "Said so."} for key in DIMENSIONS},
        "red_flags": [],
        "threads": [{"key": "first_two_weeks", "signal": "great", "notes": "A concrete plan."}],
        "gut_check": {"work_with": "yes", "trust_day_one": "yes", "month_one_success": "yes"},
        "vote": vote,
        "summary": f"A {vote}.",
    }


def note(vote: str) -> dict:
    return {"best_thing": "Asked who the users are.", "biggest_concern": "Rollback.", "vote": vote,
            "want_to_work_with": "yes"}  # fmt: skip


@pytest.mark.django_db
def test_schedule_interview_debrief_and_decide_through_the_api(recruiter, rubric, api_as):
    rita = api_as(recruiter)
    panel = {name: UserFactory(username=name, role="interviewer") for name in ("alice", "bob", "sam")}

    with time_machine.travel(MONDAY, tick=False) as clock:
        # the recruiter schedules: position, candidate, loop, three interviews (sam shadows)
        position = rita.post("/api/positions/", {"title": "LLM Reliability", "rubric": rubric.pk}).json()
        candidate = rita.post("/api/candidates/", {"name": "Jordan Rivera", "email": "jordan@example.com"}).json()
        loop = rita.post(
            "/api/loops/", {"candidate": candidate["id"], "position": position["id"]}, format="json"
        ).json()
        interviews = {}
        for offset, name in enumerate(panel):
            start = MONDAY + timedelta(hours=offset)
            response = rita.post(
                f"/api/loops/{loop['id']}/interviews/",
                {"interviewer": name, "scheduled_start": start.isoformat(),
                 "scheduled_end": (start + timedelta(minutes=50)).isoformat(),
                 "counts_toward_decision": name != "sam"},
                format="json",
            )  # fmt: skip
            assert response.status_code == 201, response.json()
            interviews[name] = response.json()["id"]

        # the interviews happen; each interviewer ends, writes the note, then the scorecard
        clock.move_to(MONDAY + timedelta(hours=3))

        def interview(name: str, note_vote: str, vote: str, score: int = 4) -> None:
            client = api_as(panel[name])
            assert client.post(f"/api/interviews/{interviews[name]}/end/").status_code == 200
            assert (
                client.put(f"/api/interviews/{interviews[name]}/note/", note(note_vote), format="json").status_code
                == 201
            )
            submitted = client.post(
                f"/api/interviews/{interviews[name]}/scorecard/submit/", scorecard(vote, score), format="json"
            )
            assert submitted.status_code == 200, submitted.json()

        interview("alice", "yes", "yes")
        interview("sam", "no", "no", score=2)  # a shadow's No is shown, not counted

        # alice has submitted: she may read the debrief; bob has not: he may not
        assert api_as(panel["alice"]).get(f"/api/loops/{loop['id']}/debrief/").status_code == 200
        assert api_as(panel["bob"]).get(f"/api/loops/{loop['id']}/debrief/").status_code == 403
        pending = rita.get(f"/api/loops/{loop['id']}/debrief/").json()
        assert (pending["decision"], pending["reasons"]) == ("pending", ["Waiting for scorecards from bob."])
        refused = rita.post(f"/api/loops/{loop['id']}/decision/", {"decision": "hire"}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (409, "decision_pending")

        interview("bob", "strong_yes", "yes")
        assert Loop.objects.get(pk=loop["id"]).decision == "hire"

        # bob re-reads his notes and amends his Yes to a No: the stored decision follows at once
        amended = api_as(panel["bob"]).post(
            f"/api/interviews/{interviews['bob']}/scorecard/amend/",
            {**scorecard("no"), "reason": "On reflection the rollback answer was hand-waving."},
            format="json",
        )
        assert amended.status_code == 200, amended.json()
        stored = Loop.objects.get(pk=loop["id"])
        assert (stored.decision, stored.decision_reason) == ("no_hire", "bob voted No: One No = No Hire.")

        debrief = rita.get(f"/api/loops/{loop['id']}/debrief/").json()
        assert (debrief["decision"], debrief["deciding"], debrief["missing"]) == ("no_hire", ["bob"], [])
        assert debrief["tally"] == {"strong_no": 0, "no": 1, "yes": 1, "strong_yes": 0}
        bob = next(vote for vote in debrief["votes"] if vote["interviewer"] == "bob")
        assert (bob["amended"], bob["vote_shift"]) == (True, {"from": "strong_yes", "to": "no", "steps": -2})
        assert debrief["threads"][0]["pulled"] == [
            {"interviewer": name, "signal": "great", "notes": "A concrete plan."} for name in ("alice", "bob", "sam")
        ]

        # the recruiter cannot hire against the No, and records the no_hire
        refused = rita.post(f"/api/loops/{loop['id']}/decision/", {"decision": "hire"}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (409, "one_no_is_no_hire")
        recorded = rita.post(f"/api/loops/{loop['id']}/decision/", {"decision": "no_hire"}, format="json")
        assert (recorded.status_code, recorded.json()["status"], recorded.json()["outcome"]) == (
            200, "closed", "no_hire",
        )  # fmt: skip
        assert rita.get("/api/loops/?status=closed&decision=no_hire").json()["count"] == 1
