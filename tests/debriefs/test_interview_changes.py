"""Rescheduling, reassigning and cancelling interviews: the pure rules, the services, the API, the debrief and the
interviewer's list (DESIGN.md, "Fitting into a team's tools": Reschedule and cancel)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from debriefs.models import Reminder
from debriefs.selectors import debrief_document
from interviewloop import interview_rules, services
from interviewloop.errors import Conflict, Invalid
from interviewloop.interview_rules import InterviewState
from interviewloop.models import Decision, Interview, Loop
from interviewloop.services import interviews_end_overdue
from scorecards.services import scorecard_submit
from tests.debriefs.conftest import add_interview, recompute
from tests.factories import InterviewFactory, UserFactory, iso

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def upcoming(loop, username, *, start=LATER, counts=True):
    """An interview of `loop` not held yet (tomorrow, an hour long)."""
    return add_interview(loop, username, vote=None, ended=False, start=start, counts=counts)


def pending_kinds(**filters):
    rows = Reminder.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True, failed_at__isnull=True, **filters)
    return sorted(rows.values_list("kind", "recipient__username", "sequence"))


# --- The pure rules ---------------------------------------------------------------------------------------

states = st.builds(
    InterviewState, loop_closed=st.booleans(), cancelled=st.booleans(), ended=st.booleans(),
    scorecard_submitted=st.booleans(),
)  # fmt: skip


@given(state=states)
def test_an_interview_can_be_changed_only_while_open_not_cancelled_and_not_ended(state):
    refusal = interview_rules.change_refusal(state)

    assert (refusal is None) == (not state.loop_closed and not state.cancelled and not state.ended)
    if state.loop_closed:
        assert refusal is not None and refusal.code == "loop_closed"
    elif state.cancelled:
        assert refusal is not None and refusal.code == "interview_cancelled"
    elif state.ended:
        assert refusal is not None and refusal.code == "interview_ended"


@given(state=states)
def test_an_interview_can_be_cancelled_unless_closed_cancelled_or_its_vote_is_in(state):
    refusal = interview_rules.cancel_refusal(state)

    assert (refusal is None) == (not state.loop_closed and not state.cancelled and not state.scorecard_submitted)
    # An ended interview without a submitted scorecard (a no-show, a scorecard that will never come) may go.
    if not (state.loop_closed or state.cancelled or state.scorecard_submitted):
        assert refusal is None


@given(
    start=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    minutes=st.integers(min_value=-600, max_value=600),
)
def test_a_move_must_end_after_it_starts(start, minutes):
    state = InterviewState(loop_closed=False, cancelled=False, ended=False, scorecard_submitted=False)
    refusal = interview_rules.schedule_refusal(state, start=start, end=start + timedelta(minutes=minutes))

    assert (refusal is None) == (minutes > 0)
    if minutes <= 0:
        assert refusal == interview_rules.END_BEFORE_START


@given(
    cancelled=st.booleans(), ended=st.booleans(), offset=st.integers(min_value=-3000, max_value=3000)
)  # fmt: skip
def test_not_yet_held_means_not_cancelled_not_ended_and_not_started(cancelled, ended, offset):
    start = NOW + timedelta(minutes=offset)
    held_back = interview_rules.not_yet_held(cancelled=cancelled, ended=ended, scheduled_start=start, now=NOW)

    assert held_back == (not cancelled and not ended and offset > 0)


# --- The services -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rescheduling_moves_the_interview_and_tells_its_interviewer(frozen, loop):
    interview = upcoming(loop, "erin")

    moved = services.interview_reschedule(
        interview=interview, scheduled_start=LATER + timedelta(hours=2), scheduled_end=LATER + timedelta(hours=3)
    )

    interview.refresh_from_db()
    assert (interview.scheduled_start, interview.scheduled_end) == (
        LATER + timedelta(hours=2),
        LATER + timedelta(hours=3),
    )
    assert moved.pk == interview.pk
    assert pending_kinds(interview=interview) == [("interview_rescheduled", "erin", 1)]


@pytest.mark.django_db
def test_a_second_move_supersedes_the_first_notice_not_yet_sent(frozen, loop):
    interview = upcoming(loop, "erin")
    services.interview_reschedule(interview=interview, scheduled_start=LATER, scheduled_end=LATER + timedelta(hours=2))
    services.interview_reschedule(interview=interview, scheduled_start=LATER, scheduled_end=LATER + timedelta(hours=3))

    assert pending_kinds(interview=interview) == [("interview_rescheduled", "erin", 2)]
    first = Reminder.objects.get(interview=interview, sequence=1)
    assert first.cancel_reason == "Superseded by a later change to the interview."


@pytest.mark.django_db
def test_the_same_times_again_change_nothing_and_tell_nobody(frozen, loop):
    interview = upcoming(loop, "erin")

    services.interview_update(
        interview=interview, scheduled_start=interview.scheduled_start, scheduled_end=interview.scheduled_end
    )

    assert pending_kinds() == []


@pytest.mark.django_db
def test_changing_the_interviewer_tells_the_old_and_the_new_and_moves_the_meeting_reminder(frozen, loop):
    erin = upcoming(loop, "erin")
    services.loop_schedule_debrief(loop=loop, debrief_at=LATER + timedelta(days=1))
    frank = UserFactory(username="frank", role="interviewer")

    services.interview_change_interviewer(interview=erin, interviewer=frank)

    erin.refresh_from_db()
    assert erin.interviewer == frank
    assert pending_kinds(interview=erin) == [("interview_assigned", "frank", 1), ("interview_cancelled", "erin", 1)]
    # The meeting reminder goes to the panel as it is now: frank in, erin out.
    assert pending_kinds(kind="debrief_meeting") == [("debrief_meeting", "frank", 2), ("debrief_meeting", "rita", 2)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "code", "error"),
    [("outsider", "not_an_interviewer", Invalid), ("bob", "already_on_panel", Conflict)],
)
def test_the_new_interviewer_must_be_one_and_not_already_on_the_panel(frozen, loop, who, code, error):
    erin = upcoming(loop, "erin")
    upcoming(loop, "bob")
    person = (
        UserFactory(username="ollie")
        if who == "outsider"
        else Interview.objects.get(interviewer__username="bob").interviewer
    )

    with pytest.raises(error) as refused:
        services.interview_change_interviewer(interview=erin, interviewer=person)

    assert refused.value.code == code
    erin.refresh_from_db()
    assert erin.interviewer.username == "erin"
    assert pending_kinds() == []


@pytest.mark.django_db
def test_an_ended_interview_is_not_moved_and_an_end_before_its_start_is_refused(frozen, loop):
    ended = add_interview(loop, "alice", vote=None)
    erin = upcoming(loop, "erin")

    with pytest.raises(Conflict) as refused:
        services.interview_reschedule(interview=ended, scheduled_start=LATER, scheduled_end=LATER + timedelta(hours=1))
    assert refused.value.code == "interview_ended"
    with pytest.raises(Invalid) as refused:
        services.interview_reschedule(interview=erin, scheduled_start=LATER, scheduled_end=LATER - timedelta(hours=1))
    assert refused.value.code == "end_before_start"


@pytest.mark.django_db
def test_cancelling_stops_it_counting_cancels_its_reminders_and_tells_the_interviewer(frozen, loop, recruiter):
    interview = add_interview(loop, "dave", vote=None, ended=False, start=NOW - timedelta(hours=1))
    services.interview_end(interview=interview)  # ended, nothing written: its reminders are pending
    assert {kind for kind, _, _ in pending_kinds(interview=interview)} == {
        "note_now", "note_overdue", "scorecard_overdue"
    }  # fmt: skip

    cancelled = services.interview_cancel(interview=interview, reason="Candidate did not show up.", by=recruiter)

    interview.refresh_from_db()
    assert (interview.cancelled_at, interview.cancel_reason, interview.cancelled_by) == (
        NOW, "Candidate did not show up.", recruiter
    )  # fmt: skip
    assert interview.counts_toward_decision is False
    assert cancelled.loop.decision == Decision.PENDING  # nobody else on the panel: pending, not hire
    assert pending_kinds(interview=interview) == [("interview_cancelled", "dave", 1)]
    reasons = set(
        Reminder.objects.filter(interview=interview, cancelled_at__isnull=False).values_list("cancel_reason", flat=True)
    )
    assert reasons == {"The interview was cancelled: Candidate did not show up."}


@pytest.mark.django_db
def test_a_cancelled_last_missing_scorecard_turns_pending_into_hire(frozen, loop, recruiter):
    add_interview(loop, "alice", vote="yes")
    add_interview(loop, "bob", vote="strong_yes")
    erin = upcoming(loop, "erin")
    recompute(loop)
    assert Loop.objects.get(pk=loop.pk).decision == Decision.PENDING

    services.interview_cancel(interview=erin, reason="Panel is enough.", by=recruiter)

    assert Loop.objects.get(pk=loop.pk).decision == Decision.HIRE
    assert Reminder.objects.filter(kind="debrief_ready", recipient__username="rita").exists()


@pytest.mark.django_db
def test_a_no_stays_no_when_the_others_are_cancelled(frozen, loop, recruiter):
    add_interview(loop, "bob", vote="no")
    erin = upcoming(loop, "erin")
    recompute(loop)

    services.interview_cancel(interview=erin, reason="Decided.", by=recruiter)

    assert Loop.objects.get(pk=loop.pk).decision == Decision.NO_HIRE


@pytest.mark.django_db
def test_cancel_is_refused_with_a_submitted_scorecard_twice_on_a_closed_loop_and_without_a_reason(
    frozen, loop, recruiter
):
    alice = add_interview(loop, "alice", vote="yes")
    erin = upcoming(loop, "erin")
    frank = upcoming(loop, "frank")

    for interview, reason, code in ((alice, "x", "scorecard_submitted"), (erin, "   ", "reason_required")):
        with pytest.raises((Conflict, Invalid)) as refused:
            services.interview_cancel(interview=interview, reason=reason, by=recruiter)
        assert refused.value.code == code
    services.interview_cancel(interview=erin, reason="No longer needed.", by=recruiter)
    with pytest.raises(Conflict) as refused:
        services.interview_cancel(interview=erin, reason="Again.", by=recruiter)
    assert refused.value.code == "interview_cancelled"
    with pytest.raises(Conflict) as refused:
        services.interview_reschedule(interview=erin, scheduled_start=LATER, scheduled_end=LATER + timedelta(hours=1))
    assert refused.value.code == "interview_cancelled"
    Loop.objects.filter(pk=loop.pk).update(status=Loop.Status.CLOSED)
    for change in (
        lambda: services.interview_cancel(interview=frank, reason="Closed.", by=recruiter),
        lambda: services.interview_reschedule(
            interview=frank, scheduled_start=LATER, scheduled_end=LATER + timedelta(hours=2)
        ),
    ):
        with pytest.raises(Conflict) as refused:
            change()
        assert refused.value.code == "loop_closed"
    alice.refresh_from_db()
    assert alice.cancelled_at is None and alice.counts_toward_decision


@pytest.mark.django_db
def test_an_ended_interview_with_a_note_but_no_scorecard_can_be_cancelled_and_its_note_stays(frozen, loop, recruiter):
    dave = add_interview(loop, "dave", vote="no", submitted=False, note_vote="no")

    services.interview_cancel(interview=dave, reason="Left the company.", by=recruiter)

    debrief = debrief_document(loop.pk)
    assert [note["interviewer"] for note in debrief["notes"]] == ["dave"]
    assert debrief["missing"] == []
    # Its draft can no longer be submitted: the interview is over for the decision.
    with pytest.raises(Conflict) as refused:
        scorecard_submit(interview=Interview.objects.get(pk=dave.pk))
    assert refused.value.code == "interview_cancelled"


@pytest.mark.django_db
def test_a_cancelled_interview_cannot_be_ended_and_the_sweep_passes_it_by(loop, recruiter):
    start = datetime.now(UTC) - timedelta(hours=3)
    interview = InterviewFactory(loop=loop, scheduled_start=start, scheduled_end=start + timedelta(hours=1))
    services.interview_cancel(interview=interview, reason="Rescheduled outside the tool.", by=recruiter)

    assert interviews_end_overdue() == []
    with pytest.raises(Conflict) as refused:
        services.interview_end(interview=interview)
    assert refused.value.code == "interview_cancelled"
    interview.refresh_from_db()
    assert interview.ended_at is None


@pytest.mark.django_db
def test_cancel_remaining_cancels_only_the_interviews_not_yet_held(frozen, loop, recruiter):
    add_interview(loop, "bob", vote="no")
    add_interview(loop, "dave", vote=None)  # ended, scorecard missing: held, not cancelled here
    midcall = add_interview(loop, "mia", vote=None, ended=False, start=NOW - timedelta(minutes=10))
    erin, frank = upcoming(loop, "erin"), upcoming(loop, "frank", start=LATER + timedelta(hours=2))
    recompute(loop)

    cancelled = services.loop_cancel_remaining(loop=loop, by=recruiter)

    assert [interview.pk for interview in cancelled] == [erin.pk, frank.pk]
    assert set(Interview.objects.filter(cancelled_at__isnull=False).values_list("cancel_reason", flat=True)) == {
        "Decided No: One No = No Hire."
    }
    assert Interview.objects.get(pk=midcall.pk).cancelled_at is None
    assert pending_kinds(kind="interview_cancelled") == [
        ("interview_cancelled", "erin", 1),
        ("interview_cancelled", "frank", 1),
    ]
    assert Loop.objects.get(pk=loop.pk).decision == Decision.NO_HIRE


# --- The debrief and the interviewer's list ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_debrief_shows_a_cancelled_interview_marked_never_missing(frozen, loop, recruiter, api_as):
    erin = upcoming(loop, "erin")
    services.interview_cancel(interview=erin, reason="Panel is enough.", by=recruiter)

    body = api_as(recruiter).get(f"/api/loops/{loop.pk}/debrief/").json()

    assert body["votes"] == [
        {
            "interview": erin.pk,
            "interviewer": "erin",
            "name": "Erin",
            "counts_toward_decision": False,
            "bar_raiser": False,
            "rubric": erin.rubric_id,
            "focus": [],
            "scheduled_start": iso(LATER),
            "scheduled_end": iso(LATER + timedelta(hours=1)),
            "ended_at": None,
            "cancelled": True,
            "cancelled_at": iso(NOW),
            "cancel_reason": "Panel is enough.",
            "scorecard_status": "not_started",
            "vote": None,
            "submitted_at": None,
            "amended": False,
            "amended_at": None,
            "summary": None,
            "deciding": False,
            "note": {"status": "not_due", "vote": None, "submitted_at": None, "due_at": None},
            "vote_shift": None,
            "mean_score": None,
            "weighted_score": None,
            "leniency": None,  # calibration: nothing scored, nothing to compare
            "leniency_n": 0,
        }
    ]
    assert body["missing"] == []
    assert body["decision"] == "pending"


@pytest.mark.django_db
def test_a_cancelled_interview_leaves_its_interviewers_list_and_page(frozen, loop, recruiter, api_as, client):
    erin = upcoming(loop, "erin")
    kept = upcoming(
        type(loop).objects.create(candidate=loop.candidate, position=loop.position, recruiter=recruiter), "erin2"
    )
    services.interview_cancel(interview=erin, reason="Panel is enough.", by=recruiter)

    rows = api_as(erin.interviewer).get("/api/interviews/").json()
    assert rows["count"] == 0 and rows["results"] == []
    assert [row["id"] for row in api_as(recruiter).get("/api/interviews/").json()["results"]] == [erin.pk, kept.pk]
    client.force_login(erin.interviewer)
    assert f"/interviews/{erin.pk}/" not in client.get("/interviews/").content.decode()


# --- The API ----------------------------------------------------------------------------------------------


def patch(client, interview, body):
    return client.patch(f"/api/interviews/{interview.pk}/", body, format="json")


def cancel(client, interview, body):
    return client.post(f"/api/interviews/{interview.pk}/cancel/", body, format="json")


@pytest.mark.django_db
def test_api_patch_moves_and_reassigns_answering_the_interview_row(frozen, loop, recruiter, api_as):
    erin = upcoming(loop, "erin")
    UserFactory(username="frank", role="interviewer")
    start, end = LATER + timedelta(hours=4), LATER + timedelta(hours=5)

    response = patch(
        api_as(recruiter), erin, {"scheduled_start": iso(start), "scheduled_end": iso(end), "interviewer": "frank"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": erin.pk,
        "loop": loop.pk,
        "candidate": "Jordan Rivera",
        "position": "LLM Reliability Engineer",
        "interviewer": "frank",
        "rubric": erin.rubric_id,
        "scheduled_start": iso(start),
        "scheduled_end": iso(end),
        "ended_at": None,
        "note_due_at": None,
        "note_status": "not_due",
        "scorecard_status": "not_started",
        "counts_toward_decision": True,
    }
    assert pending_kinds(interview=erin) == [("interview_assigned", "frank", 1), ("interview_cancelled", "erin", 1)]


@pytest.mark.django_db
def test_api_patch_with_only_an_end_keeps_the_start(frozen, loop, recruiter, api_as):
    erin = upcoming(loop, "erin")

    response = patch(api_as(recruiter), erin, {"scheduled_end": iso(LATER + timedelta(hours=2))})

    assert response.status_code == 200
    assert (response.json()["scheduled_start"], response.json()["scheduled_end"]) == (
        iso(LATER), iso(LATER + timedelta(hours=2))
    )  # fmt: skip


@pytest.mark.django_db
def test_api_cancel_answers_the_row_when_why_by_whom_and_the_decision(frozen, loop, recruiter, api_as):
    add_interview(loop, "alice", vote="yes")
    erin = upcoming(loop, "erin")
    recompute(loop)

    response = cancel(api_as(recruiter), erin, {"reason": "Panel is enough."})

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "interview": {
            "id": erin.pk,
            "loop": loop.pk,
            "candidate": "Jordan Rivera",
            "position": "LLM Reliability Engineer",
            "interviewer": "erin",
            "rubric": erin.rubric_id,
            "scheduled_start": iso(LATER),
            "scheduled_end": iso(LATER + timedelta(hours=1)),
            "ended_at": None,
            "note_due_at": None,
            "note_status": "not_due",
            "scorecard_status": "not_started",
            "counts_toward_decision": False,
        },
        "cancelled_at": iso(NOW),
        "cancel_reason": "Panel is enough.",
        "cancelled_by": "rita",
        "decision": "hire",
    }


@pytest.mark.django_db
def test_api_every_refusal_has_its_code(frozen, loop, recruiter, api_as):
    client = api_as(recruiter)
    alice = add_interview(loop, "alice", vote="yes")
    bob = add_interview(loop, "bob", vote=None)  # ended
    erin = upcoming(loop, "erin")
    UserFactory(username="ollie")

    def code(response):
        return response.status_code, response.json()["code"]

    assert code(patch(client, bob, {"scheduled_start": iso(LATER)})) == (409, "interview_ended")
    assert code(patch(client, erin, {"scheduled_end": iso(LATER - timedelta(hours=1))})) == (400, "end_before_start")
    assert code(patch(client, erin, {"scheduled_start": "3000-01-01T00:00:00Z"})) == (400, "date_out_of_range")
    assert code(patch(client, erin, {"scheduled_start": "tomorrow"})) == (400, "invalid")
    assert code(patch(client, erin, {"interviewer": "ollie"})) == (400, "not_an_interviewer")
    assert code(patch(client, erin, {"interviewer": "nobody-at-all"})) == (400, "not_an_interviewer")
    assert code(patch(client, erin, {"interviewer": "alice"})) == (409, "already_on_panel")
    assert code(cancel(client, alice, {"reason": "Why not."})) == (409, "scorecard_submitted")
    assert code(cancel(client, erin, {"reason": "x\x00"})) == (400, "invalid_character")
    assert code(cancel(client, erin, {})) == (400, "reason_required")
    assert code(cancel(client, erin, {"reason": "   "})) == (400, "reason_required")
    assert cancel(client, erin, {"reason": "Done."}).status_code == 200
    assert code(cancel(client, erin, {"reason": "Again."})) == (409, "interview_cancelled")
    assert code(patch(client, erin, {"scheduled_start": iso(LATER)})) == (409, "interview_cancelled")
    Loop.objects.filter(pk=loop.pk).update(status=Loop.Status.CLOSED)
    assert code(cancel(client, bob, {"reason": "Closed."})) == (409, "loop_closed")
    assert code(patch(client, bob, {"scheduled_start": iso(LATER)})) == (409, "loop_closed")


@pytest.mark.django_db
def test_api_only_recruiters_interviewers_get_404_and_anonymous_401(frozen, loop, api_as, api):
    erin = upcoming(loop, "erin")
    for client in (api_as(erin.interviewer), api_as(UserFactory(username="ollie", role="interviewer"))):
        for response in (patch(client, erin, {"scheduled_start": iso(LATER)}), cancel(client, erin, {"reason": "x"})):
            assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert patch(api, erin, {}).status_code == 401
    assert cancel(api, erin, {"reason": "x"}).status_code == 401
    erin.refresh_from_db()
    assert erin.cancelled_at is None


@pytest.mark.django_db
def test_api_cancel_remaining(frozen, loop, recruiter, api_as):
    add_interview(loop, "bob", vote="no")
    erin = upcoming(loop, "erin")
    recompute(loop)

    response = api_as(recruiter).post(f"/api/loops/{loop.pk}/cancel-remaining/", {}, format="json")

    assert response.status_code == 200
    assert response.json() == {"cancelled": [erin.pk], "decision": "no_hire"}
    assert Interview.objects.get(pk=erin.pk).cancel_reason == "Decided No: One No = No Hire."


# --- Query counts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 8])
@pytest.mark.django_db
def test_the_debrief_with_cancelled_interviews_costs_the_same(size, loop, recruiter, api_as, django_assert_num_queries):
    for position in range(size):
        interview = add_interview(loop, f"panelist{position}", vote="yes" if position % 2 else None, note_vote="yes")
        if position % 2 == 0:
            services.interview_cancel(interview=interview, reason="Not needed.", by=recruiter)
    client = api_as(recruiter)
    # the token with its user, the caller's roles, then the loop's stored debrief (see test_api_debrief.py), and the
    # panel's leniency.
    with django_assert_num_queries(3 + 1):
        response = client.get(f"/api/loops/{loop.pk}/debrief/")
    assert [vote["cancelled"] for vote in response.json()["votes"]] == [position % 2 == 0 for position in range(size)]
