"""Signed webhooks: an outbox of events, written in the transaction that caused them, delivered by the worker.

Writers call one function per event (`interview_ended`, `note_submitted`, ...). It reads the active endpoints
(one query) and, for each one subscribed, writes a `WebhookDelivery` row in the caller's transaction: an event
that is rolled back is never sent, and one that commits is sent even if the broker is down meanwhile. Celery
beat runs `webhooks_dispatch` every few seconds: it claims due rows (`select_for_update(skip_locked=True)` on
PostgreSQL, with a lease so two dispatchers never send the same row at once; no request waits on the broker
to nudge it: beat's WEBHOOK_DISPATCH_SECONDS is the delay), POSTs each signed body, and marks
it delivered on a 2xx within the timeout, or schedules the next try (debriefs.webhook_rules). Delivery is
at-least-once: a worker killed between the receiver's 2xx and the mark sends it again after the lease, so
receivers dedupe on the event id. Payloads carry ids, names, votes and decisions, never note or evidence text.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from debriefs.models import WebhookDelivery, WebhookEndpoint
from debriefs.webhook_rules import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    delivered,
    event_body,
    next_attempt,
    raw_body,
    signature,
    subscribed,
)
from scorecards.models import DimensionScore, RedFlagMark

logger = logging.getLogger(__name__)

PENDING = WebhookDelivery.Status.PENDING


# --- Writing events (inside the caller's transaction) -------------------------------------------------------


def emit(
    event_type: str, data: Callable[[], dict[str, Any]], *, loop_id: int | None, at: datetime | None = None
) -> int:
    """Write one delivery of this event per subscribed active endpoint; returns how many.

    `data` builds the payload, and is called only when some endpoint takes the event: with none, this costs
    one query (the endpoints) and nothing else.
    """
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(active=True).only("pk", "events")
        if subscribed(endpoint.events, event_type)
    ]
    if not endpoints:
        return 0
    when = at or timezone.now()
    event_id = str(uuid.uuid4())
    body = event_body(event_id=event_id, event_type=event_type, created_at=when.isoformat(), data=data())
    retry_until = when + timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event_id=event_id,
            event_type=event_type,
            loop_id=loop_id,
            body=body,
            created_at=when,
            next_attempt_at=when,
            retry_until=retry_until,
        )
        for endpoint in endpoints
    )
    return len(endpoints)


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"username": user.get_username(), "name": user.get_full_name() or user.get_username()}


def _loop_data(loop: Any) -> dict[str, Any]:
    return {
        "id": loop.pk,
        "candidate": {"id": loop.candidate_id, "name": loop.candidate.name},
        "position": {"id": loop.position_id, "title": loop.position.title},
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def interview_ended(interview: Any) -> int:
    return emit(
        "interview.ended",
        lambda: {
            "interview": {"id": interview.pk, "ended_at": _iso(interview.ended_at)},
            "interviewer": _person(interview.interviewer),
            "loop": _loop_data(interview.loop),
        },
        loop_id=interview.loop_id,
    )


def note_submitted(note: Any) -> int:
    interview = note.interview
    return emit(
        "note.submitted",
        lambda: {
            "interview": {"id": interview.pk},
            "interviewer": _person(interview.interviewer),
            "loop": _loop_data(interview.loop),
            "note": {"vote": note.vote, "submitted_at": _iso(note.submitted_at), "on_time": note.on_time},
        },
        loop_id=interview.loop_id,
    )


def _scorecard_data(scorecard: Any, interview: Any) -> dict[str, Any]:
    return {
        "interview": {"id": interview.pk},
        "interviewer": _person(interview.interviewer),
        "loop": _loop_data(interview.loop),
        "scorecard": {
            "vote": scorecard.vote,
            "submitted_at": _iso(scorecard.submitted_at),
            "amended_at": _iso(scorecard.amended_at),
            "scores": dict(DimensionScore.objects.filter(scorecard=scorecard).values_list("dimension__key", "score")),
            "red_flags": sorted(
                RedFlagMark.objects.filter(scorecard=scorecard).values_list("red_flag__key", flat=True)
            ),
        },
    }


def scorecard_submitted(scorecard: Any, *, interview: Any) -> int:
    return emit("scorecard.submitted", lambda: _scorecard_data(scorecard, interview), loop_id=interview.loop_id)


def scorecard_amended(scorecard: Any, *, interview: Any, previous_vote: str) -> int:
    def data() -> dict[str, Any]:
        payload = _scorecard_data(scorecard, interview)
        payload["scorecard"]["previous_vote"] = previous_vote
        return payload

    return emit("scorecard.amended", data, loop_id=interview.loop_id)


def decision_changed(loop: Any, *, previous: str) -> int:
    return emit(
        "loop.decision_changed",
        lambda: {"loop": _loop_data(loop), "decision": loop.decision, "previous": previous},
        loop_id=loop.pk,
    )


def loop_closed(loop: Any) -> int:
    return emit(
        "loop.closed",
        lambda: {
            "loop": _loop_data(loop),
            "outcome": loop.outcome,
            "decision": loop.decision,
            "closed_at": _iso(loop.outcome_at),
            "closed_by": _person(loop.outcome_by),
        },
        loop_id=loop.pk,
    )


# --- Delivering (the worker) ---------------------------------------------------------------------------------


@dataclass
class DispatchResult:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"delivered": self.delivered, "retrying": self.retrying, "failed": self.failed}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not delivery: urllib would otherwise turn the POST into a GET elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(url: str, raw: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST `raw`; the HTTP status, whatever it is. Raises OSError when no answer came (refused, timed out)."""
    request = urllib.request.Request(url, data=raw, method="POST", headers=headers)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:  # 3xx/4xx/5xx: an answer, just not a 2xx
        return int(error.code)


