"""The webhook rules, pure: the events there are, how a body is signed, and when a failed delivery is tried again.

No ORM here; debriefs/webhooks.py writes and sends, and calls these.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from debriefs.reminder_rules import retry_delay

EVENTS: tuple[str, ...] = (
    "interview.ended",
    "note.submitted",
    "scorecard.submitted",
    "scorecard.amended",
    "loop.decision_changed",
    "loop.closed",
)

SIGNATURE_HEADER = "Interviewloop-Signature"
EVENT_ID_HEADER = "Interviewloop-Event-Id"


def raw_body(body: Mapping[str, Any]) -> bytes:
    """The exact bytes POSTed (and signed): compact JSON with sorted keys, the same on every retry."""
    return json.dumps(body, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def signature(secret: str, raw: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the raw body with the endpoint's secret>`, as a receiver recomputes it."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def signature_matches(secret: str, raw: bytes, header: str | None) -> bool:
    """What a receiver checks: the header is the body's signature (compared in constant time)."""
    return header is not None and hmac.compare_digest(signature(secret, raw), header)


def delivered(status_code: int | None) -> bool:
    """A 2xx answer is delivery; anything else (a redirect included) is tried again."""
    return status_code is not None and 200 <= status_code < 300


def next_attempt(*, attempts: int, now: datetime, retry_until: datetime) -> datetime | None:
    """When to try again after `attempts` failed tries, or None once `retry_until` (by default 24 hours after the
    event, WEBHOOK_RETRY_HOURS) has passed: the last try is the one due before it."""
    when = now + retry_delay(attempts)  # the reminders' backoff: 30 s, doubling, at most an hour
    if when > retry_until:
        return None
    return when


def event_body(*, event_id: str, event_type: str, created_at: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The envelope every receiver gets."""
    if event_type not in EVENTS:
        raise ValueError(f"unknown webhook event {event_type!r}")
    return {"id": event_id, "type": event_type, "created_at": created_at, "data": dict(data)}


def subscribed(events: Any, event_type: str) -> bool:
    """Whether an endpoint's `events` list takes this event type."""
    return isinstance(events, list) and event_type in events


def unknown_events(events: Any) -> list[str]:
    """The entries of an endpoint's `events` that are not event types (empty when all are)."""
    if not isinstance(events, list):
        return [repr(events)]
    return [str(event) for event in events if event not in EVENTS]
