"""Interviews as calendar events: the private feed's text and the invite attached to an interview's emails.

Reads the database and calls interviewloop.calendar (which knows iCalendar, not models).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from interviewloop import calendar
from interviewloop.calendar_feeds import CalendarFeed
from interviewloop.models import Interview
from interviewloop.profiles import time_zone_of

# How far back the feed reaches: the recent past stays visible (and a cancel shows as cancelled), history does not.
FEED_PAST = timedelta(days=60)


def interview_event(interview: Any, *, now: Any = None) -> calendar.InterviewEvent:
    """An interview (with loop, candidate, position, recruiter and interviewer loaded) as calendar values."""
    loop = interview.loop
    recruiter = loop.recruiter
    interviewer = interview.interviewer
    return calendar.InterviewEvent(
        interview_id=interview.pk,
        sequence=interview.calendar_sequence,
        start=interview.scheduled_start,
        end=interview.scheduled_end,
        candidate=loop.candidate.name,
        position=loop.position.title,
        kit_url=settings.SITE_URL.rstrip("/") + reverse("interview-kit", args=[interview.pk]),
        interviewer_email=interviewer.email,
        interviewer_name=interviewer.get_full_name() or interviewer.get_username(),
        organizer_email=recruiter.email,
        organizer_name=recruiter.get_full_name() or recruiter.get_username(),
        cancelled=interview.cancelled_at is not None,
        stamp=now or timezone.now(),
    )


def feed_for_secret(secret: str) -> bytes | None:
    """The feed's iCalendar text, or None when no feed has this secret (two queries)."""
    feed = CalendarFeed.objects.select_related("user").filter(secret=secret).first()
    if feed is None:
        return None
    now = timezone.now()
    interviews = (
        Interview.objects.filter(interviewer=feed.user, scheduled_end__gte=now - FEED_PAST)
        .select_related("loop__candidate", "loop__position", "loop__recruiter", "interviewer")
        .order_by("scheduled_start", "id")
    )
    user = feed.user
    return calendar.feed(
        [interview_event(interview, now=now) for interview in interviews],
        name=f"Interviews of {user.get_full_name() or user.get_username()}",
        site_url=settings.SITE_URL,
        time_zone=time_zone_of(user),
    )


def invite_for(interview: Any, *, method: str, recipient: Any, time_zone: str) -> bytes:
    """The invite for `recipient` (the interviewer: REQUEST; one no longer on it: CANCEL) in their zone."""
    event = interview_event(interview)
    if method == calendar.CANCEL or recipient.pk != interview.interviewer_id:
        # A former interviewer's calendar removes the event; for them the attendee is themselves.
        event = replace(
            event,
            interviewer_email=recipient.email,
            interviewer_name=recipient.get_full_name() or recipient.get_username(),
            cancelled=True,
        )
        method = calendar.CANCEL
    return calendar.invite(event, method=method, site_url=settings.SITE_URL, time_zone=time_zone)
