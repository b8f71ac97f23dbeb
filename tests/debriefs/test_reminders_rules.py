"""The reminders' pure rules: schedules, "does it still apply?", retries, and deadlines in the reader's terms."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from debriefs.reminder_rules import (
    INTERVIEW_ASSIGNED,
    INTERVIEW_CANCELLED,
    INTERVIEW_RESCHEDULED,
    KINDS,
    NOTICE_KINDS,
    Facts,
    cancel_reason,
    deadline_phrase,
    debrief_meeting_due_at,
    debrief_ready_applies,
    debrief_ready_audience,
    debrief_ready_owed_on_submit,
    debrief_withheld,
    is_transient,
    retry_delay,
    scorecard_reminders,
)

NOW = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)


def test_scorecard_reminders_every_period_three_at_most_recruiter_copied_from_the_second():
    steps = scorecard_reminders(NOW, due_hours=24, most=3)

    assert [(s.sequence, s.due_at, s.copy_recruiter) for s in steps] == [
        (1, NOW + timedelta(hours=24), False),
        (2, NOW + timedelta(hours=48), True),
        (3, NOW + timedelta(hours=72), True),
    ]


def test_scorecard_reminders_take_fractions_of_an_hour():
    steps = scorecard_reminders(NOW, due_hours=0.01, most=2)

    assert [s.due_at for s in steps] == [NOW + timedelta(seconds=36), NOW + timedelta(seconds=72)]


def test_debrief_meeting_reminder_is_the_lead_before_the_meeting():
    assert debrief_meeting_due_at(NOW, lead_minutes=30) == NOW - timedelta(minutes=30)


def test_debrief_ready_is_owed_when_the_decision_becomes_final_or_flips():
    assert debrief_ready_applies("no_hire", "pending")
    assert debrief_ready_applies("hire", "pending")
    assert debrief_ready_applies("no_hire", "hire")
    assert not debrief_ready_applies("pending", "no_hire")
    assert not debrief_ready_applies("hire", "hire")


def test_a_note_written_meanwhile_cancels_the_note_reminders():
    facts = Facts(now=NOW, note_written=True, note_due_at=NOW + timedelta(minutes=5))

    assert cancel_reason("note_now", facts) == "The note was already written."
    assert cancel_reason("note_overdue", facts) == "The note was written in the meantime."
    assert cancel_reason("scorecard_overdue", facts) is None


def test_note_now_sent_only_while_the_window_is_open():
    due = NOW + timedelta(minutes=5)

    assert cancel_reason("note_now", Facts(now=NOW, note_due_at=due)) is None
    assert cancel_reason("note_now", Facts(now=due, note_due_at=due)) == (
        "The note window had closed before it could be sent; the note_overdue reminder replaces it."
    )
    assert cancel_reason("note_overdue", Facts(now=due, note_due_at=due)) is None


def test_a_submitted_scorecard_stops_its_repeats():
    assert (
        cancel_reason("scorecard_overdue", Facts(now=NOW, scorecard_submitted=True)) == "The scorecard was submitted."
    )
    assert cancel_reason("scorecard_overdue", Facts(now=NOW)) is None


def test_debrief_ready_goes_to_the_recruiter_and_each_member_whose_scorecard_is_in():
    # DESIGN.md, Reminders: "recruiter, and each panel member once their own scorecard is in (never earlier)"
    panel = [(2, True), (3, False), (4, True), (2, True)]
    assert debrief_ready_audience(recruiter_id=1, panel=panel) == [1, 2, 4]
    assert debrief_ready_audience(recruiter_id=1, panel=[]) == [1]
    assert debrief_ready_audience(recruiter_id=3, panel=panel) == [3, 2, 4]  # a recruiter on the panel: once


panels = st.lists(st.tuples(st.integers(min_value=1, max_value=8), st.booleans()), max_size=8)


@given(recruiter=st.integers(min_value=1, max_value=8), panel=panels)
def test_no_member_without_their_scorecard_is_ever_in_the_audience_and_withheld_says_the_same(recruiter, panel):
    audience = debrief_ready_audience(recruiter_id=recruiter, panel=panel)
    assert audience[0] == recruiter and len(audience) == len(set(audience))
    for user_id in {user_id for user_id, _ in panel} | {recruiter}:
        # the writer's audience and the dispatcher's re-check agree (a member sits once on a panel)
        submitted = [done for member, done in panel if member == user_id]
        if len(submitted) <= 1:
            assert (user_id in audience) == (
                not debrief_withheld(recipient_id=user_id, recruiter_id=recruiter, panel=panel)
            )
    for user_id, _ in panel:
        if user_id != recruiter and user_id in audience:
            assert any(done for member, done in panel if member == user_id)


def test_a_member_who_submits_after_the_decision_was_final_is_owed_theirs_then():
    assert debrief_ready_owed_on_submit("no_hire", "no_hire")
    assert debrief_ready_owed_on_submit("hire", "hire")  # a shadow's Yes after everyone's
    # their submit made it final (or flipped it): the decision's own round includes them
    assert not debrief_ready_owed_on_submit("no_hire", "pending")
    assert not debrief_ready_owed_on_submit("hire", "pending")
    assert not debrief_ready_owed_on_submit("no_hire", "hire")
    # not final: nothing is ready
    assert not debrief_ready_owed_on_submit("pending", "pending")


@given(
    decision=st.sampled_from(["pending", "hire", "no_hire"]), previous=st.sampled_from(["pending", "hire", "no_hire"])
)
def test_a_submitter_is_owed_a_debrief_ready_by_exactly_one_of_the_two_writers_when_final(decision, previous):
    # the decision's round (debrief_ready_applies) or the late one (debrief_ready_owed_on_submit), never both
    by_round = debrief_ready_applies(decision, previous)
    late = debrief_ready_owed_on_submit(decision, previous)
    assert not (by_round and late)
    assert (by_round or late) == (decision in ("hire", "no_hire"))


def test_debrief_ready_waits_while_the_recipients_own_scorecard_is_not_in():
    withheld = Facts(now=NOW, decision="no_hire", debrief_withheld=True)
    assert (
        cancel_reason("debrief_ready", withheld)
        == "The recipient's own scorecard is not in yet: the debrief opens to them once it is."
    )
    assert debrief_withheld(recipient_id=3, recruiter_id=1, panel=[(2, True), (3, False)])
    assert not debrief_withheld(recipient_id=3, recruiter_id=1, panel=[(2, True), (3, True)])
    assert not debrief_withheld(recipient_id=1, recruiter_id=1, panel=[(1, False)])  # the recruiter reads every loop
    assert not debrief_withheld(recipient_id=9, recruiter_id=1, panel=[(2, False)])  # not on the panel


def test_debrief_ready_needs_a_final_decision_still():
    assert cancel_reason("debrief_ready", Facts(now=NOW, decision="no_hire")) is None
    assert cancel_reason("debrief_ready", Facts(now=NOW, decision="hire")) is None
    assert cancel_reason("debrief_ready", Facts(now=NOW, decision="pending")) == "The decision is no longer final."


def test_debrief_meeting_needs_a_meeting_still_ahead():
    assert cancel_reason("debrief_meeting", Facts(now=NOW, debrief_at=NOW + timedelta(minutes=30))) is None
    assert cancel_reason("debrief_meeting", Facts(now=NOW, debrief_at=None)) == (
        "The debrief meeting is no longer scheduled."
    )
    assert (
        cancel_reason("debrief_meeting", Facts(now=NOW, debrief_at=NOW)) == "The debrief meeting has already started."
    )


# Every kind but the cancellation notice: a loop decided No is closed right after its remaining interviews are
# cancelled, and their interviewers must still hear the hour is free (see the next test).
@given(
    kind=st.sampled_from([kind for kind in KINDS if kind != INTERVIEW_CANCELLED]),
    note=st.booleans(),
    scorecard=st.booleans(),
    decision=st.sampled_from(["pending", "hire", "no_hire"]),
)
def test_nothing_is_sent_on_a_closed_loop(kind, note, scorecard, decision):
    facts = Facts(now=NOW, loop_closed=True, note_written=note, scorecard_submitted=scorecard, decision=decision)

    assert cancel_reason(kind, facts) == "The loop is closed."


@given(attempts=st.integers(min_value=1, max_value=50))
def test_retry_delay_grows_and_is_capped_at_an_hour(attempts):
    delay = retry_delay(attempts)

    assert timedelta(seconds=30) <= delay <= timedelta(hours=1)
    assert retry_delay(attempts + 1) >= delay


def test_retry_delay_doubles_from_thirty_seconds():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 8, 9)] == [30, 60, 120, 240, 3600, 3600]


def test_connection_troubles_and_4xx_replies_are_transient():
    assert is_transient(ConnectionRefusedError(111, "Connection refused"))
    assert is_transient(TimeoutError("timed out"))
    assert is_transient(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    assert is_transient(smtplib.SMTPDataError(451, b"try again later"))
    assert is_transient(smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"mailbox busy")}))


def test_refusals_and_bugs_are_permanent():
    assert not is_transient(smtplib.SMTPDataError(550, b"rejected"))
    assert not is_transient(smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")}))
    assert not is_transient(smtplib.SMTPAuthenticationError(535, b"bad credentials"))
    assert not is_transient(smtplib.SMTPAuthenticationError(454, b"temporary auth failure"))
    assert not is_transient(ValueError("template bug"))


def test_deadline_in_the_readers_terms():
    utc = ZoneInfo("UTC")

    assert deadline_phrase(NOW + timedelta(minutes=5), NOW, utc) == "14:35, in 5 minutes"
    assert deadline_phrase(NOW - timedelta(minutes=3), NOW, utc) == "14:27, 3 minutes ago"
    assert deadline_phrase(NOW + timedelta(minutes=1), NOW, utc) == "14:31, in 1 minute"
    assert deadline_phrase(NOW + timedelta(seconds=12), NOW, utc) == "14:30, in 12 seconds"
    assert deadline_phrase(NOW + timedelta(seconds=3), NOW, utc) == "14:30, now"
    assert deadline_phrase(NOW - timedelta(seconds=1), NOW, utc) == "14:29, just now"
    assert deadline_phrase(NOW - timedelta(hours=3), NOW, utc) == "11:30, 3 hours ago"
    assert deadline_phrase(NOW + timedelta(hours=24), NOW, utc) == "Tue 24 Nov 14:30, in 24 hours"
    assert deadline_phrase(NOW - timedelta(days=3), NOW, utc) == "Fri 20 Nov 14:30, 3 days ago"


def test_deadline_uses_the_readers_time_zone():
    assert deadline_phrase(NOW + timedelta(minutes=5), NOW, ZoneInfo("Europe/Paris")) == "15:35, in 5 minutes"
    # 23:58 in New York is still the same day there, though it is the next day in UTC.
    late = datetime(2026, 11, 24, 4, 58, tzinfo=UTC)
    assert deadline_phrase(late, late - timedelta(minutes=5), ZoneInfo("America/New_York")) == "23:58, in 5 minutes"


@given(seconds=st.integers(min_value=-1_000_000, max_value=1_000_000))
def test_deadline_phrase_says_past_or_future_as_it_is(seconds):
    phrase = deadline_phrase(NOW + timedelta(seconds=seconds), NOW, ZoneInfo("UTC"))

    if seconds >= 5:
        assert ", in " in phrase and not phrase.endswith(" ago")
    elif seconds <= -5:
        assert phrase.endswith(" ago") and ", in " not in phrase
    else:
        assert phrase.endswith("now")
    assert " 0 " not in phrase and " 1 minutes" not in phrase and " 1 hours" not in phrase


# --- Notices of a changed interview (cancelled, rescheduled, assigned) -------------------------------------


def test_the_notice_kinds_are_the_three_interview_changes():
    # (KINDS itself is tied to Reminder.Kind in tests/test_value_lists.py)
    assert set(NOTICE_KINDS) == {INTERVIEW_CANCELLED, INTERVIEW_RESCHEDULED, INTERVIEW_ASSIGNED}


@given(closed=st.booleans(), note=st.booleans(), scorecard=st.booleans())
def test_a_cancellation_is_told_even_on_a_closed_loop(closed, note, scorecard):
    facts = Facts(
        now=NOW, loop_closed=closed, interview_cancelled=True, note_written=note, scorecard_submitted=scorecard
    )

    assert cancel_reason(INTERVIEW_CANCELLED, facts) is None


def test_a_removed_interviewer_is_told_unless_the_interview_came_back_to_them():
    removed = Facts(now=NOW, recipient_holds_interview=False)
    back = Facts(now=NOW, recipient_holds_interview=True)

    assert cancel_reason(INTERVIEW_CANCELLED, removed) is None
    assert cancel_reason(INTERVIEW_CANCELLED, back) == "The interview is theirs again and not cancelled."


@given(kind=st.sampled_from(NOTICE_KINDS), cancelled=st.booleans(), holds=st.booleans(), closed=st.booleans())
def test_a_superseded_notice_is_never_sent(kind, cancelled, holds, closed):
    facts = Facts(
        now=NOW, superseded=True, interview_cancelled=cancelled, recipient_holds_interview=holds, loop_closed=closed
    )

    assert cancel_reason(kind, facts) == "A later notice of the same change replaces it."


@given(kind=st.sampled_from([INTERVIEW_RESCHEDULED, INTERVIEW_ASSIGNED]))
def test_a_move_or_assignment_is_dropped_once_it_is_no_longer_true(kind):
    assert cancel_reason(kind, Facts(now=NOW)) is None
    assert cancel_reason(kind, Facts(now=NOW, interview_cancelled=True)) == "The interview was cancelled."
    assert cancel_reason(kind, Facts(now=NOW, recipient_holds_interview=False)) == (
        "The interview was given to another interviewer."
    )
    assert cancel_reason(kind, Facts(now=NOW, interview_ended=True)) == "The interview has already ended."
    assert cancel_reason(kind, Facts(now=NOW, loop_closed=True)) == "The loop is closed."


@given(kind=st.sampled_from(["note_now", "note_overdue", "scorecard_overdue"]))
def test_a_cancelled_interviews_note_and_scorecard_reminders_are_dropped(kind):
    assert cancel_reason(kind, Facts(now=NOW, interview_cancelled=True)) == "The interview was cancelled."
