"""Signed webhooks: written in the transaction that caused them, delivered by the dispatcher to a real HTTP
receiver on loopback that checks every signature; retried while the receiver is down; never sent twice at once."""

from __future__ import annotations

import hashlib
import hmac
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from debriefs import webhooks
from debriefs.models import WebhookDelivery, WebhookEndpoint
from debriefs.reminder_rules import RETRY_MAX_DELAY, retry_delay
from debriefs.services import loop_record_decision
from debriefs.webhook_rules import (
    EVENTS,
    next_attempt,
    raw_body,
    signature,
    signature_matches,
)
from interviewloop.errors import DomainError
from interviewloop.privacy import candidate_erase
from interviewloop.services import interview_end
from scorecards import services
from tests.debriefs.reminder_fixtures import free_port, needs_shared_database
from tests.debriefs.webhook_receiver import Receiver
from tests.factories import InterviewFactory, NoteFactory, UserFactory
from tests.scorecards.conftest import ENDED, START, full_body, typed

SECRET = "a-long-shared-secret-0123456789"


# --- The pure rules ----------------------------------------------------------------------------------------


def test_the_signature_is_hmac_sha256_of_the_raw_body_as_rfc_4231_gives_it():
    # RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
    raw = b"what do ya want for nothing?"
    assert signature("Jefe", raw) == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert signature_matches("Jefe", raw, signature("Jefe", raw))
    assert not signature_matches("Jefe", raw + b" ", signature("Jefe", raw))
    assert not signature_matches("other", raw, signature("Jefe", raw))
    assert not signature_matches("Jefe", raw, None)


def test_the_raw_body_is_the_same_bytes_whatever_the_key_order():
    assert raw_body({"b": 1, "a": "é"}) == raw_body({"a": "é", "b": 1}) == '{"a":"é","b":1}'.encode()


def test_retries_wait_30_seconds_doubling_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in range(1, 10)] == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


@given(st.integers(min_value=1, max_value=500))
def test_a_wait_never_shrinks_and_never_exceeds_an_hour(attempts):
    assert retry_delay(attempts) <= retry_delay(attempts + 1) <= RETRY_MAX_DELAY


@given(st.floats(min_value=12, max_value=72))
def test_a_failing_receiver_is_tried_until_the_end_of_the_window_and_not_after(hours):
    created = timezone.now()
    until = created + timedelta(hours=hours)
    now, attempts, tries = created, 0, [created]
    while (when := next_attempt(attempts=attempts + 1, now=now, retry_until=until)) is not None:
        now, attempts = when, attempts + 1
        tries.append(now)
    assert tries[-1] <= until
    assert until - tries[-1] <= RETRY_MAX_DELAY  # the last try is within an hour of the window's end: 12 h and more
    assert tries == sorted(tries)


# --- Writing events ----------------------------------------------------------------------------------------


@pytest.fixture
def endpoint(db):
    return WebhookEndpoint.objects.create(url="http://127.0.0.1:9/hooks", secret=SECRET, events=list(EVENTS))


@pytest.fixture
def noted_interview(interviewer, rubric):
    """Alice's interview of Dana Reyes, ended, with its five-minute note."""
    interview = InterviewFactory(
        interviewer=interviewer,
        loop__candidate__name="Dana Reyes",
        scheduled_start=START,
        scheduled_end=ENDED,
        ended_at=ENDED,
    )
    NoteFactory(interview=interview)
    return interview


def bodies(event_type=None):
    rows = WebhookDelivery.objects.order_by("id")
    if event_type:
        rows = rows.filter(event_type=event_type)
    return [row.body for row in rows]


def test_every_event_of_a_loop_is_written_with_ids_names_and_votes_but_no_note_or_evidence_text(
    endpoint, noted_interview
):
    interview = noted_interview
    body = full_body(vote="no", red_flags=("defensive",))
    services.scorecard_submit(interview=interview, data=typed(interview, body))
    services.scorecard_amend(
        interview=interview,
        data=typed(interview, {**body, "vote": "strong_no"}),
        reason="Re-read the doc.",
        amended_by=interview.interviewer,
    )
    loop_record_decision(loop=interview.loop, decision="no_hire", by=UserFactory(username="rita", role="recruiter"))

    assert [row["type"] for row in bodies()] == [
        "scorecard.submitted", "loop.decision_changed", "scorecard.amended", "loop.closed",
    ]  # fmt: skip
    submitted = bodies("scorecard.submitted")[0]
    assert set(submitted) == {"id", "type", "created_at", "data"}
    assert submitted["data"]["interviewer"] == {
        "username": "alice",
        "name": interview.interviewer.get_full_name() or "alice",
    }
    assert submitted["data"]["loop"]["candidate"] == {"id": interview.loop.candidate_id, "name": "Dana Reyes"}
    assert submitted["data"]["scorecard"]["vote"] == "no"
    assert submitted["data"]["scorecard"]["scores"]["systems_thinking"] == 4
    assert submitted["data"]["scorecard"]["red_flags"] == ["defensive"]
    assert (
        bodies("scorecard.amended")[0]["data"]["scorecard"].items()
        >= {"vote": "strong_no", "previous_vote": "no"}.items()
    )
    assert bodies("loop.decision_changed")[0]["data"].items() >= {"decision": "no_hire", "previous": "pending"}.items()
    assert bodies("loop.closed")[0]["data"].items() >= {"outcome": "no_hire"}.items()
    everything = str(bodies())
    for text in ("Said so in the doc.", "Heard defensive.", "Audit first", "Structured, asked", "Re-read the doc."):
        assert text not in everything


