"""Scheduling API: positions, candidates, loops, interviews, and the loops list (filters, visibility, queries)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from debriefs import outbox
from interviewloop.models import Candidate, Interview, Loop, Position
from tests.debriefs.conftest import add_interview
from tests.factories import CandidateFactory, LoopFactory, PositionFactory, UserFactory, iso, make_rubric

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def scheduled_calls(monkeypatch):
    """Calls to outbox.debrief_scheduled, each with whether it ran inside the service's transaction."""
    calls: list[tuple[int, object, bool]] = []

    def record(loop):
        calls.append((loop.pk, loop.debrief_at, connection.in_atomic_block))

    monkeypatch.setattr(outbox, "debrief_scheduled", record)
    return calls


# --- Positions ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_recruiter_opens_a_position_on_a_published_rubric(frozen, recruiter, rubric, api_as):
    response = api_as(recruiter).post("/api/positions/", {"title": "LLM Reliability", "rubric": rubric.pk})
    assert response.status_code == 201
    position = Position.objects.get()
    assert response.json() == {
        "id": position.pk,
        "title": "LLM Reliability",
        "rubric": rubric.pk,
        "rounds": [],
        "created_at": iso(NOW),
    }

    listed = api_as(recruiter).get("/api/positions/")
    assert listed.json()["results"] == [response.json()]


@pytest.mark.django_db
def test_a_position_on_a_draft_rubric_is_400_rubric_not_published(recruiter, api_as):
    draft = make_rubric(status="draft", name="Draft rubric")
    response = api_as(recruiter).post("/api/positions/", {"title": "X", "rubric": draft.pk})
    assert response.status_code == 400
    assert response.json()["code"] == "rubric_not_published"
    assert not Position.objects.exists()


@pytest.mark.django_db
def test_positions_and_candidates_are_for_recruiters(interviewer, outsider, rubric, api, api_as):
    assert api.get("/api/positions/").status_code == 401
    for user in (interviewer, outsider):
        client = api_as(user)
        for response in (
            client.get("/api/positions/"),
            client.post("/api/positions/", {"title": "X", "rubric": rubric.pk}),
            client.post("/api/candidates/", {"name": "Jo", "email": "jo@example.com"}),
        ):
            assert response.status_code == 403
            assert response.json() == {"code": "permission_denied", "detail": "Only recruiters can do this."}
    assert not Position.objects.exists() and not Candidate.objects.exists()


# --- Candidates --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_recruiter_adds_a_candidate(frozen, recruiter, api_as):
    response = api_as(recruiter).post("/api/candidates/", {"name": " Jordan Rivera ", "email": "jordan@example.com"})
    assert response.status_code == 201
    candidate = Candidate.objects.get()
    assert response.json() == {
        "id": candidate.pk,
        "name": "Jordan Rivera",
        "email": "jordan@example.com",
        "phone": "",
        "created_at": iso(NOW),
    }


@pytest.mark.django_db
def test_a_candidate_needs_a_name_and_a_valid_email(recruiter, api_as):
    response = api_as(recruiter).post("/api/candidates/", {"name": "Jo", "email": "not-an-email"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"email"}


# --- Loops -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_recruiter_opens_a_loop_and_the_debrief_meeting_is_scheduled_in_the_transaction(
    frozen, recruiter, rubric, api_as, scheduled_calls
):
    candidate = CandidateFactory(name="Jordan Rivera")
    position = PositionFactory(title="LLM Reliability", rubric=rubric)
    debrief_at = NOW + timedelta(days=2)

    response = api_as(recruiter).post(
        "/api/loops/", {"candidate": candidate.pk, "position": position.pk, "debrief_at": iso(debrief_at)}
    )

    assert response.status_code == 201
    loop = Loop.objects.get()
    assert response.json() == {
        "id": loop.pk,
        "candidate": {"id": candidate.pk, "name": "Jordan Rivera"},
        "position": {"id": position.pk, "title": "LLM Reliability"},
        "recruiter": "rita",
        "status": "open",
        "stage": "scheduling",
        "decision": "pending",
        "decision_reason": "",
        "decision_changed_at": None,
        "outcome": None,
        "outcome_at": None,
        "outcome_by": None,
        "debrief_at": iso(debrief_at),
        "created_at": iso(NOW),
        "interview_count": 0,
        "submitted_count": 0,
        "missing_count": 0,
        "late_count": 0,
    }
    assert scheduled_calls == [(loop.pk, debrief_at, True)]


