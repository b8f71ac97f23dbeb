"""Slack direct messages as pure rules: who gets which channel, what a message says (Block Kit), and what to do with
each answer Slack gives (sent, retry when, give up; forget a kept Slack user id).

No Django and no network here: debriefs.outbox (the channels), debriefs.slack (the client) and debriefs.reminders
(the dispatcher) call these, and tests/debriefs/test_slack_rules.py tests them directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from debriefs.reminder_rules import retry_delay

EMAIL = "email"
SLACK = "slack"
BOTH = "both"
# A reminder row's channel (Reminder.Channel): each channel's delivery has its own state, retries and admin row.
CHANNELS: tuple[str, ...] = (EMAIL, SLACK)
# What a user may choose on their profile (Profile.notify_by), the default first.
NOTIFY_CHOICES: tuple[str, ...] = (EMAIL, SLACK, BOTH)
NOTIFY_LABELS: dict[str, str] = {EMAIL: "Email", SLACK: "Slack", BOTH: "Email and Slack"}

USERS_LOOKUP = "users.lookupByEmail"
POST_MESSAGE = "chat.postMessage"
# The message metadata's event type (chat.postMessage `metadata`): lets a Slack app (and a test) tell reminders
# apart without parsing the prose, as the emails' X-Interviewloop-Reminder header does.
METADATA_EVENT_TYPE = "interviewloop_reminder"

# Slack said the user id we kept (or the address we looked up) names nobody who can get a DM: forget the id.
UNKNOWN_USER_ERRORS = frozenset(
    {"users_not_found", "user_not_found", "channel_not_found", "user_disabled", "account_inactive"}
)
# Slack's own troubles ("try again later"): retried with backoff like an unreachable server.
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited", "rate_limited"}
)
# A 429 without a usable Retry-After waits this long; a Retry-After is never followed further than the cap.
RATE_LIMIT_DEFAULT_WAIT = timedelta(seconds=30)
RATE_LIMIT_MAX_WAIT = timedelta(hours=1)

BUTTON_LABELS: dict[str, str] = {
    "note_now": "Write the note",
    "note_overdue": "Write the note",
    "scorecard_overdue": "Open the scorecard",
    "debrief_ready": "Open the debrief",
    "debrief_meeting": "Open the debrief",
    "interview_cancelled": "Your interviews",
    "interview_rescheduled": "Open the interview kit",
    "interview_assigned": "Open the interview kit",
}


def channels_for(notify_by: str, *, slack_enabled: bool) -> tuple[str, ...]:
    """The channels a user's reminders go by: their choice, but email whenever Slack is off (no token), so a
    reminder never goes nowhere. An unknown choice reads as the default, email."""
    if not slack_enabled or notify_by not in NOTIFY_CHOICES or notify_by == EMAIL:
        return (EMAIL,)
    return (SLACK,) if notify_by == SLACK else (EMAIL, SLACK)


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: `&`, `<` and `>` only (anything else shows as typed)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(*, kind: str, reminder_id: int, headline: str, details: str, link: str | None) -> dict[str, object]:
    """chat.postMessage's arguments but the channel: `text` (the notification and fallback), a Block Kit section with
    the headline and details, a button to the page the email links to, and metadata naming the reminder."""
    section = f"*{escape(headline)}*" + (f"\n{escape(details)}" if details else "")
    blocks: list[dict[str, object]] = [{"type": "section", "text": {"type": "mrkdwn", "text": section[:3000]}}]
    if link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": BUTTON_LABELS.get(kind, "Open"), "emoji": False},
                        "url": link,
                        "action_id": f"open_{kind}",
                        "style": "primary",
                    }
                ],
            }
        )
    return {
        "text": headline[:3000],
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
        "metadata": {"event_type": METADATA_EVENT_TYPE, "event_payload": {"kind": kind, "reminder": reminder_id}},
    }


@dataclass(frozen=True)
class SlackAnswer:
    """What one try got. `status` is the HTTP status, None when no answer came (refused, reset, timed out); `error`
    is Slack's error code (empty for `ok: true`) or, with no answer, what went wrong; `method` is the call that gave
    the answer; `kept_user` says the user id came from what we kept, not from this try's lookup."""

    status: int | None
    error: str = ""
    method: str = POST_MESSAGE
    retry_after: str | None = None
    kept_user: bool = False