def test_interview_ended_and_note_submitted(endpoint, interviewer, rubric):
    now = timezone.now()
    interview = InterviewFactory(
        interviewer=interviewer, scheduled_start=now - timedelta(hours=1), scheduled_end=now, ended_at=None
    )
    interview_end(interview=interview, at=now)
    interview_end(interview=interview, at=now + timedelta(minutes=1))  # idempotent: no second event
    services.note_write(
        interview=interview, best_thing="Asked about users.", biggest_concern="Rollback.", vote="yes",
        want_to_work_with="yes", at=now + timedelta(minutes=2),
    )  # fmt: skip
    assert [row["type"] for row in bodies()] == ["interview.ended", "note.submitted"]
    assert bodies("interview.ended")[0]["data"]["interview"] == {"id": interview.pk, "ended_at": now.isoformat()}
    assert bodies("note.submitted")[0]["data"]["note"].items() >= {"vote": "yes", "on_time": True}.items()
    assert "Asked about users." not in str(bodies()) and "Rollback." not in str(bodies())


def test_an_endpoint_gets_only_its_events_and_an_inactive_one_none(db, noted_interview):
    WebhookEndpoint.objects.create(url="http://127.0.0.1:9/a", secret=SECRET, events=["loop.closed"])
    WebhookEndpoint.objects.create(url="http://127.0.0.1:9/b", secret=SECRET, events=list(EVENTS), active=False)
    services.scorecard_submit(interview=noted_interview, data=typed(noted_interview, full_body(vote="yes")))
    assert not WebhookDelivery.objects.exists()


def test_a_refused_submission_writes_no_event(endpoint, noted_interview):
    with pytest.raises(DomainError):
        services.scorecard_submit(
            interview=noted_interview, data=typed(noted_interview, full_body(score=1, vote="strong_yes"))
        )
    assert not WebhookDelivery.objects.exists()


def test_with_no_endpoint_an_event_costs_one_query_and_writes_nothing(db, noted_interview, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert webhooks.decision_changed(noted_interview.loop, previous="pending") == 0


def test_erasing_the_candidate_renames_them_in_every_stored_body(endpoint, noted_interview):
    services.scorecard_submit(interview=noted_interview, data=typed(noted_interview, full_body(vote="yes")))
    candidate = noted_interview.loop.candidate
    candidate_erase(candidate=candidate)
    assert "Dana Reyes" not in str(bodies())
    assert bodies("scorecard.submitted")[0]["data"]["loop"]["candidate"]["name"] == f"Erased candidate #{candidate.pk}"


# --- Delivering --------------------------------------------------------------------------------------------


def emit_events(count: int, *, url: str) -> list[str]:
    endpoint = WebhookEndpoint.objects.create(url=url, secret=SECRET, events=["loop.decision_changed"])
    loop = InterviewFactory().loop
    for _ in range(count):
        webhooks.decision_changed(loop, previous="pending")
    return [
        str(event) for event in WebhookDelivery.objects.filter(endpoint=endpoint).values_list("event_id", flat=True)
    ]


@pytest.mark.django_db
def test_the_dispatcher_delivers_each_event_signed_with_its_id_and_marks_it():
    with Receiver(secret=SECRET) as receiver:
        events = emit_events(3, url=receiver.url)
        result = webhooks.webhooks_dispatch()
    assert result.as_dict() == {"delivered": 3, "retrying": 0, "failed": 0}
    assert sorted(receiver.event_ids()) == sorted(events)
    for item in receiver.received:
        assert item.signature_ok
        assert item.body["id"] == item.event_id and item.body["type"] == "loop.decision_changed"
        assert item.headers["Content-Type"] == "application/json"
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert all(row.delivered_at and row.attempts == 1 for row in WebhookDelivery.objects.all())
    assert webhooks.webhooks_dispatch().as_dict() == {"delivered": 0, "retrying": 0, "failed": 0}


@pytest.mark.django_db
def test_a_receiver_that_is_down_then_up_gets_every_event_once_it_is_back():
    port = free_port()
    events = emit_events(4, url=f"http://127.0.0.1:{port}/hooks")
    first = webhooks.webhooks_dispatch()  # nothing listens: refused
    assert first.as_dict() == {"delivered": 0, "retrying": 4, "failed": 0}
    row = WebhookDelivery.objects.first()
    assert row.attempts == 1 and "Connection refused" in row.last_error and row.status == "pending"
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=25)  # backoff: 30 s

    with Receiver(secret=SECRET, port=port) as receiver:
        assert webhooks.webhooks_dispatch().delivered == 0  # not due yet: the backoff holds
        later = timezone.now() + timedelta(seconds=31)
        assert webhooks.webhooks_dispatch(now=later).delivered == 4
        assert webhooks.webhooks_dispatch(now=later + timedelta(hours=1)).delivered == 0
    assert sorted(receiver.event_ids()) == sorted(events)
    assert all(item.signature_ok for item in receiver.received)
    assert set(WebhookDelivery.objects.values_list("attempts", flat=True)) == {2}


