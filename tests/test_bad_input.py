"""Bad input (issue 15): a 4xx with a `code` and a human `detail` from the API, a form error on the pages, never
a 500 and never an HTML error page from /api/. Each is refused at one shared place: the text and date rules
(interviewloop.inputs) in every serializer, form and filter, the JSON parser, the id path converter, the
exception handler and Django's handler400/404/500.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from debriefs.models import Reminder
from interviewloop.models import Candidate, Loop
from scorecards.models import Note, Scorecard
from tests.factories import InterviewFactory, LoopFactory, NoteFactory, PositionFactory
from tests.scorecards.conftest import full_body

HUGE_IDS = ["24370207648513703936", "4111229283522443860770816", str(2**63)]
NUL = "\x00"


@pytest.fixture
def loop(recruiter, rubric):
    return LoopFactory(recruiter=recruiter, position=PositionFactory(rubric=rubric), candidate__name="Dana Reyes")


@pytest.fixture
def interview(loop, interviewer):
    """Alice's interview, ended an hour ago, with her note written: ready to score."""
    ended = InterviewFactory(
        loop=loop,
        interviewer=interviewer,
        scheduled_start=timezone.now() - timedelta(hours=2),
        scheduled_end=timezone.now() - timedelta(hours=1),
        ended_at=timezone.now() - timedelta(hours=1),
    )
    NoteFactory(interview=ended)
    return ended


def _page_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _json(client, method: str, path: str, body) -> object:
    return client.generic(method, path, json.dumps(body), content_type="application/json")


# --- NUL in every text input ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_nul_in_the_loops_search_is_400_invalid_character(recruiter, api_as, loop):
    response = api_as(recruiter).get("/api/loops/?q=%00")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_character",
        "detail": "q contains a character that cannot be stored (a NUL or a lone surrogate): remove it and send it again.",
        "field": "q",
    }


@pytest.mark.django_db
def test_a_search_longer_than_its_cap_is_400_too_long(recruiter, api_as, loop):
    response = api_as(recruiter).get("/api/loops/", {"q": "x" * 201})
    assert response.status_code == 400
    assert response.json() == {
        "code": "too_long",
        "detail": "q is 201 characters long; at most 200 are kept.",
        "field": "q",
        "limit": 200,
    }
    assert api_as(recruiter).get("/api/loops/", {"q": "Dana"}).json()["count"] == 1


@pytest.mark.django_db
def test_the_loops_page_says_a_nul_search_is_refused_and_lists_the_loops(recruiter, loop):
    response = _page_client(recruiter).get("/loops/?q=%00")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="q-error"' in page
    assert "contains a character that cannot be stored" in page
    assert "Dana Reyes" in page