def _claim(limit: int, now: datetime) -> list[WebhookDelivery]:
    """Lease up to `limit` due rows to this dispatcher: others skip them until the lease runs out."""
    lease = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * limit + 10)
    with transaction.atomic():
        rows = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=PENDING, next_attempt_at__lte=now)
            .select_related("endpoint")
            .order_by("next_attempt_at", "id")[:limit]
        )
        if rows:
            WebhookDelivery.objects.filter(pk__in=[row.pk for row in rows]).update(next_attempt_at=now + lease)
    return rows


def _send(row: WebhookDelivery) -> tuple[int | None, str]:
    raw = raw_body(row.body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "interviewloop-webhooks",
        EVENT_ID_HEADER: str(row.event_id),
        SIGNATURE_HEADER: signature(row.endpoint.secret, raw),
    }
    try:
        status = post(row.endpoint.url, raw, headers, settings.WEBHOOK_TIMEOUT_SECONDS)
    except OSError as error:  # refused, reset, timed out, DNS: no answer
        return None, f"{type(error).__name__}: {error}"[:1000]
    return status, "" if delivered(status) else f"HTTP {status}"


def webhooks_dispatch(*, limit: int = 100, now: datetime | None = None) -> DispatchResult:
    """Deliver the due webhook rows (at most `limit`), each marked as soon as its answer is in."""
    result = DispatchResult()
    while limit > 0:
        started = now or timezone.now()
        rows = _claim(min(settings.WEBHOOK_BATCH, limit), started)
        if not rows:
            break
        limit -= len(rows)
        for row in rows:
            status, error = _send(row)
            answered = now or timezone.now()  # a fixed clock (tests) stands for the answer time too
            attempts = row.attempts + 1
            if delivered(status):
                WebhookDelivery.objects.filter(pk=row.pk).update(
                    status=WebhookDelivery.Status.DELIVERED,
                    delivered_at=answered,
                    attempts=attempts,
                    last_status_code=status,
                    last_error="",
                )
                result.delivered += 1
                continue
            retry_at = next_attempt(attempts=attempts, now=answered, retry_until=row.retry_until)
            changes: dict[str, Any] = {"attempts": attempts, "last_error": error, "last_status_code": status}
            if retry_at is None:
                changes["status"] = WebhookDelivery.Status.FAILED
                result.failed += 1
                logger.warning(
                    "webhook %s to %s given up after %s tries: %s", row.event_id, row.endpoint, attempts, error
                )
            else:
                changes["next_attempt_at"] = retry_at
                result.retrying += 1
            WebhookDelivery.objects.filter(pk=row.pk).update(**changes)
        if now is not None:
            break  # a fixed clock (tests) claims once: the rows it just leased are not due again at `now`
    return result


def deliveries_send_again(queryset: Any, *, now: datetime | None = None) -> int:
    """Admin's "send again" (a receiver that lost one, or one given up on): the rows go out at the next dispatch,
    with a fresh retry window. The body, and so the event id, stays the same."""
    when = now or timezone.now()
    count = queryset.update(
        status=PENDING, next_attempt_at=when, retry_until=when + timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    )
    return count


def deliveries_erase_candidate(*, candidate_id: int, name: str) -> int:
    """Erasure: every stored body naming the candidate names them `name` instead (the pending ones go out so)."""
    changed = 0
    for delivery in WebhookDelivery.objects.filter(loop__candidate_id=candidate_id).only("pk", "body"):
        candidate = delivery.body.get("data", {}).get("loop", {}).get("candidate")
        if isinstance(candidate, dict) and candidate.get("name") != name:
            candidate["name"] = name
            WebhookDelivery.objects.filter(pk=delivery.pk).update(body=delivery.body)
            changed += 1
    return changed