@pytest.mark.django_db
def test_a_non_2xx_answer_or_a_slow_one_is_retried_and_gives_up_only_after_the_window(settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    with Receiver(secret=SECRET, answer=500) as receiver:
        emit_events(1, url=receiver.url)
        assert webhooks.webhooks_dispatch().retrying == 1
        assert WebhookDelivery.objects.get().last_error == "HTTP 500"
        assert WebhookDelivery.objects.get().last_status_code == 500
        receiver.answer, receiver.delay = 200, 1.0  # answers 200, but too late: not delivery
        assert webhooks.webhooks_dispatch(now=timezone.now() + timedelta(minutes=2)).retrying == 1
        assert "timed out" in WebhookDelivery.objects.get().last_error
        row = WebhookDelivery.objects.get()
        past_window = row.retry_until + timedelta(seconds=1)
        assert webhooks.webhooks_dispatch(now=past_window).failed == 1
    assert WebhookDelivery.objects.get().status == "failed"


@pytest.mark.django_db
def test_a_redirect_is_not_delivery(settings):
    with Receiver(secret=SECRET, answer=302) as receiver:
        emit_events(1, url=receiver.url)
        assert webhooks.webhooks_dispatch().retrying == 1
    assert WebhookDelivery.objects.get().last_error == "HTTP 302"


@pytest.mark.django_db
def test_send_again_from_admin_goes_out_again_with_the_same_event_id(admin_client):
    with Receiver(secret=SECRET) as receiver:
        (event,) = emit_events(1, url=receiver.url)
        webhooks.webhooks_dispatch()
        row = WebhookDelivery.objects.get()
        page = admin_client.get(reverse("admin:debriefs_webhookdelivery_changelist"))
        assert page.status_code == 200 and "loop.decision_changed" in page.content.decode()
        response = admin_client.post(
            reverse("admin:debriefs_webhookdelivery_changelist"),
            {"action": "send_again", "_selected_action": [row.pk]},
        )
        assert response.status_code == 302
        assert WebhookDelivery.objects.get().status == "pending"
        webhooks.webhooks_dispatch()
    assert receiver.event_ids() == [event, event]


def dispatch_when(start: threading.Barrier, results: list) -> None:
    start.wait()
    try:
        results.append(webhooks.webhooks_dispatch())
    finally:
        connection.close()


@needs_shared_database
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_never_deliver_the_same_event_twice():
    with Receiver(secret=SECRET, delay=0.02) as receiver:
        events = emit_events(40, url=receiver.url)
        for attempt in range(5):
            WebhookDelivery.objects.update(status="pending", next_attempt_at=timezone.now() - timedelta(seconds=1))
            receiver.received.clear()
            start = threading.Barrier(2)
            results: list[webhooks.DispatchResult] = []
            threads = [threading.Thread(target=dispatch_when, args=(start, results)) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(receiver.event_ids()) == sorted(events), attempt
            assert sum(result.delivered for result in results) == 40
    assert max(receiver.most_in_flight_per_event.values()) == 1


# --- Registering endpoints -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admins_register_endpoints_through_the_api_and_the_secret_is_never_shown(api_as, admin, recruiter):
    client = api_as(admin)
    response = client.post(
        "/api/webhooks/",
        {"url": "https://hooks.example.com/il", "secret": SECRET, "events": ["loop.closed", "scorecard.submitted"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["events"] == ["scorecard.submitted", "loop.closed"] and "secret" not in body and body["id"]
    assert WebhookEndpoint.objects.get(pk=body["id"]).secret == SECRET
    assert "secret" not in client.get("/api/webhooks/").json()["results"][0]
    assert api_as(recruiter).post("/api/webhooks/", {}, format="json").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/x", "secret": SECRET, "events": ["loop.closed"]}, "url"),
        ({"url": "https://example.com/x", "secret": "short", "events": ["loop.closed"]}, "secret"),
        ({"url": "https://example.com/x", "secret": SECRET, "events": ["loop.reopened"]}, "events"),
        ({"url": "https://example.com/x", "secret": SECRET, "events": []}, "events"),
    ],
)
def test_a_bad_endpoint_is_a_400_naming_the_field(api_as, admin, body, field):
    response = api_as(admin).post("/api/webhooks/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] and field in str(response.json())
    assert not WebhookEndpoint.objects.exists()


def test_hmac_of_the_documented_shape_is_what_a_receiver_recomputes():
    raw = raw_body({"id": "x", "type": "loop.closed", "created_at": "t", "data": {}})
    expected = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert signature(SECRET, raw) == f"sha256={expected}"
