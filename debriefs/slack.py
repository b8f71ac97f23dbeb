"""Slack's Web API, as the reminder dispatcher uses it: find a user by email (users.lookupByEmail) and post them a
direct message (chat.postMessage). Network only: each call answers a `slack_rules.SlackAnswer`, and the dispatcher
(debriefs.reminders) decides with `slack_rules.slack_outcome` and writes the row.

The client is slack_sdk's WebClient on SLACK_API_URL with no retry handlers: it never sleeps in the worker (a 429's
Retry-After or a refused connection comes straight back), because the outbox row is what retries, with backoff, and
survives the worker. The bot token (SLACK_BOT_TOKEN) goes only in the Authorization header: no answer, error or log
line here carries it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from debriefs.slack_rules import POST_MESSAGE, USERS_LOOKUP, SlackAnswer


def slack_enabled() -> bool:
    """Slack direct messages are on while the site has a bot token."""
    return bool(settings.SLACK_BOT_TOKEN)


def slack_client() -> WebClient:
    return WebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_URL,
        timeout=settings.SLACK_TIMEOUT_SECONDS,
        retry_handlers=[],  # the outbox retries (see the module's docstring)
    )


def _api_error(method: str, error: SlackApiError, *, kept_user: bool) -> SlackAnswer:
    response = error.response
    headers = {str(key).lower(): value for key, value in (response.headers or {}).items()}
    data = response.data if isinstance(response.data, dict) else {}
    code = str(data.get("error") or ("not ok" if response.status_code == 200 else ""))[:200]
    return SlackAnswer(
        status=response.status_code,
        error=code,
        method=method,
        retry_after=headers.get("retry-after"),
        kept_user=kept_user,
    )


def _no_answer(method: str, error: Exception, *, kept_user: bool) -> SlackAnswer:
    return SlackAnswer(status=None, error=f"{type(error).__name__}: {error}"[:500], method=method, kept_user=kept_user)


def lookup_user(client: WebClient, email: str) -> tuple[SlackAnswer, str | None]:
    """The Slack member id with this email, and the answer; None when Slack has nobody (a deactivated account is
    nobody: it cannot read a DM) or did not answer."""
    try:
        response = client.users_lookupByEmail(email=email)
    except SlackApiError as error:
        return _api_error(USERS_LOOKUP, error, kept_user=False), None
    except (OSError, SlackClientError) as error:  # refused, reset, timed out, DNS: no answer
        return _no_answer(USERS_LOOKUP, error, kept_user=False), None
    user: Any = response.get("user") or {}
    slack_id = user.get("id") if isinstance(user, dict) else None
    if not slack_id or user.get("deleted"):
        return SlackAnswer(status=response.status_code, error="users_not_found", method=USERS_LOOKUP), None
    return SlackAnswer(status=response.status_code, method=USERS_LOOKUP), str(slack_id)


def post_direct_message(client: WebClient, slack_id: str, message: dict[str, Any], *, kept_user: bool) -> SlackAnswer:
    """Post `message` (slack_rules.slack_message) to the user's DM: chat.postMessage with the user id as channel."""
    try:
        response = client.chat_postMessage(channel=slack_id, **message)
    except SlackApiError as error:
        return _api_error(POST_MESSAGE, error, kept_user=kept_user)
    except (OSError, SlackClientError) as error:
        return _no_answer(POST_MESSAGE, error, kept_user=kept_user)
    return SlackAnswer(status=response.status_code, method=POST_MESSAGE, kept_user=kept_user)
