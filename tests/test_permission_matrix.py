"""The permission matrix: every API endpoint and page in DESIGN.md, for every role, gets exactly what is allowed.

Roles (the guide's cast): anonymous; `alice`, on the loop, scorecard submitted (so the debrief is open
to her); `bob`, on the loop, his interview ended but nothing written yet (he owns the interview the
interview endpoints act on); `dave`, an interviewer not on the loop; `rita`, the recruiter; `ada`, an
admin (staff, no recruiter or interviewer role: admins edit rubrics in Django admin).

Each row names the one status the allowed roles get and what everyone else may get instead:
401 when anonymous on the API (a redirect to the login page on pages), 403 or 404 for a role that
knows the object exists, and 404 for one that may not know it exists. On top, for the roles not on
the loop, the answer for the real object must be the same as for an id that does not exist: the
status code itself must not tell them that a loop or an interview is there. Listings are checked
separately: nothing of the loop shows in a list for a role that may not see it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from interviewloop.tokens import ApiToken
from scorecards.questions import Question, QuestionBank
from tests.factories import (
    CandidateFactory,
    InterviewFactory,
    LoopFactory,
    NoteFactory,
    PositionFactory,
    UserFactory,
    make_rubric,
    make_scorecard,
)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
MISSING = 987654
ROLES = ["anonymous", "alice", "bob", "dave", "rita", "ada"]
ON_THE_LOOP = {"alice", "bob"}
NOT_ON_THE_LOOP = {"dave", "ada"}
HIDDEN_NAME = "Hedy Lamarr"  # the candidate on the loop: must not show to those who may not see it


@pytest.fixture
def world(db) -> dict[str, Any]:
    rubric = make_rubric()
    users = {
        "alice": UserFactory(username="alice", role="interviewer"),
        "bob": UserFactory(username="bob", role="interviewer"),
        "dave": UserFactory(username="dave", role="interviewer"),
        "rita": UserFactory(username="rita", role="recruiter"),
        "ada": UserFactory(username="ada", role="admin"),
    }
    position = PositionFactory(rubric=rubric)
    loop = LoopFactory(recruiter=users["rita"], position=position, candidate=CandidateFactory(name=HIDDEN_NAME))
    now = timezone.now()
    submitted = InterviewFactory(loop=loop, interviewer=users["alice"], rubric=rubric, ended_at=now)
    NoteFactory(interview=submitted)
    make_scorecard(submitted, vote="yes")
    pending = InterviewFactory(loop=loop, interviewer=users["bob"], rubric=rubric, ended_at=now)
    # An interview not held yet (its interviewer is nobody in the cast): the recruiter may move or cancel it.
    upcoming = InterviewFactory(
        loop=loop,
        rubric=rubric,
        scheduled_start=now + timedelta(days=3),
        scheduled_end=now + timedelta(days=3, hours=1),
    )
    # dave has a loop of his own, so his lists are not trivially empty.
    InterviewFactory(interviewer=users["dave"], rubric=rubric)
    bank = QuestionBank.objects.create(key="llm", name="LLM bank")
    question = Question.objects.create(bank=bank, key="q01", domain_name="RAG", title="Why?", prompt="Tell me why.")
    return {
        "users": users,
        "ids": {
            "loop": loop.pk,
            "rubric": rubric.pk,
            "position": position.pk,
            "candidate": loop.candidate_id,
            "pending": pending.pk,
            "submitted": submitted.pk,
            "upcoming": upcoming.pk,
            "question": question.pk,
        },
        "start": (now + timedelta(days=2)).isoformat(),
        "end": (now + timedelta(days=2, hours=1)).isoformat(),
    }


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # {loop}, {pending}... are filled from the world
    allowed: dict[str, int]  # role → the status it gets
    body: Any = None
    page: bool = False
    # What a role that is refused may get instead (by default: see `refused`).
    also: dict[str, set[int]] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def everyone(status: int) -> dict[str, int]:
    return {role: status for role in ROLES}


SIGNED_IN = ["alice", "bob", "dave", "rita", "ada"]


def only(status: int, *roles: str) -> dict[str, int]:
    return dict.fromkeys(roles, status)


def bodies(world: dict[str, Any]) -> dict[str, Any]:
    ids = world["ids"]
    return {
        "position": {"title": "Staff Engineer", "rubric": ids["rubric"]},
        "candidate": {"name": "Alan Turing", "email": "alan@example.com"},
        "loop": {"candidate": ids["candidate"], "position": ids["position"]},
        "interview": {
            "interviewer": "dave",
            "scheduled_start": world["start"],
            "scheduled_end": world["end"],
            "counts_toward_decision": True,
        },
        "note": {
            "best_thing": "Asked about users first.",
            "biggest_concern": "Rollout.",
            "vote": "yes",
            "want_to_work_with": "yes",
        },
        "draft": {"scores": {"systems_thinking": {"score": 4, "evidence": "Drew it."}}},
        "decision": {"decision": "no_hire"},
        "debrief_at": {"debrief_at": world["end"]},
        "token": {"username": "alice", "password": "pw-for-tests-only"},
        "reschedule": {"scheduled_start": world["start"], "scheduled_end": world["end"]},
        "cancel": {"reason": "Not needed."},
        # The debrief page's per-interview forms are prefixed with the interview's id.
        "page_reschedule": {
            f"i{ids['upcoming']}-scheduled_start": "2030-05-06T10:00",
            f"i{ids['upcoming']}-scheduled_end": "2030-05-06T11:00",
        },
        "page_interviewer": {f"i{ids['upcoming']}-interviewer": "dave"},
        "page_cancel": {f"i{ids['upcoming']}-reason": "Not needed."},
        "page_cancel_remaining": {"reason": "Decided No."},
    }


API = [
    Row("GET", "/api/health/", everyone(200)),
    Row("POST", "/api/auth/token/", everyone(200), body="token"),
    # Revoking: the token presented (each role's client holds its own), or all of the caller's tokens.
    Row("DELETE", "/api/auth/token/", only(204, *SIGNED_IN)),
    Row("DELETE", "/api/auth/tokens/", only(204, *SIGNED_IN)),
    Row("GET", "/api/rubrics/", only(200, *SIGNED_IN)),
    Row("GET", "/api/rubrics/{rubric}/", only(200, *SIGNED_IN)),
    Row("GET", "/api/questions/", only(200, *SIGNED_IN)),
    Row("GET", "/api/questions/{question}/", only(200, *SIGNED_IN)),
    Row("GET", "/api/positions/", only(200, "rita")),
    Row("POST", "/api/positions/", only(201, "rita"), body="position"),
    Row("GET", "/api/candidates/", only(200, "rita")),
    Row("POST", "/api/candidates/", only(201, "rita"), body="candidate"),
    Row("POST", "/api/loops/", only(201, "rita"), body="loop"),
    Row("POST", "/api/loops/{loop}/interviews/", only(201, "rita"), body="interview"),
    # Interviewers see their own interviews, recruiters all (the listing test checks what is in them).
    Row("GET", "/api/interviews/", only(200, "alice", "bob", "dave", "rita")),
    Row("POST", "/api/interviews/{pending}/end/", only(200, "bob")),
    Row("PUT", "/api/interviews/{pending}/note/", only(201, "bob"), body="note"),
    Row("GET", "/api/interviews/{pending}/scorecard/", only(200, "bob")),
    Row("PUT", "/api/interviews/{pending}/scorecard/", only(200, "bob"), body="draft"),
    Row("POST", "/api/interviews/{pending}/scorecard/check/", only(200, "bob"), body="draft"),
    # Permission passes for bob; the contract's 409: the note comes first.
    Row("POST", "/api/interviews/{pending}/scorecard/submit/", only(409, "bob")),
    # Amending needs a reason: alice passes the permission and meets the 400.
    Row("POST", "/api/interviews/{submitted}/scorecard/amend/", only(400, "alice"), body="draft"),
    # Lists answer 200 to every interviewer (narrowed to what they may see); the listing test checks contents.
    Row("GET", "/api/loops/", only(200, "alice", "bob", "dave", "rita"), also={"ada": {200}}),
    Row("GET", "/api/loops/{loop}/", only(200, "alice", "rita")),
    Row("PATCH", "/api/loops/{loop}/", only(200, "rita"), body="debrief_at"),
    Row("GET", "/api/loops/{loop}/debrief/", only(200, "alice", "rita")),
    Row("POST", "/api/loops/{loop}/decision/", only(200, "rita"), body="decision"),
    # Rescheduling and cancelling: recruiters only; anyone else 404, whatever the id.
    Row("PATCH", "/api/interviews/{upcoming}/", only(200, "rita"), body="reschedule"),
    Row("POST", "/api/interviews/{upcoming}/cancel/", only(200, "rita"), body="cancel"),
    Row("POST", "/api/loops/{loop}/cancel-remaining/", only(200, "rita"), body="cancel"),
    # Calibration: recruiters every interviewer's row, an interviewer their own; an admin (no role) is refused.
    Row("GET", "/api/analytics/interviewers/", only(200, "alice", "bob", "dave", "rita")),
]

PAGES = [
    Row("GET", "/accounts/login/", {"anonymous": 200}, page=True, also={r: {302} for r in SIGNED_IN}),
    Row("GET", "/", only(302, "anonymous", "alice", "bob", "dave", "rita", "ada"), page=True),
    Row("GET", "/interviews/", only(200, "alice", "bob", "dave"), page=True),
    Row("GET", "/interviews/{pending}/", only(200, "bob"), page=True),
    Row("GET", "/interviews/{pending}/note/", only(200, "bob"), page=True),
    Row("GET", "/interviews/{pending}/scorecard/", only(200, "bob"), page=True, also={"bob": {302}}),
    Row("POST", "/interviews/{pending}/end/", only(302, "bob"), page=True),
    Row("POST", "/interviews/{pending}/note/", only(302, "bob"), page=True, body="note"),
    # An empty scorecard form: bob gets the form back with what is missing (or is sent on to it).
    Row("POST", "/interviews/{pending}/scorecard/", only(200, "bob"), page=True, also={"bob": {302, 400}}),
    Row("GET", "/loops/", only(200, "alice", "bob", "dave", "rita"), page=True, also={"ada": {200}}),
    Row("POST", "/loops/new/", only(400, "rita"), page=True, body="candidate", also={"rita": {200}}),
    Row("GET", "/loops/new/", only(200, "rita"), page=True),
    Row("GET", "/loops/{loop}/", only(200, "alice", "rita"), page=True),
    Row("POST", "/loops/{loop}/decision/", only(302, "rita"), page=True, body="decision"),
    Row(
        "POST", "/loops/{loop}/interviews/{upcoming}/reschedule/", only(302, "rita"), page=True, body="page_reschedule"
    ),
    Row(
        "POST",
        "/loops/{loop}/interviews/{upcoming}/interviewer/",
        only(302, "rita"),
        page=True,
        body="page_interviewer",
    ),
    Row("POST", "/loops/{loop}/interviews/{upcoming}/cancel/", only(302, "rita"), page=True, body="page_cancel"),
    Row("POST", "/loops/{loop}/cancel-remaining/", only(302, "rita"), page=True, body="page_cancel_remaining"),
    Row("GET", "/analytics/", only(200, "alice", "bob", "dave", "rita"), page=True),
    Row("GET", "/analytics/interviewers.csv", only(200, "alice", "bob", "dave", "rita"), page=True),
    Row("GET", "/admin/", only(200, "ada"), page=True),
    Row("GET", "/admin/scorecards/rubric/", only(200, "ada"), page=True),
    Row("GET", "/admin/scorecards/question/", only(200, "ada"), page=True),
    Row("GET", "/admin/interviewloop/loop/{loop}/change/", only(200, "ada"), page=True),
]


def refused(row: Row, role: str) -> set[int]:
    """What a role that is not allowed may get."""
    if role == "anonymous":
        return {302} if row.page else {401}
    if row.path.startswith("/admin/"):
        return {302}  # to the admin's own login page
    if role == "dave" and "{" in row.path:
        # An interviewer not on the loop may not know it exists: 404, exactly as for an id that does not exist.
        # (An admin may get a role-based 403 from an interviewer-only endpoint, whatever the id: that tells
        # nothing either; the same-answer-for-a-missing-id check below holds every role not on the loop to it.)
        return {404}
    return {403, 404}


def client_for(role: str, world: dict[str, Any], page: bool) -> Client | APIClient:
    if page:
        client = Client()
        if role != "anonymous":
            client.force_login(world["users"][role], backend=MODEL_BACKEND)
        return client
    api = APIClient()
    if role != "anonymous":
        api.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.objects.create(user=world['users'][role])[1]}")
    return api


def call(row: Row, role: str, world: dict[str, Any], ids: dict[str, int]) -> Any:
    client = client_for(role, world, row.page)
    path = row.path.format(**ids)
    body = bodies(world)[row.body] if row.body else None
    if row.page:
        return client.generic(row.method, path, "&".join(f"{k}={v}" for k, v in (body or {}).items()),
                              content_type="application/x-www-form-urlencoded")  # fmt: skip
    return client.generic(row.method, path, "" if body is None else json.dumps(body), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("row", API + PAGES, ids=str)
def test_permission_matrix(world, row):
    cache.clear()  # the token endpoint's throttle
    # Refused roles first and allowed ones last, so a write that succeeds does not change what the others meet.
    order = sorted(ROLES, key=lambda role: role in row.allowed)
    problems = []
    for role in order:
        response = call(row, role, world, world["ids"])
        if role in row.allowed:
            expected = {row.allowed[role]} | row.also.get(role, set())
        else:
            expected = refused(row, role) | row.also.get(role, set())
        if response.status_code not in expected:
            problems.append(f"{role}: {response.status_code}, expected {sorted(expected)}")
        if response.status_code == 302 and role == "anonymous" and row.page and not row.path.startswith("/admin/"):
            assert response["Location"].startswith("/accounts/login/"), response["Location"]
        if (
            role in NOT_ON_THE_LOOP
            and role not in row.allowed
            and "{" in row.path
            and not row.path.startswith("/admin/")
        ):
            # The answer must not depend on whether the object exists.
            missing = call(row, role, world, dict.fromkeys(world["ids"], MISSING))
            if missing.status_code != response.status_code:
                problems.append(
                    f"{role}: {response.status_code} for the real object but {missing.status_code} for none"
                )
    cache.clear()
    assert problems == [], f"{row}: " + "; ".join(problems)


# --- listings leak nothing ---------------------------------------------------------------------------

LISTINGS = ["/api/loops/", "/api/interviews/", "/api/candidates/", "/loops/", "/interviews/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", LISTINGS)
@pytest.mark.parametrize("role", ["bob", "dave", "ada"])
def test_no_listing_shows_a_loop_the_caller_may_not_see(world, path, role):
    # bob is on the loop but has not submitted: independence says he sees his own interview only, not the loop.
    client = client_for(role, world, page=not path.startswith("/api/"))
    response = client.get(path)
    assert response.status_code in (200, 403, 404)
    if response.status_code != 200:
        return
    text = response.content.decode()
    if path == "/api/interviews/" and role == "bob":
        # His own interview row names the candidate; nothing of alice's interview or scorecard is there.
        rows = response.json()["results"] if isinstance(response.json(), dict) else response.json()
        assert [r["id"] for r in rows] == [world["ids"]["pending"]]
        return
    if path == "/interviews/" and role == "bob":
        assert f"/interviews/{world['ids']['submitted']}/" not in text
        return
    if path == "/loops/" and role == "bob":
        # Issue 18: his loops page lists the loop he is on (as his interviews page names its candidate), with the way
        # to his own scorecard; nothing of the debrief: no link to it, no stage, no decision, no counts.
        assert f"/interviews/{world['ids']['pending']}/" in text
        assert 'class="badge' not in text and "stage-" not in text and "missing-count" not in text
        assert f"/loops/{world['ids']['loop']}/" not in text
        return
    assert HIDDEN_NAME not in text, f"{path} shows the hidden loop's candidate to {role}"
    assert f"/loops/{world['ids']['loop']}/" not in text


@pytest.mark.django_db
def test_listings_do_show_the_loop_to_those_who_may_see_it(world):
    # The check above must be able to fail: the same listings do name the candidate for rita and alice.
    for role, path in [("rita", "/api/loops/"), ("alice", "/api/loops/"), ("rita", "/loops/"), ("alice", "/loops/")]:
        response = client_for(role, world, page=not path.startswith("/api/")).get(path)
        assert response.status_code == 200
        assert HIDDEN_NAME in response.content.decode(), (role, path)