@pytest.mark.django_db
def test_the_loops_table_htmx_refreshes_without_a_500_on_a_nul_search(recruiter, loop):
    response = _page_client(recruiter).get("/loops/?q=a%00b", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Dana Reyes" in response.content.decode()


def _write_cases(loop, interview):
    """(who, method, path, body, the field the refusal names) for a text in every kind of JSON body."""
    scorecard = f"/api/interviews/{interview.pk}/scorecard/"
    return [
        ("recruiter", "POST", "/api/candidates/", {"name": "{}", "email": "dana@example.com"}, "name"),
        ("recruiter", "POST", "/api/positions/", {"title": "{}", "rubric": interview.rubric_id}, "title"),
        (
            "recruiter",
            "POST",
            f"/api/loops/{loop.pk}/interviews/",
            {
                "interviewer": "{}",
                "scheduled_start": "2030-01-01T10:00:00Z",
                "scheduled_end": "2030-01-01T11:00:00Z",
            },
            "interviewer",
        ),
        ("recruiter", "POST", f"/api/loops/{loop.pk}/decision/", {"decision": "{}"}, "decision"),
        (
            "interviewer",
            "PUT",
            scorecard,
            {"scores": {"systems_thinking": {"score": 4, "evidence": "{}"}}},
            "scores.systems_thinking.evidence",
        ),
        (
            "interviewer",
            "PUT",
            scorecard,
            {"red_flags": [{"key": "defensive", "evidence": "{}"}]},
            "red_flags[0].evidence",
        ),
        (
            "interviewer",
            "PUT",
            scorecard,
            {"threads": [{"key": "first_two_weeks", "notes": "ok"}, {"key": "defining_the_problem", "notes": "{}"}]},
            "threads[1].notes",
        ),
        ("interviewer", "PUT", scorecard, {"summary": "{}"}, "summary"),
        ("interviewer", "POST", f"{scorecard}check/", {"summary": "{}"}, "summary"),
        ("interviewer", "POST", f"{scorecard}submit/", {**full_body(), "summary": "{}"}, "summary"),
        ("interviewer", "POST", f"{scorecard}amend/", {**full_body(), "reason": "{}"}, "reason"),
    ]


def _fill(body, text: str):
    if isinstance(body, dict):
        return {key: _fill(value, text) for key, value in body.items()}
    if isinstance(body, list):
        return [_fill(value, text) for value in body]
    return text if body == "{}" else body


CASE_IDS = [
    "candidate.name", "position.title", "interview.interviewer", "decision", "score.evidence", "red_flag.evidence",
    "thread.notes", "summary", "check.summary", "submit.summary", "amend.reason",
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("case", range(len(CASE_IDS)), ids=CASE_IDS)
def test_a_nul_in_any_json_text_is_400_invalid_character_naming_the_field(
    case, recruiter, interviewer, api_as, loop, interview
):
    who, method, path, body, field = _write_cases(loop, interview)[case]
    client = api_as(recruiter if who == "recruiter" else interviewer)
    response = _json(client, method, path, _fill(body, f"before{NUL}after"))
    assert response.status_code == 400, response.content
    answer = response.json()
    assert (answer["code"], answer["field"]) == ("invalid_character", field)
    assert answer["detail"].startswith("The request is not valid: ")
    assert "cannot be stored" in answer["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("case", range(len(CASE_IDS)), ids=CASE_IDS)
def test_a_text_over_its_cap_is_400_too_long_naming_the_field_and_the_limit(
    case, recruiter, interviewer, api_as, loop, interview
):
    who, method, path, body, field = _write_cases(loop, interview)[case]
    limit = {"name": 200, "title": 200, "interviewer": 150, "decision": 20, "summary": 10_000, "reason": 2000}.get(
        field.rsplit(".", 1)[-1], 5000
    )
    client = api_as(recruiter if who == "recruiter" else interviewer)
    response = _json(client, method, path, _fill(body, "x" * (limit + 1)))
    assert response.status_code == 400, response.content
    answer = response.json()
    assert (answer["code"], answer["field"], answer["limit"]) == ("too_long", field, limit)
    assert f"at most {limit:,} are kept" in answer["detail"]


@pytest.mark.django_db
def test_every_text_at_its_cap_is_kept(interviewer, api_as, interview):
    body = full_body()
    body["scores"]["systems_thinking"]["evidence"] = "e" * 5000
    body["red_flags"] = [{"key": "defensive", "evidence": "r" * 5000}]
    body["threads"][0]["notes"] = "n" * 5000
    body["summary"] = "s" * 10_000
    response = _json(api_as(interviewer), "PUT", f"/api/interviews/{interview.pk}/scorecard/", body)
    assert response.status_code == 200, response.content[:300]
    saved = response.json()
    assert saved["summary"] == "s" * 10_000
    assert saved["scores"]["systems_thinking"]["evidence"] == "e" * 5000
    assert saved["red_flags"] == [{"key": "defensive", "evidence": "r" * 5000}]
    assert saved["threads"][0]["notes"] == "n" * 5000


@pytest.mark.django_db
def test_a_candidate_email_over_254_characters_is_too_long(recruiter, api_as):
    email = "d" * 64 + "@" + ("a" * 60 + ".") * 3 + "example.com"  # 259 characters, each part of a valid shape
    response = _json(api_as(recruiter), "POST", "/api/candidates/", {"name": "Dana", "email": email})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"], response.json()["limit"]) == ("too_long", "email", 254)
    assert not Candidate.objects.exists()


@pytest.mark.django_db
def test_a_990_kb_summary_is_refused_and_leaves_no_history(interviewer, api_as, interview):
    path = f"/api/interviews/{interview.pk}/scorecard/"
    _json(api_as(interviewer), "PUT", path, {"summary": "first draft"})
    history = Scorecard.history.count()
    for _ in range(3):
        response = _json(api_as(interviewer), "PUT", path, {"summary": "x" * 990_000})
        assert response.status_code == 400
        assert response.json()["code"] == "too_long"
    assert Scorecard.history.count() == history
    assert Scorecard.objects.get().summary == "first draft"


@pytest.mark.django_db
def test_a_refused_submission_leaves_the_draft_as_it_was(interviewer, api_as, interview):
    path = f"/api/interviews/{interview.pk}/scorecard/"
    client = api_as(interviewer)
    assert _json(client, "PUT", path, full_body()).status_code == 200
    before = client.get(path).json()

    too_long = {**full_body(vote="no"), "summary": "x" * 10_001}
    response = _json(client, "POST", f"{path}submit/", too_long)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("too_long", "summary")
    assert client.get(path).json() == before


# --- The pages: the form's error, never a 500 ---------------------------------------------------------


@pytest.mark.django_db
def test_the_scorecard_page_refuses_a_nul_and_keeps_the_draft(interviewer, interview):
    client = _page_client(interviewer)
    path = f"/interviews/{interview.pk}/scorecard/"
    assert client.post(path, {"summary": "kept draft", "action": "save"}).status_code == 302

    response = client.post(path, {"summary": f"a{NUL}b", "evidence-measurement": "fine", "action": "save"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-code="invalid_character"' in page
    assert "summary contains a character that cannot be stored" in page
    assert "fine" in page  # what was typed comes back
    assert Scorecard.objects.get().summary == "kept draft"


@pytest.mark.django_db
def test_the_scorecard_page_refuses_evidence_over_its_cap_and_keeps_the_draft(interviewer, interview):
    client = _page_client(interviewer)
    path = f"/interviews/{interview.pk}/scorecard/"
    client.post(path, {"summary": "kept draft", "action": "save"})

    response = client.post(path, {"score-measurement": "4", "evidence-measurement": "x" * 5001, "action": "submit"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-code="too_long"' in page
    assert "scores.measurement.evidence is 5,001 characters long; at most 5,000 are kept." in page
    assert Scorecard.objects.get().summary == "kept draft"
    assert Scorecard.objects.get().status == Scorecard.Status.DRAFT


@pytest.mark.django_db
def test_the_autosave_says_why_a_draft_is_refused(interviewer, interview):
    response = _page_client(interviewer).post(
        f"/interviews/{interview.pk}/scorecard/autosave/", {"summary": "x" * 10_001}
    )
    assert response.status_code == 200
    assert "at most 10,000 are kept" in response.content.decode()
    assert not Scorecard.objects.exists()


@pytest.mark.django_db
def test_the_note_page_refuses_an_answer_over_its_cap_with_the_form_error(interviewer, loop):
    ended = InterviewFactory(loop=loop, interviewer=interviewer, ended_at=timezone.now())
    response = _page_client(interviewer).post(
        f"/interviews/{ended.pk}/note/",
        {"best_thing": "x" * 5001, "biggest_concern": "fine", "vote": "yes", "want_to_work_with": "yes"},
    )
    assert response.status_code == 200
    assert "This field is 5,001 characters long; at most 5,000 are kept." in response.content.decode()
    assert not Note.objects.filter(interview=ended).exists()


def _schedule_post(position, **overrides):
    data = {
        "candidate": "",
        "candidate_name": "Dana Reyes",
        "candidate_email": "dana@example.com",
        "position": str(position.pk),
        "debrief_at": "2030-05-06T10:00",
        "i0-interviewer": "alice",
        "i0-scheduled_start": "2030-05-05T10:00",
        "i0-scheduled_end": "2030-05-05T11:00",
        "i0-counts_toward_decision": "on",
    }
    return {**data, **overrides}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("candidate_name", f"Dana{NUL}", "cannot be stored"),
        ("candidate_name", "x" * 201, "at most 200 are kept"),
        ("i0-interviewer", f"alice{NUL}", "Select a valid choice"),
        ("candidate", f"1{NUL}", "Select a valid choice"),
        ("candidate", HUGE_IDS[0], "Select a valid choice"),
        ("debrief_at", "0001-01-01T00:00", "must be between 1970-01-01 and 2999-12-31 23:59:59 UTC"),
        ("debrief_at", "9999-12-31T23:59", "must be between 1970-01-01 and 2999-12-31 23:59:59 UTC"),
        ("i0-scheduled_start", "0001-01-01T00:00", "must be between 1970-01-01"),
        ("i0-scheduled_end", "9999-12-31T23:59", "must be between 1970-01-01"),
    ],
)
def test_the_schedule_page_refuses_bad_input_with_the_form_error(recruiter, interviewer, rubric, field, value, message):
    position = PositionFactory(rubric=rubric)
    response = _page_client(recruiter).post("/loops/new/", _schedule_post(position, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Loop.objects.exists()


@pytest.mark.django_db
def test_the_debrief_page_refuses_a_meeting_at_the_first_day_of_the_calendar(recruiter, loop):
    response = _page_client(recruiter).post(f"/loops/{loop.pk}/debrief-time/", {"debrief_at": "0001-01-01T00:00"})
    assert response.status_code == 400
    assert "must be between 1970-01-01" in response.content.decode()
    assert Loop.objects.get().debrief_at is None


# --- Dates at the edges of the calendar --------------------------------------------------------------

EDGES = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T10:00:00-12:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-12:00",
    "9999-12-31T00:00:00+14:00",
    "1969-12-31T23:59:59Z",
    "3000-01-01T00:00:00Z",
]


def _refused_date(response, field: str) -> None:
    assert response.status_code == 400, response.content
    answer = response.json()
    assert (answer["code"], answer["field"]) == ("date_out_of_range", field)
    assert answer["detail"] == (
        f"The request is not valid: {field}: This date and time must be between 1970-01-01 and 2999-12-31 23:59:59 UTC."
    )


@pytest.mark.django_db
@pytest.mark.parametrize("when", EDGES)
def test_a_debrief_time_outside_the_calendar_is_400_when_a_loop_opens(when, recruiter, api_as, loop):
    response = _json(
        api_as(recruiter),
        "POST",
        "/api/loops/",
        {"candidate": loop.candidate_id, "position": loop.position_id, "debrief_at": when},
    )
    _refused_date(response, "debrief_at")
    assert Loop.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("when", EDGES)
def test_a_debrief_time_outside_the_calendar_is_400_when_it_moves(when, recruiter, api_as, loop):
    response = _json(api_as(recruiter), "PATCH", f"/api/loops/{loop.pk}/", {"debrief_at": when})
    _refused_date(response, "debrief_at")
    assert not Reminder.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("when", EDGES)
@pytest.mark.parametrize("field", ["scheduled_start", "scheduled_end"])
def test_an_interview_time_outside_the_calendar_is_400(field, when, recruiter, interviewer, api_as, loop):
    body = {"interviewer": "alice", "scheduled_start": "2030-01-01T10:00:00Z", "scheduled_end": "2030-01-01T11:00:00Z"}
    response = _json(api_as(recruiter), "POST", f"/api/loops/{loop.pk}/interviews/", {**body, field: when})
    _refused_date(response, field)


@pytest.mark.django_db
@pytest.mark.parametrize("when", ["1970-01-01T00:00:00Z", "1970-01-01T12:00:00+12:00", "2999-12-31T23:59:59Z"])
def test_a_debrief_time_at_the_edges_of_the_range_is_kept_with_its_reminder(when, recruiter, api_as, loop):
    response = _json(api_as(recruiter), "PATCH", f"/api/loops/{loop.pk}/", {"debrief_at": when})
    assert response.status_code == 200, response.content
    moment = datetime.fromisoformat(when).astimezone(UTC)
    assert Loop.objects.get().debrief_at == moment
    assert {r.due_at for r in Reminder.objects.filter(kind="debrief_meeting")} == {moment - timedelta(minutes=30)}


# --- JSON nested too deep ------------------------------------------------------------------------------


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.django_db
@pytest.mark.parametrize("levels", [33, 1000, 100_000])
def test_json_nested_too_deep_is_400_malformed_request_even_before_signing_in(levels, api):
    response = api.generic("POST", "/api/auth/token/", _deep(levels), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "malformed_request",
        "detail": "JSON parse error - the body nests objects or arrays more than 32 deep.",
    }


@pytest.mark.django_db
def test_json_nested_too_deep_is_400_malformed_request_on_a_write(recruiter, interviewer, api_as, interview):
    body = '{"summary": "x", "scores": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}"
    for client, method, path in [
        (api_as(recruiter), "POST", "/api/loops/"),
        (api_as(interviewer), "PUT", f"/api/interviews/{interview.pk}/scorecard/"),
    ]:
        response = client.generic(method, path, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] == "malformed_request"


@pytest.mark.django_db
def test_json_32_deep_is_read(recruiter, api_as):
    response = api_as(recruiter).generic("POST", "/api/candidates/", _deep(32), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"  # read, then refused as a candidate: a list is not an object


# --- Ids beyond 64 bits ----------------------------------------------------------------------------------


def _routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


ID_ROUTES = sorted({route for route in _routes() if "<id:" in route})


def test_every_route_with_an_id_takes_a_bounded_id():
    unbounded = [route for route in _routes() if "<int:" in route or "(?P<" in route]
    assert unbounded == []
    assert len(ID_ROUTES) >= 20, ID_ROUTES


def _with_id(route: str, value: str) -> str:
    return "/" + re.sub(r"<id:\w+>", value, route)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ID_ROUTES)
def test_an_id_beyond_64_bits_is_a_404_on_every_route(route, recruiter, interviewer):
    for user in (recruiter, interviewer):
        client = _page_client(user)
        for huge in HUGE_IDS:
            for method in ("get", "post"):
                response = getattr(client, method)(_with_id(route, huge))
                assert response.status_code == 404, (route, huge, response.status_code)
                if route.startswith("api/"):
                    assert response["Content-Type"] == "application/json"
                    assert response.json() == {"code": "not_found", "detail": "There is nothing at this address."}


@pytest.mark.django_db
def test_the_largest_id_still_reaches_the_view(recruiter, api_as):
    response = api_as(recruiter).get(f"/api/loops/{2**63 - 1}/debrief/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No such loop."}


@pytest.mark.django_db
def test_a_path_under_the_api_that_matches_nothing_is_a_json_404(recruiter, api_as):
    for path in ["/api/loops/abc/", "/api/nothing/", "/api/loops/-1/debrief/"]:
        response = api_as(recruiter).get(path)
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "detail": "There is nothing at this address."}


@pytest.mark.django_db
def test_an_id_beyond_64_bits_in_a_body_is_400_not_a_500(recruiter, api_as, loop):
    response = _json(
        api_as(recruiter), "POST", "/api/loops/", {"candidate": int(HUGE_IDS[0]), "position": int(HUGE_IDS[1])}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"candidate", "position"}


# --- A body over the size limit ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_2_mb_body_is_413_body_too_large_in_json(recruiter, interviewer, api, api_as, interview):
    huge = json.dumps({"summary": "x" * 2_000_000})
    for client, method, path in [
        (api_as(recruiter), "POST", "/api/loops/"),
        (api_as(interviewer), "PUT", f"/api/interviews/{interview.pk}/scorecard/"),
        (api, "POST", "/api/auth/token/"),
    ]:
        response = client.generic(method, path, huge, content_type="application/json")
        assert response.status_code == 413, (path, response.content[:200])
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "code": "body_too_large",
            "detail": "The request body is larger than 1,000,000 bytes: send less.",
        }
    assert not Scorecard.objects.exists()


@pytest.mark.django_db
def test_a_2_mb_form_on_a_page_is_413_and_changes_nothing(recruiter, rubric):
    position = PositionFactory(rubric=rubric)
    response = _page_client(recruiter).post("/loops/new/", _schedule_post(position, candidate_name="x" * 2_000_000))
    assert response.status_code == 413
    assert "larger than 1,000,000 bytes" in response.content.decode()
    assert not Loop.objects.exists()


@pytest.mark.django_db
def test_a_2_mb_form_posted_to_the_api_is_413_in_json(recruiter, api_as):
    response = api_as(recruiter).post("/api/candidates/", {"name": "x" * 2_000_000, "email": "d@example.com"})
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


@pytest.mark.django_db
def test_a_form_with_too_many_fields_is_400_too_many_fields(recruiter, api_as):
    fields = "&".join(f"f{n}=1" for n in range(1500))
    response = api_as(recruiter).generic(
        "POST", "/api/candidates/", fields, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json() == {"code": "too_many_fields", "detail": "The request has too many fields: send fewer."}


@pytest.mark.django_db
def test_the_largest_scorecard_fits_the_body_limit(interviewer, api_as, interview):
    body = full_body()
    for entry in body["scores"].values():
        entry["evidence"] = "é" * 5000
    body["red_flags"] = [{"key": key, "evidence": "é" * 5000} for key in ("defensive", "overconfident")]
    body["threads"][0]["notes"] = "é" * 5000
    body["summary"] = "é" * 10_000
    response = _json(api_as(interviewer), "PUT", f"/api/interviews/{interview.pk}/scorecard/", body)
    assert response.status_code == 200


# --- Headers and cookies ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_nul_in_the_token_header_is_400_invalid_character(recruiter):
    response = Client().get("/api/loops/", HTTP_AUTHORIZATION="Token abc\x00def")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_character",
        "detail": "The Authorization header contains a character that cannot be stored (a NUL): remove it.",
        "field": "Authorization",
    }


@pytest.mark.django_db
def test_a_nul_in_a_header_of_a_page_is_a_plain_400(recruiter):
    response = _page_client(recruiter).get("/loops/", HTTP_X_REQUESTED_WITH="a\x00b")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_a_session_cookie_with_a_nul_is_no_session(recruiter):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    response = client.get("/loops/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
