"""The outbox: every cause writes its reminders in its own transaction, and only then."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from debriefs import outbox
from debriefs.models import Reminder
from debriefs.services import loop_recompute_decision
from interviewloop.services import interview_end
from scorecards.services import note_write, scorecard_save_draft, scorecard_submit
from tests.debriefs.reminder_fixtures import T0, ended_interview, make_loop
from tests.factories import InterviewFactory, NoteFactory, UserFactory, make_scorecard
from tests.scorecards.conftest import full_body, typed

pytestmark = [pytest.mark.django_db]


def rows(**filters):
    """(kind, recipient, sequence, due_at, copy_to, state) for the matching reminders, oldest due first."""
    return [
        (r.kind, r.recipient.username, r.sequence, r.due_at, r.copy_to.username if r.copy_to else None, r.state)
        for r in Reminder.objects.filter(**filters).select_related("recipient", "copy_to").order_by("due_at", "id")
    ]


def test_ending_an_interview_writes_note_and_scorecard_reminders(reminder_loop):
    interview = ended_interview(reminder_loop, "alice", at=T0)

    assert rows(interview=interview) == [
        ("note_now", "alice", 1, T0, None, "pending"),
        ("note_overdue", "alice", 1, T0 + timedelta(minutes=5), None, "pending"),
        ("scorecard_overdue", "alice", 1, T0 + timedelta(hours=24), None, "pending"),
        ("scorecard_overdue", "alice", 2, T0 + timedelta(hours=48), "rita", "pending"),
        ("scorecard_overdue", "alice", 3, T0 + timedelta(hours=72), "rita", "pending"),
    ]
    assert all(r.next_attempt_at == r.due_at for r in Reminder.objects.all())


@override_settings(NOTE_WINDOW_MINUTES=0.2, SCORECARD_DUE_HOURS=0.5, SCORECARD_REMINDERS_MAX=2)
def test_the_clocks_come_from_settings_and_take_fractions(reminder_loop):
    interview = ended_interview(reminder_loop, "alice", at=T0)

    assert [(kind, seq, due) for kind, _, seq, due, _, _ in rows(interview=interview)] == [
        ("note_now", 1, T0),
        ("note_overdue", 1, T0 + timedelta(seconds=12)),
        ("scorecard_overdue", 1, T0 + timedelta(minutes=30)),
        ("scorecard_overdue", 2, T0 + timedelta(minutes=60)),
    ]


def test_ending_twice_writes_the_reminders_once(reminder_loop):
    interview = ended_interview(reminder_loop, "alice", at=T0)
    interview_end(interview=interview, at=T0 + timedelta(minutes=3))
    # Even a replay of the outbox call itself (a retried task, say) adds nothing.
    outbox.interview_ended(interview)

    assert Reminder.objects.count() == 5


def test_a_rolled_back_end_leaves_no_reminder(reminder_loop):
    interview = InterviewFactory(loop=reminder_loop, scheduled_start=T0 - timedelta(hours=1), scheduled_end=T0)

    with pytest.raises(RuntimeError), transaction.atomic():
        interview_end(interview=interview, at=T0)
        assert Reminder.objects.count() == 5  # written inside the cause's transaction...
        raise RuntimeError("the request failed after the end was saved")

    interview.refresh_from_db()
    assert interview.ended_at is None
    assert Reminder.objects.count() == 0  # ...and gone with it


def test_writing_the_note_cancels_the_note_reminders_in_its_transaction(reminder_loop):
    interview = ended_interview(reminder_loop, "alice", at=T0)

    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        note_write(
            interview=interview,
            best_thing="Asked about users.",
            biggest_concern="Rollout.",
            vote="yes",
            want_to_work_with="yes",
        )

    cancelled = Reminder.objects.filter(interview=interview, cancelled_at__isnull=False)
    assert sorted(cancelled.values_list("kind", "cancel_reason")) == [
        ("note_now", "The note was written."),
        ("note_overdue", "The note was written."),
    ]
    assert Reminder.objects.filter(interview=interview, kind="scorecard_overdue", cancelled_at=None).count() == 3


def test_a_rolled_back_note_cancels_nothing(reminder_loop):
    interview = ended_interview(reminder_loop, "alice", at=T0)

    with pytest.raises(RuntimeError), transaction.atomic():
        note_write(
            interview=interview, best_thing="Asked.", biggest_concern="Rollout.", vote="yes", want_to_work_with="yes"
        )
        raise RuntimeError

    assert Reminder.objects.filter(cancelled_at__isnull=False).count() == 0


def test_a_submitted_scorecard_cancels_its_repeats_only(reminder_loop):
    alice = ended_interview(reminder_loop, "alice", at=T0)
    bob = ended_interview(reminder_loop, "bob", at=T0)

    outbox.scorecard_submitted(alice, decision_before="pending")

    assert (
        Reminder.objects.filter(
            interview=alice, kind="scorecard_overdue", cancel_reason="The scorecard was submitted."
        ).count()
        == 3
    )
    assert Reminder.objects.filter(interview=bob, cancelled_at__isnull=False).count() == 0
    assert Reminder.objects.filter(interview=alice, kind="note_now", cancelled_at=None).count() == 1


def test_a_final_decision_writes_debrief_ready_to_the_recruiter_and_who_has_submitted(reminder_loop):
    # DESIGN.md, Reminders: to the recruiter, and each panel member once their own scorecard is in (never earlier:
    # "ready" before yours would tell you someone said No). bob and the shadow are still writing theirs.
    alice = ended_interview(reminder_loop, "alice", at=T0)
    ended_interview(reminder_loop, "bob", at=T0)
    ended_interview(reminder_loop, "shadow", at=T0, counts=False)

    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        make_scorecard(alice, vote="no", scores=2)
        loop_recompute_decision(loop=reminder_loop)

    assert rows(kind="debrief_ready") == [
        ("debrief_ready", name, 1, T0 + timedelta(hours=1), None, "pending") for name in ("rita", "alice")
    ]


def _submit(interview):
    NoteFactory(interview=interview)
    scorecard_save_draft(interview=interview, data=typed(interview, full_body(vote="yes")))
    return scorecard_submit(interview=interview)


def test_a_panel_member_who_submits_after_the_decision_is_final_gets_their_debrief_ready_then(reminder_loop):
    alice = ended_interview(reminder_loop, "alice", at=T0)
    bob = ended_interview(reminder_loop, "bob", at=T0)
    shadow = ended_interview(reminder_loop, "shadow", at=T0, counts=False)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        make_scorecard(alice, vote="no", scores=2)
        loop_recompute_decision(loop=reminder_loop)

    # when bob, then the shadow, submit: the decision was already final (alice's No)
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        _submit(bob)
    assert rows(kind="debrief_ready", recipient=bob.interviewer) == [
        ("debrief_ready", "bob", 1, T0 + timedelta(hours=3), None, "pending")  # in the same round as the others
    ]
    with time_machine.travel(T0 + timedelta(hours=4), tick=False):
        _submit(shadow)

    # then each has theirs, written when their own scorecard came in; nobody has two
    assert rows(kind="debrief_ready") == [
        ("debrief_ready", "rita", 1, T0 + timedelta(hours=1), None, "pending"),
        ("debrief_ready", "alice", 1, T0 + timedelta(hours=1), None, "pending"),
        ("debrief_ready", "bob", 1, T0 + timedelta(hours=3), None, "pending"),
        ("debrief_ready", "shadow", 1, T0 + timedelta(hours=4), None, "pending"),
    ]


def test_a_submit_that_makes_the_decision_final_writes_one_round_with_the_submitter_in_it(reminder_loop):
    alice = ended_interview(reminder_loop, "alice", at=T0)
    bob = ended_interview(reminder_loop, "bob", at=T0)
    ended_interview(reminder_loop, "shadow", at=T0, counts=False)
    make_scorecard(alice, vote="yes")
    loop_recompute_decision(loop=reminder_loop)
    assert rows(kind="debrief_ready") == []

    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        _submit(bob)  # the last counting Yes: a hire

    assert rows(kind="debrief_ready") == [
        ("debrief_ready", name, 1, T0 + timedelta(hours=2), None, "pending") for name in ("rita", "alice", "bob")
    ]


def test_a_submit_while_the_decision_is_pending_writes_no_debrief_ready(reminder_loop):
    alice = ended_interview(reminder_loop, "alice", at=T0)
    ended_interview(reminder_loop, "bob", at=T0)

    _submit(alice)

    assert rows(kind="debrief_ready") == []


def test_a_decision_still_pending_writes_no_debrief_ready(reminder_loop):
    alice = ended_interview(reminder_loop, "alice", at=T0)
    ended_interview(reminder_loop, "bob", at=T0)

    make_scorecard(alice, vote="yes")
    loop_recompute_decision(loop=reminder_loop)

    assert rows(kind="debrief_ready") == []


def test_a_decision_that_stops_being_final_cancels_the_unsent_debrief_ready(reminder_loop):
    ended_interview(reminder_loop, "alice", at=T0)
    reminder_loop.decision = "no_hire"
    outbox.decision_changed(reminder_loop, previous="pending")

    reminder_loop.decision = "pending"
    outbox.decision_changed(reminder_loop, previous="no_hire")

    assert {r.cancel_reason for r in Reminder.objects.filter(kind="debrief_ready")} == {
        "The decision is no longer final."
    }


def test_a_flip_between_final_decisions_replaces_the_unsent_one(reminder_loop):
    # alice's scorecard is in, so the debrief_ready rounds are hers too (never before it is: see above)
    make_scorecard(ended_interview(reminder_loop, "alice", at=T0), vote="yes")
    reminder_loop.decision = "hire"
    outbox.decision_changed(reminder_loop, previous="pending")
    reminder_loop.decision = "no_hire"
    outbox.decision_changed(reminder_loop, previous="hire")

    assert [
        (r.recipient.username, r.sequence, r.state)
        for r in Reminder.objects.filter(kind="debrief_ready").order_by("sequence", "id")
    ] == [
        ("rita", 1, "cancelled"),
        ("alice", 1, "cancelled"),
        ("rita", 2, "pending"),
        ("alice", 2, "pending"),
    ]


def test_scheduling_the_debrief_writes_the_meeting_reminder_and_rescheduling_replaces_it(reminder_loop):
    ended_interview(reminder_loop, "alice", at=T0)
    meeting = T0 + timedelta(days=1)

    reminder_loop.debrief_at = meeting
    reminder_loop.save()
    outbox.debrief_scheduled(reminder_loop)
    reminder_loop.debrief_at = meeting + timedelta(hours=2)
    reminder_loop.save()
    outbox.debrief_scheduled(reminder_loop)

    assert rows(kind="debrief_meeting") == [
        ("debrief_meeting", "rita", 1, meeting - timedelta(minutes=30), None, "cancelled"),
        ("debrief_meeting", "alice", 1, meeting - timedelta(minutes=30), None, "cancelled"),
        ("debrief_meeting", "rita", 2, meeting + timedelta(minutes=90), None, "pending"),
        ("debrief_meeting", "alice", 2, meeting + timedelta(minutes=90), None, "pending"),
    ]
    assert set(Reminder.objects.filter(kind="debrief_meeting", sequence=1).values_list("cancel_reason", flat=True)) == {
        "The debrief meeting was rescheduled."
    }


def test_clearing_the_debrief_cancels_the_meeting_reminder(reminder_loop):
    reminder_loop.debrief_at = T0 + timedelta(days=1)
    outbox.debrief_scheduled(reminder_loop)
    reminder_loop.debrief_at = None
    outbox.debrief_scheduled(reminder_loop)

    assert rows(kind="debrief_meeting") == [
        ("debrief_meeting", "rita", 1, T0 + timedelta(days=1, minutes=-30), None, "cancelled")
    ]


def test_an_interviewer_who_joins_after_the_meeting_was_set_is_invited_too(reminder_loop):
    reminder_loop.debrief_at = T0 + timedelta(days=1)
    outbox.debrief_scheduled(reminder_loop)  # nobody on the panel yet

    ended_interview(reminder_loop, "alice", at=T0)

    assert [(name, seq) for _, name, seq, _, _, _ in rows(kind="debrief_meeting")] == [("rita", 1), ("alice", 1)]


def test_the_recruiter_is_not_copied_on_their_own_interview(rubric):
    recruiter_who_interviews = UserFactory(username="rina", role="recruiter")
    loop = make_loop(rubric, recruiter_who_interviews)
    interview = InterviewFactory(
        loop=loop, interviewer=recruiter_who_interviews, scheduled_start=T0 - timedelta(hours=1), scheduled_end=T0
    )

    interview_end(interview=interview, at=T0)

    assert set(Reminder.objects.filter(kind="scorecard_overdue").values_list("copy_to", flat=True)) == {None}
