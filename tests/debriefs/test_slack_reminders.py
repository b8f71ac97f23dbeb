"""Reminders as Slack direct messages, in-process against a local server speaking Slack's Web API on loopback
(tests/debriefs/slack_server.py): every kind to the right user with a button to its page, each user's choice of
channels, Slack down then back, rate limiting (429 with Retry-After), a user Slack does not know, and what admin
shows of it all. Email goes through Django's locmem backend (the `mailoutbox` fixture)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from debriefs import outbox
from debriefs.models import Reminder, SlackUser
from debriefs.outbox import reminder_send_again
from debriefs.services import loop_recompute_decision
from interviewloop import services
from interviewloop.profiles import user_set_notify_by
from tests.debriefs.reminder_fixtures import T0, dispatch_at, ended_interview
from tests.debriefs.slack_server import TOKEN, SlackServer
from tests.factories import InterviewFactory, NoteFactory, UserFactory, make_scorecard

pytestmark = [pytest.mark.django_db]

SITE = "https://loops.example.com"
IDS = {"alice": "U0ALICE", "bob": "U0BOB", "carol": "U0CAROL", "rita": "U0RITA", "erin": "U0ERIN"}


@pytest.fixture
def slack(settings):
    settings.SITE_URL = SITE
    settings.SLACK_TIMEOUT_SECONDS = 2
    server = SlackServer(users={f"{name}@example.com": user_id for name, user_id in IDS.items()})
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_API_URL = server.base_url
    with server:
        yield server


def choose(username: str, notify_by: str, *, role: str = "interviewer"):
    user = UserFactory(username=username, role=role)
    user_set_notify_by(user=user, notify_by=notify_by)
    return user


def emails() -> list[tuple[str, str, list[str]]]:
    """(kind, to, cc) of every email sent so far."""
    return [(m.extra_headers["X-Interviewloop-Reminder"].split()[0], m.to[0], m.cc) for m in mail.outbox]


def page(name: str, pk: int) -> str:
    return SITE + reverse(name, args=[pk])


def test_the_interview_reminders_go_to_the_interviewer_as_direct_messages_with_a_button_to_the_page(
    reminder_loop, slack, mailoutbox
):
    choose("alice", "slack")
    with time_machine.travel(T0, tick=False):
        interview = ended_interview(reminder_loop, "alice", at=T0)

    for when in (T0, T0 + timedelta(minutes=5), *(T0 + timedelta(hours=h) for h in (24, 48, 72))):
        assert dispatch_at(when)["sent"] >= 1

    kinds = ["note_now", "note_overdue", "scorecard_overdue", "scorecard_overdue", "scorecard_overdue"]
    assert [post.reminder.split()[0] for post in slack.posts] == kinds
    assert {post.channel for post in slack.posts} == {"U0ALICE"}
    note, scorecard = page("interview-note", interview.pk), page("interview-scorecard", interview.pk)
    assert [post.button_urls() for post in slack.posts] == [[note], [note], [scorecard], [scorecard], [scorecard]]
    first = slack.posts[0]
    assert first.text == "Five-minute note on Jordan Rivera: due 14:35, in 5 minutes"
    assert first.blocks[0]["text"]["text"].startswith("*Five-minute note on Jordan Rivera: due 14:35, in 5 minutes*\n")
    assert "Due 14:35, in 5 minutes (UTC)." in first.blocks[0]["text"]["text"]
    assert "Hi Alice" not in first.blocks[0]["text"]["text"]
    # Slack-only: no email, except the two scorecard reminders the recruiter is copied on (the copy rides on email)
    assert emails() == [("scorecard_overdue", "alice@example.com", ["rita@example.com"])] * 2
    assert slack.lookups == ["alice@example.com"]  # looked up once, then kept
    assert SlackUser.objects.get(user__username="alice").slack_id == "U0ALICE"
    assert set(slack.authorization) == {f"Bearer {TOKEN}"}
    assert Reminder.objects.filter(channel="slack", sent_at__isnull=False, attempts=1, last_error="").count() == 5


def test_debrief_ready_and_the_debrief_meeting_go_to_recruiter_and_panel_on_slack(reminder_loop, slack, mailoutbox):
    choose("rita", "slack", role="recruiter")
    choose("alice", "both")
    choose("bob", "slack")
    alice = ended_interview(reminder_loop, "alice", at=T0)
    bob = ended_interview(reminder_loop, "bob", at=T0)
    Reminder.objects.all().delete()
    make_scorecard(alice, vote="no", scores=2)
    make_scorecard(bob, vote="yes", scores=4)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        loop_recompute_decision(loop=reminder_loop)
        services.loop_schedule_debrief(loop=reminder_loop, debrief_at=T0 + timedelta(days=1))

    dispatch_at(T0 + timedelta(hours=2))
    dispatch_at(T0 + timedelta(days=1, minutes=-30))

    debrief = page("loop-debrief", reminder_loop.pk)
    by_kind: dict[str, list[str]] = {}
    for post in slack.posts:
        assert post.button_urls() == [debrief]
        by_kind.setdefault(post.reminder.split()[0], []).append(post.channel)
    assert {kind: sorted(channels) for kind, channels in by_kind.items()} == {
        "debrief_ready": ["U0ALICE", "U0BOB", "U0RITA"],
        "debrief_meeting": ["U0ALICE", "U0BOB", "U0RITA"],
    }
    ready = next(post for post in slack.posts if post.channel == "U0RITA")
    assert ready.text == "Debrief ready: Jordan Rivera, LLM Reliability Engineer: No hire"
    assert "Decision: No hire" in ready.blocks[0]["text"]["text"]
    assert sorted(emails()) == [
        ("debrief_meeting", "alice@example.com", []),
        ("debrief_ready", "alice@example.com", []),
    ]


def test_the_interview_notices_go_on_slack_with_the_kit_or_the_list(reminder_loop, recruiter, slack, mailoutbox):
    erin = choose("erin", "slack")
    start = T0 + timedelta(days=1)
    interview = InterviewFactory(
        loop=reminder_loop, interviewer=erin, scheduled_start=start, scheduled_end=start + timedelta(hours=1)
    )
    with time_machine.travel(T0, tick=False):
        outbox.interview_scheduled(interview)
    dispatch_at(T0)
    with time_machine.travel(T0, tick=False):
        services.interview_reschedule(
            interview=interview, scheduled_start=start + timedelta(hours=2), scheduled_end=start + timedelta(hours=3)
        )
    dispatch_at(T0)
    with time_machine.travel(T0, tick=False):
        services.interview_cancel(interview=interview, reason="The candidate withdrew.", by=recruiter)
    dispatch_at(T0)

    kit = page("interview-kit", interview.pk)
    assert [(post.reminder.split()[0], post.channel, post.button_urls()) for post in slack.posts] == [
        ("interview_assigned", "U0ERIN", [kit]),
        ("interview_rescheduled", "U0ERIN", [kit]),
        ("interview_cancelled", "U0ERIN", [SITE + reverse("my-interviews")]),
    ]
    assert "Reason: The candidate withdrew." in slack.posts[2].blocks[0]["text"]["text"]
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("choice", "channels"), [("email", ["email"]), ("slack", ["slack"]), ("both", ["email", "slack"])]
)
def test_each_choice_writes_and_delivers_its_channels(reminder_loop, slack, mailoutbox, choice, channels):
    choose("alice", choice)
    ended_interview(reminder_loop, "alice", at=T0)

    assert sorted(Reminder.objects.filter(kind="note_now").values_list("channel", flat=True)) == channels
    assert dispatch_at(T0)["sent"] == len(channels)

    assert [kind for kind, _to, _cc in emails()] == (["note_now"] if "email" in channels else [])
    assert [post.reminder.split()[0] for post in slack.posts] == (["note_now"] if "slack" in channels else [])


def test_with_slack_off_everyone_gets_email_whatever_they_chose(reminder_loop, slack, mailoutbox, settings):
    settings.SLACK_BOT_TOKEN = ""
    choose("alice", "slack")
    ended_interview(reminder_loop, "alice", at=T0)

    assert set(Reminder.objects.values_list("channel", flat=True)) == {"email"}
    dispatch_at(T0)
    assert emails() == [("note_now", "alice@example.com", [])]
    assert slack.calls == []


def test_a_note_written_cancels_both_channels_reminders(reminder_loop, slack, mailoutbox):
    choose("alice", "both")
    interview = ended_interview(reminder_loop, "alice", at=T0)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        outbox.note_written(interview)

    assert sorted(Reminder.objects.filter(kind__startswith="note").values_list("channel", "kind", "cancel_reason")) == [
        ("email", "note_now", "The note was written."),
        ("email", "note_overdue", "The note was written."),
        ("slack", "note_now", "The note was written."),
        ("slack", "note_overdue", "The note was written."),
    ]
    # and the dispatcher's own re-check holds for Slack rows too: a note written behind the outbox's back
    choose("bob", "slack")
    bob = ended_interview(reminder_loop, "bob", at=T0)
    NoteFactory(interview=bob, due_at=bob.note_due_at, submitted_at=T0)
    assert dispatch_at(T0 + timedelta(minutes=5))["sent"] == 0
    assert slack.posts == []


def test_slack_down_loses_nothing_and_delivers_once_it_is_back(reminder_loop, slack, mailoutbox):
    choose("alice", "both")
    ended_interview(reminder_loop, "alice", at=T0)
    slack.stop()

    # Slack is down: the email goes, the Slack row waits with the error, retried with the reminders' backoff
    assert dispatch_at(T0) == {"sent": 1, "cancelled": 0, "retrying": 1, "failed": 0}
    assert emails() == [("note_now", "alice@example.com", [])]
    row = Reminder.objects.get(kind="note_now", channel="slack")
    assert (row.state, row.attempts, row.next_attempt_at, row.sending_at) == (
        "pending",
        1,
        T0 + timedelta(seconds=30),
        None,
    )
    assert row.last_error.startswith("users.lookupByEmail: URLError: <urlopen error [Errno 111] Connection refused")
    assert TOKEN not in row.last_error
    assert dispatch_at(T0 + timedelta(seconds=29))["retrying"] == 0  # not before its backoff
    assert dispatch_at(T0 + timedelta(seconds=30))["retrying"] == 1  # still down: 1 min more
    assert Reminder.objects.get(pk=row.pk).next_attempt_at == T0 + timedelta(seconds=90)

    # when: Slack comes back on the same address
    slack.start()
    assert dispatch_at(T0 + timedelta(seconds=90))["sent"] == 1
    assert slack.reminders() == [f"note_now {row.pk}"]
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, "")
    assert dispatch_at(T0 + timedelta(hours=1))["sent"] == 2  # the overdue one, once by each channel
    assert [post.reminder.split()[0] for post in slack.posts] == ["note_now", "note_overdue"]


def test_a_rate_limit_reschedules_the_row_at_retry_after_without_counting_it_and_the_run_waits_too(
    reminder_loop, slack, mailoutbox
):
    for name in ("alice", "bob", "carol"):
        choose(name, "slack")
        ended_interview(reminder_loop, name, at=T0)
    Reminder.objects.exclude(kind="note_now").delete()
    slack.rate_limited, slack.retry_after = 1, "17"

    assert dispatch_at(T0) == {"sent": 0, "cancelled": 0, "retrying": 3, "failed": 0}
    # one call to Slack got the 429; the run's other two rows waited without calling Slack
    assert slack.calls == ["users.lookupByEmail"]
    rows = list(Reminder.objects.order_by("id"))
    assert {(row.next_attempt_at, row.attempts, row.sending_at) for row in rows} == {
        (T0 + timedelta(seconds=17), 0, None)
    }
    assert rows[0].last_error == "users.lookupByEmail: HTTP 429 ratelimited; Slack asked to wait 17 s"
    assert rows[1].last_error == "Waiting out Slack's rate limit."

    assert dispatch_at(T0 + timedelta(seconds=16))["sent"] == 0
    assert dispatch_at(T0 + timedelta(seconds=17))["sent"] == 3
    assert sorted(post.channel for post in slack.posts) == ["U0ALICE", "U0BOB", "U0CAROL"]
    assert set(Reminder.objects.values_list("attempts", "last_error")) == {(1, "")}


def test_rate_limits_never_use_up_the_attempts(reminder_loop, slack, mailoutbox, settings):
    settings.REMINDER_MAX_ATTEMPTS = 2
    choose("alice", "slack")
    ended_interview(reminder_loop, "alice", at=T0)
    Reminder.objects.exclude(kind="note_now").delete()
    slack.rate_limited, slack.retry_after = 4, "1"

    for second in range(4):
        assert dispatch_at(T0 + timedelta(seconds=second))["retrying"] == 1
    assert dispatch_at(T0 + timedelta(seconds=4))["sent"] == 1
    assert Reminder.objects.get().attempts == 1


def test_a_user_slack_does_not_know_is_a_visible_failure_of_that_row_and_their_email_still_goes(
    reminder_loop, slack, mailoutbox, client, admin
):
    choose("alice", "both")
    del slack.users["alice@example.com"]
    ended_interview(reminder_loop, "alice", at=T0)

    assert dispatch_at(T0) == {"sent": 1, "cancelled": 0, "retrying": 0, "failed": 1}
    assert emails() == [("note_now", "alice@example.com", [])]
    row = Reminder.objects.get(kind="note_now", channel="slack")
    assert (row.state, row.last_error) == (
        "failed",
        "users.lookupByEmail: users_not_found: nobody on Slack has this address",
    )

    client.force_login(admin)
    changelist = reverse("admin:debriefs_reminder_changelist")
    listed = client.get(changelist, {"channel__exact": "slack", "state": "failed"})
    assert [reminder.pk for reminder in listed.context["cl"].result_list] == [row.pk]
    html = listed.content.decode()
    assert "nobody on Slack has this address" in html and '<td class="field-channel">Slack</td>' in html
    assert TOKEN not in html
    emails_only = client.get(changelist, {"channel__exact": "email"}).context["cl"].result_list
    assert {reminder.channel for reminder in emails_only} == {"email"}


def test_a_kept_slack_id_that_went_stale_is_forgotten_and_looked_up_again(reminder_loop, slack, mailoutbox):
    alice = choose("alice", "slack")
    SlackUser.objects.create(user=alice, email=alice.email, slack_id="U0GONE", looked_up_at=T0)
    ended_interview(reminder_loop, "alice", at=T0)
    Reminder.objects.exclude(kind="note_now").delete()

    assert dispatch_at(T0)["retrying"] == 1
    row = Reminder.objects.get()
    assert "channel_not_found: the kept Slack user was forgotten" in row.last_error
    assert not SlackUser.objects.exists()
    assert dispatch_at(T0 + timedelta(seconds=30))["sent"] == 1
    assert [post.channel for post in slack.posts] == ["U0ALICE"]
    assert SlackUser.objects.get().slack_id == "U0ALICE"


def test_a_deactivated_slack_account_fails_the_row(reminder_loop, slack, mailoutbox):
    choose("alice", "slack")
    slack.deactivated.add("alice@example.com")
    ended_interview(reminder_loop, "alice", at=T0)
    Reminder.objects.exclude(kind="note_now").delete()

    assert dispatch_at(T0)["failed"] == 1
    assert "users_not_found" in Reminder.objects.get().last_error
    assert slack.posts == [] and not SlackUser.objects.exists()


def test_a_bad_token_fails_without_showing_the_token(reminder_loop, slack, mailoutbox, settings):
    settings.SLACK_BOT_TOKEN = TOKEN + "-revoked"
    choose("alice", "slack")
    ended_interview(reminder_loop, "alice", at=T0)
    Reminder.objects.exclude(kind="note_now").delete()

    assert dispatch_at(T0)["failed"] == 1
    row = Reminder.objects.get()
    assert row.last_error == "users.lookupByEmail: invalid_auth"
    assert TOKEN not in row.last_error


def test_send_again_posts_a_failed_slack_row_once_slack_knows_the_user(reminder_loop, slack, mailoutbox):
    choose("alice", "slack")
    del slack.users["alice@example.com"]
    ended_interview(reminder_loop, "alice", at=T0)
    Reminder.objects.exclude(kind="note_now").delete()
    dispatch_at(T0)
    slack.users["alice@example.com"] = "U0ALICE"

    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        assert reminder_send_again(reminders=Reminder.objects.all()) == 1
    dispatch_at(T0 + timedelta(minutes=1))

    assert [post.channel for post in slack.posts] == ["U0ALICE"]
    assert Reminder.objects.get().state == "sent"


def test_a_changed_address_is_looked_up_again(reminder_loop, slack, mailoutbox):
    alice = choose("alice", "slack")
    SlackUser.objects.create(user=alice, email="alice@old.example.com", slack_id="U0OLD", looked_up_at=T0)
    ended_interview(reminder_loop, "alice", at=T0)
    Reminder.objects.exclude(kind="note_now").delete()

    assert dispatch_at(T0)["sent"] == 1

    assert slack.lookups == ["alice@example.com"]
    assert [post.channel for post in slack.posts] == ["U0ALICE"]
    assert SlackUser.objects.values_list("email", "slack_id").get() == ("alice@example.com", "U0ALICE")


def test_a_slack_row_whose_send_was_interrupted_is_posted_again_if_it_applies_or_cancelled_saying_so(
    reminder_loop, slack, mailoutbox
):
    choose("alice", "slack")
    choose("bob", "slack")
    ended_interview(reminder_loop, "alice", at=T0)
    bob = ended_interview(reminder_loop, "bob", at=T0)
    Reminder.objects.exclude(kind="note_now").delete()
    Reminder.objects.update(sending_at=T0)  # a worker died mid-post on both
    NoteFactory(interview=bob, due_at=bob.note_due_at, submitted_at=T0)

    assert dispatch_at(T0 + timedelta(minutes=2)) == {"sent": 1, "cancelled": 1, "retrying": 0, "failed": 0}

    assert [post.channel for post in slack.posts] == ["U0ALICE"]
    assert Reminder.objects.get(recipient__username="bob").cancel_reason == (
        "The note was already written. An earlier send was interrupted; it may have reached them."
    )


def test_slack_rows_left_when_the_token_is_removed_fail_saying_so(reminder_loop, slack, mailoutbox, settings):
    choose("alice", "slack")
    ended_interview(reminder_loop, "alice", at=T0)
    Reminder.objects.exclude(kind="note_now").delete()
    settings.SLACK_BOT_TOKEN = ""

    assert dispatch_at(T0)["failed"] == 1
    assert Reminder.objects.get().last_error == "PermanentSendError: Slack is off (no SLACK_BOT_TOKEN)."
    assert slack.calls == []


def test_the_token_is_never_logged_even_at_debug_level(reminder_loop, slack, mailoutbox, caplog):
    choose("alice", "slack")
    ended_interview(reminder_loop, "alice", at=T0)
    slack.rate_limited = 1
    with caplog.at_level(logging.DEBUG):
        dispatch_at(T0)
        dispatch_at(T0 + timedelta(hours=1))

    assert "Sending a request - url: " + slack.base_url in caplog.text  # slack_sdk's own debug lines are in
    assert [post.reminder.split()[0] for post in slack.posts] == ["note_overdue"]  # note_now's window had closed
    assert TOKEN not in caplog.text