@pytest.mark.django_db
def test_a_loop_without_a_debrief_time_schedules_no_meeting(recruiter, rubric, api_as, scheduled_calls):
    candidate, position = CandidateFactory(), PositionFactory(rubric=rubric)
    response = api_as(recruiter).post("/api/loops/", {"candidate": candidate.pk, "position": position.pk})
    assert response.status_code == 201
    assert response.json()["debrief_at"] is None
    assert scheduled_calls == []


@pytest.mark.django_db
def test_moving_the_debrief_reschedules_its_reminder(recruiter, rubric, api_as, scheduled_calls):
    loop = LoopFactory(recruiter=recruiter, position=PositionFactory(rubric=rubric))
    new_time = datetime(2026, 4, 1, 16, 0, tzinfo=UTC)

    response = api_as(recruiter).patch(f"/api/loops/{loop.pk}/", {"debrief_at": iso(new_time)}, format="json")

    assert response.status_code == 200
    assert response.json()["debrief_at"] == iso(new_time)
    assert scheduled_calls == [(loop.pk, new_time, True)]
    # the same time again changes nothing and schedules nothing
    api_as(recruiter).patch(f"/api/loops/{loop.pk}/", {"debrief_at": iso(new_time)}, format="json")
    assert len(scheduled_calls) == 1


@pytest.mark.django_db
def test_an_erased_candidate_cannot_get_a_new_loop(recruiter, rubric, api_as):
    candidate = CandidateFactory(erased_at=NOW)
    position = PositionFactory(rubric=rubric)
    response = api_as(recruiter).post("/api/loops/", {"candidate": candidate.pk, "position": position.pk})
    assert (response.status_code, response.json()["code"]) == (400, "candidate_erased")


@pytest.mark.django_db
def test_interviewers_cannot_open_or_move_loops(interviewer, outsider, rubric, api, api_as):
    candidate, position = CandidateFactory(), PositionFactory(rubric=rubric)
    body = {"candidate": candidate.pk, "position": position.pk}
    assert api.post("/api/loops/", body).status_code == 401
    for user in (interviewer, outsider):
        response = api_as(user).post("/api/loops/", body)
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    loop = LoopFactory(position=position)
    assert api_as(interviewer).patch(f"/api/loops/{loop.pk}/", {"debrief_at": None}, format="json").status_code == 404
    assert not Loop.objects.exclude(pk=loop.pk).exists()


# --- Interviews --------------------------------------------------------------------------------------


@pytest.fixture
def open_loop(db, recruiter, rubric):
    return LoopFactory(
        recruiter=recruiter, candidate__name="Jordan Rivera", position=PositionFactory(title="LLM", rubric=rubric)
    )


def schedule(client, loop, **fields):
    body = {
        "interviewer": "alice",
        "scheduled_start": "2026-03-03T10:00:00Z",
        "scheduled_end": "2026-03-03T11:00:00Z",
        "counts_toward_decision": True,
        **fields,
    }
    return client.post(f"/api/loops/{loop.pk}/interviews/", body, format="json")


@pytest.mark.django_db
def test_a_recruiter_schedules_an_interview_on_the_positions_rubric(frozen, open_loop, interviewer, recruiter, api_as):
    response = schedule(api_as(recruiter), open_loop)
    assert response.status_code == 201
    interview = Interview.objects.get()
    assert response.json() == {
        "id": interview.pk,
        "loop": open_loop.pk,
        "candidate": "Jordan Rivera",
        "position": "LLM",
        "interviewer": "alice",
        "rubric": open_loop.position.rubric_id,
        "scheduled_start": "2026-03-03T10:00:00Z",
        "scheduled_end": "2026-03-03T11:00:00Z",
        "ended_at": None,
        "note_due_at": None,
        "note_status": "not_due",
        "scorecard_status": "not_started",
        "counts_toward_decision": True,
        "round": None,
        "focus": [],
        "questions": [],
        "bar_raiser": False,
    }


@pytest.mark.django_db
def test_an_interview_may_pin_another_published_rubric_version_but_not_a_draft(
    open_loop, interviewer, recruiter, api_as
):
    newer = make_rubric(name="Guide rubric", version=2)
    draft = make_rubric(name="Guide rubric", version=3, status="draft")
    client = api_as(recruiter)

    refused = schedule(client, open_loop, rubric=draft.pk)
    assert (refused.status_code, refused.json()["code"]) == (400, "rubric_not_published")

    response = schedule(client, open_loop, rubric=newer.pk, counts_toward_decision=False)
    assert response.status_code == 201
    assert (response.json()["rubric"], response.json()["counts_toward_decision"]) == (newer.pk, False)


