"""GET /api/loops/{id}/debrief/: the whole payload, who may read it, and its fixed query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.debriefs.conftest import add_interview, recompute
from tests.factories import UserFactory, iso, make_scorecard

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
START = NOW - timedelta(hours=30)  # every session ended 29 h ago: scorecards were due 5 h ago


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def url(loop) -> str:
    return f"/api/loops/{loop.pk}/debrief/"


@pytest.mark.django_db
def test_debrief_payload_names_the_no_that_decided_while_others_are_missing(frozen, loop, recruiter, api_as):
    # given: a Strong Yes, a No whose note said Yes (late), a shadow's No, a draft, and a session not held yet
    scores_bob = {"systems_thinking": 1, "customer_empathy": 3, "measurement": 2}
    add_interview(loop, "alice", vote="strong_yes", note_vote="yes", start=START, scores=5)
    add_interview(loop, "bob", vote="no", note_vote="yes", note_late=True, start=START, scores=scores_bob)
    shadow = add_interview(loop, "sam", vote="no", counts=False, start=START, scores={"systems_thinking": 2})
    add_interview(loop, "dave", vote="yes", submitted=False, start=START)
    later = NOW + timedelta(hours=2)
    add_interview(loop, "erin", vote=None, ended=False, start=later)
    bob_scorecard = loop.interviews.get(interviewer__username="bob").scorecard
    bob_scorecard.red_flags.create(
        red_flag=loop.position.rubric.red_flags.get(key="overconfident"), evidence="'Solved.'"
    )
    make_flags = shadow.scorecard.red_flags
    make_flags.create(red_flag=loop.position.rubric.red_flags.get(key="overconfident"), evidence="'Perfect.'")
    bob_scorecard.threads.create(
        thread=loop.position.rubric.threads.get(key="first_two_weeks"), signal="bad", notes="No plan."
    )
    recompute(loop)

    # when
    response = api_as(recruiter).get(url(loop))

    # then
    assert response.status_code == 200
    ended = START + timedelta(hours=1)
    note_due = ended + timedelta(minutes=5)
    submitted = iso(NOW)

    ids = dict(loop.interviews.values_list("interviewer__username", "pk"))
    rubric = loop.position.rubric
    panel = ["alice", "bob", "sam", "dave", "erin"]

    def vote(username, *, start=START, ended_at=START + timedelta(hours=1), **fields):
        row = {
            "interview": ids[username],
            "interviewer": username,
            "name": username.capitalize(),
            "counts_toward_decision": True,
            "bar_raiser": False,
            "rubric": rubric.pk,
            "focus": [],
            "scheduled_start": iso(start),
            "scheduled_end": iso(start + timedelta(hours=1)),
            "ended_at": iso(ended_at) if ended_at else None,
            "cancelled": False,
            "cancelled_at": None,
            "cancel_reason": None,
            "scorecard_status": "submitted",
            "vote": None,
            "submitted_at": submitted,
            "amended": False,
            "amended_at": None,
            "summary": None,
            "deciding": False,
            "note": {"status": "missing", "vote": None, "submitted_at": None, "due_at": iso(note_due)},
            "vote_shift": None,
            "mean_score": None,  # the plain mean of a submitted scorecard
            "weighted_score": None,  # the guide weighs every dimension alike
            # calibration (with_leniency): nothing to compare with unless told
            "leniency": None,
            "leniency_n": 0,
        }
        row.update(fields)
        return row

    def score(username, value, counts=True):
        return {
            "interviewer": username, "score": value, "evidence": "Evidence.", "counts_toward_decision": counts,
            "adjusted": None,  # one scorecard of history: not enough to adjust for leniency
        }  # fmt: skip

    def dimension(key, name, critical, scores, mean, low):
        return {
            "key": key, "name": name, "critical": critical, "rubric": rubric.pk, "scores": scores, "mean": mean,
            "min": low,
        }  # fmt: skip

    def covered(key, name, scored):
        return {"key": key, "name": name, "rubric": rubric.pk, "focus": panel, "scored": scored}

    assert response.json() == {
        "loop": {
            "id": loop.pk,
            "candidate": {"id": loop.candidate_id, "name": "Jordan Rivera"},
            "position": {"id": loop.position_id, "title": "LLM Reliability Engineer"},
            "recruiter": "rita",
            "status": "open",
            "debrief_at": None,
            "outcome": None,
            "outcome_at": None,
            "outcome_by": None,
        },
        "decision": "no_hire",
        "final": True,
        "reasons": ["bob voted No: One No = No Hire."],
        "deciding": ["bob"],
        "decision_changed_at": iso(NOW),
        "hire_allowed": False,
        "votes": [
            vote(
                "alice",
                vote="strong_yes",
                summary="alice says strong_yes.",
                note={
                    "status": "on_time",
                    "vote": "yes",
                    "submitted_at": iso(note_due - timedelta(minutes=2)),
                    "due_at": iso(note_due),
                },
                vote_shift={"from": "yes", "to": "strong_yes", "steps": 1},
                mean_score=5.0,
                leniency=3.0,  # her mean 5 against bob's (1 + 3 + 2) / 3: the shadow does not count
                leniency_n=1,
            ),
            vote(
                "bob",
                vote="no",
                summary="bob says no.",
                deciding=True,
                note={
                    "status": "late",
                    "vote": "yes",
                    "submitted_at": iso(note_due + timedelta(minutes=10)),
                    "due_at": iso(note_due),
                },
                vote_shift={"from": "yes", "to": "no", "steps": -1},
                mean_score=2.0,
                leniency=-3.0,
                leniency_n=1,
            ),
            vote("sam", vote="no", summary="sam says no.", counts_toward_decision=False, mean_score=2.0),
            vote("dave", scorecard_status="draft", submitted_at=None),
            vote(
                "erin",
                start=later,
                ended_at=None,
                scorecard_status="not_started",
                submitted_at=None,
                note={"status": "not_due", "vote": None, "submitted_at": None, "due_at": None},
            ),
        ],
        "tally": {"strong_no": 0, "no": 1, "yes": 0, "strong_yes": 1},
        "dimensions": [
            dimension(
                "systems_thinking",
                "Systems Thinking",
                True,
                [score("alice", 5), score("bob", 1), score("sam", 2, counts=False)],
                3.0,
                1,
            ),
            dimension("customer_empathy", "Customer Empathy", False, [score("alice", 5), score("bob", 3)], 4.0, 3),
            dimension("measurement", "Measurement", False, [score("alice", 5), score("bob", 2)], 3.5, 2),
            dimension("risk_management", "Risk Management", True, [score("alice", 5)], 5.0, 5),
            dimension("execution_bias", "Execution Bias", True, [score("alice", 5)], 5.0, 5),
            dimension("communication", "Communication", False, [score("alice", 5)], 5.0, 5),
            dimension("humility", "Humility", False, [score("alice", 5)], 5.0, 5),
            dimension("experience", "Experience", False, [score("alice", 5)], 5.0, 5),
        ],
        "rubrics": [{"id": rubric.pk, "key": rubric.key, "name": rubric.name, "version": rubric.version}],
        # Nobody has a focus, so every interview has every dimension in focus; alice scored them all: no gap.
        "coverage": {
            "dimensions": [
                covered("systems_thinking", "Systems Thinking", ["alice", "bob", "sam"]),
                covered("customer_empathy", "Customer Empathy", ["alice", "bob"]),
                covered("measurement", "Measurement", ["alice", "bob"]),
                *(
                    covered(key, name, ["alice"])
                    for key, name in [
                        ("risk_management", "Risk Management"),
                        ("execution_bias", "Execution Bias"),
                        ("communication", "Communication"),
                        ("humility", "Humility"),
                        ("experience", "Experience"),
                    ]
                ),
            ],
            "gaps": [],
        },
        "red_flags": [
            {
                "key": "overconfident",
                "name": "Overconfident",
                "count": 2,
                "raised_by": [
                    {"interviewer": "bob", "evidence": "'Solved.'", "counts_toward_decision": True},
                    {"interviewer": "sam", "evidence": "'Perfect.'", "counts_toward_decision": False},
                ],
            }
        ],
        "threads": [
            {
                "key": "first_two_weeks",
                "title": "First two weeks",
                "pulled": [{"interviewer": "bob", "signal": "bad", "notes": "No plan."}],
            }
        ],
        "notes": [
            {
                "interviewer": "alice",
                "name": "Alice",
                "best_thing": "alice: asked who the users are.",
                "biggest_concern": "alice: vague on rollback.",
                "vote": "yes",
                "want_to_work_with": "yes",
                "submitted_at": iso(note_due - timedelta(minutes=2)),
                "status": "on_time",
            },
            {
                "interviewer": "bob",
                "name": "Bob",
                "best_thing": "bob: asked who the users are.",
                "biggest_concern": "bob: vague on rollback.",
                "vote": "yes",
                "want_to_work_with": "yes",
                "submitted_at": iso(note_due + timedelta(minutes=10)),
                "status": "late",
            },
        ],
        "missing": [
            {
                "interviewer": "dave",
                "name": "Dave",
                "counts_toward_decision": True,
                "scorecard_status": "draft",
                "scheduled_start": iso(START),
                "ended_at": iso(ended),
                "scorecard_due_at": iso(ended + timedelta(hours=24)),
                "overdue_seconds": 5 * 3600,
            },
            {
                "interviewer": "erin",
                "name": "Erin",
                "counts_toward_decision": True,
                "scorecard_status": "not_started",
                "scheduled_start": iso(later),
                "ended_at": None,
                "scorecard_due_at": None,
                "overdue_seconds": 0,
            },
        ],
    }


@pytest.mark.django_db
def test_a_drafts_vote_and_scores_never_show(loop, recruiter, api_as):
    add_interview(loop, "alice", vote="strong_no", submitted=False, scores=1, red_flags=("defensive",))
    body = api_as(recruiter).get(url(loop)).json()
    assert body["decision"] == "pending"
    assert body["votes"][0]["vote"] is None
    assert body["votes"][0]["summary"] is None
    assert all(row["scores"] == [] for row in body["dimensions"])
    assert body["red_flags"] == []


@pytest.mark.django_db
def test_all_yes_is_a_hire_and_the_recruiter_may_record_it(loop, recruiter, api_as):
    add_interview(loop, "alice", vote="strong_yes")
    add_interview(loop, "bob", vote="yes")
    body = api_as(recruiter).get(url(loop)).json()
    assert (body["decision"], body["final"], body["hire_allowed"], body["missing"]) == ("hire", True, True, [])
    assert body["reasons"] == ["Every interviewer voted Yes or Strong Yes."]


# --- Who may read it ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_is_401(loop, api):
    response = api.get(url(loop))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_an_outsider_and_an_interviewer_not_on_the_panel_get_404(loop, outsider, other_interviewer, api_as):
    add_interview(loop, "alice", vote="no")
    for user in (outsider, other_interviewer):
        response = api_as(user).get(url(loop))
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "detail": "No such loop."}


@pytest.mark.django_db
def test_a_panel_member_gets_403_until_their_scorecard_is_submitted_then_200(loop, api_as):
    interview = add_interview(loop, "alice", vote=None)
    add_interview(loop, "bob", vote="no")
    client = api_as(interview.interviewer)

    response = client.get(url(loop))
    assert response.status_code == 403
    assert response.json()["code"] == "scorecard_not_submitted"

    scorecard = make_scorecard(interview, vote="yes", submitted=False)
    assert client.get(url(loop)).status_code == 403  # a draft is not enough

    scorecard.status, scorecard.submitted_at = "submitted", scorecard.updated_at
    scorecard.save()
    response = client.get(url(loop))
    assert response.status_code == 200
    assert response.json()["decision"] == "no_hire"


@pytest.mark.django_db
def test_a_recruiter_reads_any_loop_and_a_missing_one_is_404(loop, api_as):
    other_recruiter = UserFactory(username="rob", role="recruiter")
    assert api_as(other_recruiter).get(url(loop)).status_code == 200
    missing = api_as(other_recruiter).get("/api/loops/999999/debrief/")
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "detail": "No such loop."}


@pytest.mark.django_db
def test_a_loop_without_interviews_is_pending_with_its_rubrics_dimensions_unscored(frozen, loop, recruiter, api_as):
    response = api_as(recruiter).get(url(loop))
    assert response.status_code == 200
    body = response.json()
    dimensions = list(loop.position.rubric.dimensions.order_by("order", "id"))
    assert body["loop"] == {
        "id": loop.pk,
        "candidate": {"id": loop.candidate_id, "name": "Jordan Rivera"},
        "position": {"id": loop.position_id, "title": "LLM Reliability Engineer"},
        "recruiter": recruiter.username,
        "status": "open",
        "debrief_at": None,
        "outcome": None,
        "outcome_at": None,
        "outcome_by": None,
    }
    assert body["dimensions"] == [
        {
            "key": d.key,
            "name": d.name,
            "critical": d.critical,
            "rubric": d.rubric_id,
            "scores": [],
            "mean": None,
            "min": None,
        }
        for d in dimensions
    ]
    # No interview pins a rubric yet: the loop has no dimensions to cover.
    assert body["coverage"] == {"dimensions": [], "gaps": []}
    assert (body["decision"], body["final"], body["hire_allowed"]) == ("pending", False, False)
    assert body["reasons"] == ["No interview in this loop counts toward the decision yet."]
    assert [body[key] for key in ("votes", "deciding", "red_flags", "threads", "notes", "missing")] == [[]] * 6


# --- A fixed number of queries, whatever the panel size or the number of loops ----------------------


def build_panel(loop, size: int) -> None:
    for position in range(size):
        add_interview(
            loop,
            f"panelist{position}",
            vote="yes" if position else "no",
            note_vote="yes",
            note_late=position % 2 == 0,
            red_flags=("buzzword_soup",) if position % 3 == 0 else (),
            submitted=position < size - 1,
        )
        interview = loop.interviews.get(interviewer__username=f"panelist{position}")
        interview.scorecard.threads.create(
            thread=loop.position.rubric.threads.get(key="first_two_weeks"), signal="okay", notes="Fine."
        )


@pytest.mark.parametrize("size", [2, 8])
@pytest.mark.django_db
def test_debrief_query_count_does_not_grow_with_the_panel(size, loop, recruiter, api_as, django_assert_num_queries):
    build_panel(loop, size)
    for _ in range(3):  # other loops exist too
        add_interview(
            type(loop).objects.create(candidate=loop.candidate, position=loop.position, recruiter=recruiter),
            "elsewhere",
        )
    client = api_as(recruiter)
    # the token with its user (one query), the caller's roles, then the loop's stored debrief by its primary key (which
    # answers 404 for a missing loop): the document was written with the panel, not on this read; and the panel's
    # leniency (debriefs.calibration_selectors.with_leniency: one query whatever the panel).
    with django_assert_num_queries(3 + 1):
        response = client.get(url(loop))
    assert response.status_code == 200
    assert len(response.json()["votes"]) == size


@pytest.mark.parametrize("size", [2, 8])
@pytest.mark.django_db
def test_a_panel_members_debrief_costs_the_same(size, loop, api_as, django_assert_num_queries):
    build_panel(loop, size)
    member = loop.interviews.get(interviewer__username="panelist0").interviewer
    client = api_as(member)
    # the token with its user, the caller's roles, the member's own interview and scorecard, then the stored debrief,
    # and the panel's leniency.
    with django_assert_num_queries(4 + 1):
        response = client.get(url(loop))
    assert response.status_code == 200


@pytest.mark.django_db
def test_an_amended_scorecard_shows_its_new_vote_flagged_amended_and_the_decision_follows(loop, recruiter, api_as):
    add_interview(loop, "alice", vote="yes", note_vote="strong_yes")
    bob = add_interview(loop, "bob", vote="yes")
    scorecard = bob.scorecard
    scorecard.vote, scorecard.amended_at = "strong_no", scorecard.submitted_at
    scorecard.save()
    recompute(loop)

    body = api_as(recruiter).get(url(loop)).json()

    bob_row = next(vote for vote in body["votes"] if vote["interviewer"] == "bob")
    assert (bob_row["vote"], bob_row["amended"], bob_row["deciding"]) == ("strong_no", True, True)
    assert (body["decision"], body["tally"]) == ("no_hire", {"strong_no": 1, "no": 0, "yes": 1, "strong_yes": 0})
    alice_row = body["votes"][0]
    assert alice_row["vote_shift"] == {"from": "strong_yes", "to": "yes", "steps": -1}