@dataclass(frozen=True)
class SlackOutcome:
    """What the dispatcher records. `action`: "sent", "retry" or "failed"; `retry_in` for a retry; `counts` says
    whether this try counts toward REMINDER_MAX_ATTEMPTS (a rate limit does not: Slack said when to come back);
    `forget_user` drops the kept Slack user id; `error` is what the row's last_error says."""

    action: str
    error: str = ""
    retry_in: timedelta | None = None
    counts: bool = True
    forget_user: bool = False


def rate_limit_wait(retry_after: str | None) -> timedelta:
    """Slack's Retry-After (whole seconds) as a wait: the default when missing or not a number, at most the cap."""
    try:
        seconds = float((retry_after or "").strip())
    except ValueError:
        return RATE_LIMIT_DEFAULT_WAIT
    if not math.isfinite(seconds) or seconds < 0:
        return RATE_LIMIT_DEFAULT_WAIT
    # capped before it becomes a timedelta: a Retry-After of 1e300 seconds would overflow one
    return timedelta(seconds=min(math.ceil(seconds), RATE_LIMIT_MAX_WAIT.total_seconds()))


def slack_outcome(answer: SlackAnswer, *, attempts: int, max_attempts: int) -> SlackOutcome:
    """The rule for one Slack answer; `attempts` is this try's number (1 for the first).

    - 200 with ok: the message is posted.
    - 429 (or a `ratelimited` error): again after Retry-After, not counted toward giving up.
    - no answer, a 5xx or one of Slack's own troubles: again after the reminders' backoff, until max_attempts.
    - an unknown user: a kept id is forgotten and looked up again next time (backoff); a fresh lookup that finds
      nobody is a failure of this row (its email row, if any, goes on its own).
    - anything else (a bad token, a missing scope, a refused message): failed, retrying would fail the same way.
    """
    error = answer.error
    if answer.status == 200 and not error:
        return SlackOutcome(action="sent")
    said = f"{answer.method}: " + (f"HTTP {answer.status} " if answer.status not in (None, 200) else "")
    if answer.status == 429 or error in ("ratelimited", "rate_limited"):
        wait = rate_limit_wait(answer.retry_after)
        return SlackOutcome(
            action="retry",
            error=f"{said}{error or 'ratelimited'}; Slack asked to wait {wait.total_seconds():g} s",
            retry_in=wait,
            counts=False,
        )
    if error in UNKNOWN_USER_ERRORS:
        if answer.kept_user and attempts < max_attempts:
            return SlackOutcome(
                action="retry",
                error=f"{said}{error}: the kept Slack user was forgotten; looked up again next time",
                retry_in=retry_delay(attempts),
                forget_user=True,
            )
        return SlackOutcome(action="failed", error=f"{said}{error}: nobody on Slack has this address", forget_user=True)
    transient = answer.status is None or answer.status >= 500 or error in TRANSIENT_ERRORS
    if transient and attempts < max_attempts:
        return SlackOutcome(action="retry", error=f"{said}{error or 'no answer'}", retry_in=retry_delay(attempts))
    return SlackOutcome(action="failed", error=f"{said}{error or 'no answer'}")


def slack_details(email_text: str, *, links: tuple[str, ...]) -> str:
    """The email's plain text as the message's body: without the greeting ("Hi Alice,": a DM is already to them)
    and without the lines that carry a link (the button does), blank lines collapsed."""
    paragraphs = [part.strip() for part in email_text.strip().split("\n\n")]
    if paragraphs and paragraphs[0].startswith("Hi ") and paragraphs[0].endswith(",") and "\n" not in paragraphs[0]:
        paragraphs = paragraphs[1:]
    kept = []
    for paragraph in paragraphs:
        lines = [line for line in paragraph.splitlines() if not any(link and link in line for link in links)]
        if any(line.strip() for line in lines):
            kept.append("\n".join(lines).strip())
    return "\n\n".join(kept)
