"""The Slack rules, pure: who gets which channel, what a message says, and what each answer of Slack's leads to."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from debriefs import reminder_rules, slack_rules
from debriefs.slack_rules import SlackAnswer, channels_for, slack_outcome

MAX = 5


def test_each_choice_gives_its_channels_while_slack_is_on():
    assert channels_for("email", slack_enabled=True) == ("email",)
    assert channels_for("slack", slack_enabled=True) == ("slack",)
    assert channels_for("both", slack_enabled=True) == ("email", "slack")


@given(st.text(max_size=12), st.booleans())
def test_a_reminder_always_goes_somewhere_and_only_by_email_while_slack_is_off(choice, enabled):
    channels = channels_for(choice, slack_enabled=enabled)
    assert channels and set(channels) <= set(slack_rules.CHANNELS)
    if not enabled or choice not in ("slack", "both"):
        assert channels == ("email",)


def test_a_posted_message_is_sent():
    assert slack_outcome(SlackAnswer(status=200), attempts=1, max_attempts=MAX) == slack_rules.SlackOutcome("sent")


def test_a_rate_limit_waits_out_retry_after_and_does_not_count_toward_giving_up():
    outcome = slack_outcome(
        SlackAnswer(status=429, error="ratelimited", retry_after="17"), attempts=MAX, max_attempts=MAX
    )
    assert (outcome.action, outcome.retry_in, outcome.counts) == ("retry", timedelta(seconds=17), False)
    assert outcome.error == "chat.postMessage: HTTP 429 ratelimited; Slack asked to wait 17 s"


@given(st.one_of(st.none(), st.text(max_size=20), st.integers(-5, 10**9).map(str), st.floats().map(str)))
def test_any_retry_after_gives_a_wait_between_nothing_and_an_hour(header):
    wait = slack_rules.rate_limit_wait(header)
    assert timedelta(0) <= wait <= timedelta(hours=1)
    outcome = slack_outcome(SlackAnswer(status=429, retry_after=header), attempts=1, max_attempts=MAX)
    assert (outcome.action, outcome.retry_in, outcome.counts) == ("retry", wait, False)


def test_retry_after_is_whole_seconds_rounded_up_with_defaults_for_nonsense():
    assert slack_rules.rate_limit_wait("1.2") == timedelta(seconds=2)
    assert slack_rules.rate_limit_wait(None) == slack_rules.rate_limit_wait("soon") == timedelta(seconds=30)
    assert slack_rules.rate_limit_wait("-1") == slack_rules.rate_limit_wait("nan") == timedelta(seconds=30)
    assert slack_rules.rate_limit_wait("86400") == timedelta(hours=1)


def test_no_answer_and_slacks_own_troubles_back_off_as_emails_do_then_fail():
    down = SlackAnswer(status=None, error="URLError: <urlopen error [Errno 111] Connection refused>")
    for attempts in range(1, MAX):
        outcome = slack_outcome(down, attempts=attempts, max_attempts=MAX)
        assert (outcome.action, outcome.retry_in, outcome.counts) == (
            "retry",
            reminder_rules.retry_delay(attempts),
            True,
        )
    assert slack_outcome(down, attempts=MAX, max_attempts=MAX).action == "failed"
    for answer in (SlackAnswer(status=503), SlackAnswer(status=200, error="internal_error")):
        assert slack_outcome(answer, attempts=1, max_attempts=MAX).action == "retry"


def test_nobody_on_slack_with_the_address_fails_that_row_and_a_stale_kept_id_is_looked_up_again():
    fresh = slack_outcome(
        SlackAnswer(status=200, error="users_not_found", method=slack_rules.USERS_LOOKUP), attempts=1, max_attempts=MAX
    )
    assert (fresh.action, fresh.forget_user) == ("failed", True)
    assert fresh.error == "users.lookupByEmail: users_not_found: nobody on Slack has this address"
    stale = slack_outcome(
        SlackAnswer(status=200, error="channel_not_found", kept_user=True), attempts=1, max_attempts=MAX
    )
    assert (stale.action, stale.forget_user, stale.retry_in) == ("retry", True, timedelta(seconds=30))


@given(st.sampled_from(["invalid_auth", "not_authed", "missing_scope", "invalid_blocks", "msg_too_long"]))
def test_a_refusal_fails_at_once(error):
    outcome = slack_outcome(SlackAnswer(status=200, error=error), attempts=1, max_attempts=MAX)
    assert (outcome.action, outcome.forget_user) == ("failed", False)
    assert error in outcome.error


@given(
    st.one_of(st.none(), st.sampled_from([200, 400, 403, 404, 429, 500, 502, 503])),
    st.sampled_from(["", "ratelimited", "users_not_found", "channel_not_found", "internal_error", "invalid_auth"]),
    st.booleans(),
    st.integers(1, MAX),
)
def test_every_answer_is_sent_retried_later_or_failed_with_its_error_said(status, error, kept, attempts):
    outcome = slack_outcome(
        SlackAnswer(status=status, error=error, kept_user=kept), attempts=attempts, max_attempts=MAX
    )
    assert outcome.action in ("sent", "retry", "failed")
    if outcome.action == "sent":
        assert (status, error) == (200, "")
        return
    assert outcome.error
    if outcome.action == "retry":
        assert outcome.retry_in is not None and outcome.retry_in > timedelta(0)
        # only a rate limit may retry past the last counted attempt
        assert outcome.counts is False or attempts < MAX


def test_the_message_has_a_fallback_text_a_section_and_a_button_to_the_page():
    message = slack_rules.slack_message(
        kind="note_now",
        reminder_id=7,
        headline="Five-minute note on Jordan <O'Neil> & co",
        details="Due 14:35.",
        link="https://loops.example.com/interviews/3/note/",
    )
    assert message["text"] == "Five-minute note on Jordan <O'Neil> & co"
    section, actions = message["blocks"]
    assert section == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "*Five-minute note on Jordan &lt;O'Neil&gt; &amp; co*\nDue 14:35."},
    }
    (button,) = actions["elements"]
    assert (button["text"]["text"], button["url"]) == ("Write the note", "https://loops.example.com/interviews/3/note/")
    assert message["metadata"] == {
        "event_type": "interviewloop_reminder",
        "event_payload": {"kind": "note_now", "reminder": 7},
    }
    assert len(slack_rules.slack_message(kind="x", reminder_id=1, headline="h", details="", link=None)["blocks"]) == 1


def test_the_details_drop_the_greeting_and_the_link_lines():
    text = "Hi Alice,\n\nYour interview has ended.\n\nDue 14:35 (UTC).\n\nWrite it now: https://x/1/\n\nLate is fine.\n"
    assert slack_rules.slack_details(text, links=("https://x/1/",)) == (
        "Your interview has ended.\n\nDue 14:35 (UTC).\n\nLate is fine."
    )


def test_every_reminder_kind_has_a_button_label():
    assert set(slack_rules.BUTTON_LABELS) == set(reminder_rules.KINDS)