@pytest.mark.django_db
def test_the_interviewer_must_be_an_interviewer(open_loop, recruiter, outsider, api_as):
    client = api_as(recruiter)
    for username in ("charlie", "rita", "nobody"):
        response = schedule(client, open_loop, interviewer=username)
        assert (response.status_code, response.json()["code"]) == (400, "not_an_interviewer")
    assert not Interview.objects.exists()


@pytest.mark.django_db
def test_the_interview_must_end_after_it_starts(open_loop, interviewer, recruiter, api_as):
    response = schedule(api_as(recruiter), open_loop, scheduled_end="2026-03-03T10:00:00Z")
    assert response.status_code == 400
    assert response.json() == {"code": "end_before_start", "detail": "The interview must end after it starts."}
    bad = schedule(api_as(recruiter), open_loop, scheduled_start="tomorrow")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")


@pytest.mark.django_db
def test_one_interview_per_interviewer_per_loop_is_409(open_loop, interviewer, recruiter, api_as):
    client = api_as(recruiter)
    assert schedule(client, open_loop).status_code == 201
    again = schedule(client, open_loop, scheduled_start="2026-03-04T10:00:00Z", scheduled_end="2026-03-04T11:00:00Z")
    assert (again.status_code, again.json()["code"]) == (409, "already_on_panel")
    assert Interview.objects.count() == 1


@pytest.mark.django_db
def test_a_new_counting_interview_turns_a_hire_back_to_pending(open_loop, interviewer, recruiter, api_as):
    add_interview(open_loop, "bob", vote="yes")
    from debriefs.services import loop_recompute_decision

    loop_recompute_decision(loop=open_loop)
    assert Loop.objects.get(pk=open_loop.pk).decision == "hire"
    assert schedule(api_as(recruiter), open_loop).status_code == 201
    assert Loop.objects.get(pk=open_loop.pk).decision == "pending"


@pytest.mark.django_db
def test_a_closed_loop_takes_no_more_interviews(open_loop, interviewer, recruiter, api_as):
    open_loop.status = "closed"
    open_loop.save()
    response = schedule(api_as(recruiter), open_loop)
    assert (response.status_code, response.json()["code"]) == (409, "loop_closed")


@pytest.mark.django_db
def test_only_recruiters_schedule_interviews(open_loop, interviewer, outsider, api, api_as):
    assert schedule(api, open_loop).status_code == 401
    for user in (interviewer, outsider):
        assert schedule(api_as(user), open_loop).status_code == 404  # they may not know the loop exists
    assert schedule(api_as(interviewer), type(open_loop)(pk=999999)).status_code == 404
    assert not Interview.objects.exists()


# --- The loops list ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_loops_list_counts_missing_and_late_and_filters(frozen, recruiter, rubric, api_as):
    position = PositionFactory(title="LLM Reliability", rubric=rubric)
    no_hire = LoopFactory(recruiter=recruiter, candidate__name="Avery", position=position)
    add_interview(no_hire, "alice", vote="no", note_vote="yes", note_late=True)
    add_interview(no_hire, "bob", vote=None)  # ended, no note past its deadline, no scorecard
    add_interview(no_hire, "carol", vote=None, ended=False)
    from debriefs.services import loop_recompute_decision

    loop_recompute_decision(loop=no_hire)
    empty = LoopFactory(recruiter=recruiter, candidate__name="Blake", position=PositionFactory(title="Support"))
    client = api_as(recruiter)

    body = client.get("/api/loops/").json()
    assert body["count"] == 2
    rows = {row["candidate"]["name"]: row for row in body["results"]}
    assert {k: rows["Avery"][k] for k in ("stage", "decision", "interview_count", "submitted_count", "missing_count",
                                          "late_count")} == {
        "stage": "debrief", "decision": "no_hire", "interview_count": 3, "submitted_count": 1, "missing_count": 2,
        "late_count": 2,
    }  # fmt: skip
    assert (rows["Blake"]["stage"], rows["Blake"]["missing_count"], rows["Blake"]["late_count"]) == ("scheduling", 0, 0)

    def names(query):
        return [row["candidate"]["name"] for row in client.get(f"/api/loops/?{query}").json()["results"]]

    assert names("decision=no_hire") == ["Avery"]
    assert names("decision=pending") == ["Blake"]
    assert names("status=open&decision=hire") == []
    assert names("q=support") == ["Blake"]
    assert names("q=aver") == ["Avery"]
    assert empty.pk in [row["id"] for row in client.get("/api/loops/?status=open").json()["results"]]
    bad = client.get("/api/loops/?decision=maybe")
    assert bad.status_code == 400
    assert bad.json() == {
        "code": "invalid_filter",
        "detail": "decision must be one of pending, hire, no_hire.",
        "field": "decision",
    }


@pytest.mark.django_db
def test_a_panel_member_lists_only_the_loops_they_submitted_in(recruiter, rubric, outsider, api, api_as):
    position = PositionFactory(rubric=rubric)
    submitted = LoopFactory(recruiter=recruiter, position=position)
    drafting = LoopFactory(recruiter=recruiter, position=position)
    LoopFactory(recruiter=recruiter, position=position)  # not on this panel
    member = add_interview(submitted, "alice", vote="yes").interviewer
    add_interview(drafting, "alice", vote="yes", submitted=False)

    assert [row["id"] for row in api_as(member).get("/api/loops/").json()["results"]] == [submitted.pk]
    assert api_as(outsider).get("/api/loops/").json()["results"] == []
    assert api.get("/api/loops/").status_code == 401
    # the loop row itself follows the debrief's rule
    assert api_as(member).get(f"/api/loops/{submitted.pk}/").status_code == 200
    assert api_as(member).get(f"/api/loops/{drafting.pk}/").status_code == 403
    assert api_as(outsider).get(f"/api/loops/{submitted.pk}/").status_code == 404


def many_loops(recruiter, rubric, count: int) -> None:
    position = PositionFactory(rubric=rubric)
    panel = [UserFactory(username=f"panel{n}", role="interviewer") for n in range(3)]
    for number in range(count):
        loop = LoopFactory(recruiter=recruiter, position=position)
        for member in panel[: 1 + number % 3]:
            add_interview(loop, member.username, vote="yes", note_vote="yes", note_late=number % 2 == 0)


@pytest.mark.parametrize("count", [2, 12])
@pytest.mark.django_db
def test_the_loops_list_query_count_does_not_grow(count, recruiter, rubric, api_as, django_assert_num_queries):
    many_loops(recruiter, rubric, count)
    client = api_as(recruiter)
    # the token with its user, the caller's roles, the page's COUNT, the page's stored rows.
    with django_assert_num_queries(4) as queries:
        response = client.get("/api/loops/?status=open")
    assert len(response.json()["results"]) == count
    # the COUNT reads the loops alone: joining their stored rows only to count them is work for nothing
    (counting,) = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]
    assert "debriefdocument" not in counting and "JOIN" not in counting, counting


@pytest.mark.django_db
def test_the_debrief_meeting_reminder_reaches_the_panel_scheduled_after_it(
    recruiter, rubric, interviewer, other_interviewer, api_as
):
    from debriefs.models import Reminder

    client = api_as(recruiter)
    candidate, position = CandidateFactory(), PositionFactory(rubric=rubric)
    debrief_at = datetime(2030, 5, 7, 16, 0, tzinfo=UTC)
    loop = client.post(
        "/api/loops/", {"candidate": candidate.pk, "position": position.pk, "debrief_at": iso(debrief_at)}
    ).json()
    for username in ("alice", "bob"):
        assert schedule(client, Loop(pk=loop["id"]), interviewer=username).status_code == 201

    pending = Reminder.objects.filter(kind="debrief_meeting", loop_id=loop["id"], cancelled_at__isnull=True)
    assert sorted(pending.values_list("recipient__username", flat=True)) == ["alice", "bob", "rita"]
    assert {reminder.due_at for reminder in pending} == {debrief_at - timedelta(minutes=30)}


@pytest.mark.parametrize("count", [2, 12])
@pytest.mark.django_db
def test_a_panel_members_loops_list_costs_the_same(count, recruiter, rubric, api_as, django_assert_num_queries):
    many_loops(recruiter, rubric, count)
    client = api_as(UserFactory(username="panel0"))
    # the token with its user, the caller's roles, the page's COUNT and rows (an EXISTS on the member's submitted
    # scorecard in both).
    with django_assert_num_queries(4):
        response = client.get("/api/loops/")
    assert response.json()["count"] == count  # panel0 sits on every loop, scorecard submitted
