"""Calendar invites and feeds (RFC 5545 through the icalendar package): an interview as a VEVENT.

One stable UID per interview; `Interview.calendar_sequence` goes up on every reschedule, change of interviewer and
cancel, so a calendar replaces the event it already has rather than adding one. Invites are sent by email as RFC
6047 `text/calendar; method=REQUEST` (or `CANCEL`); the private feed (`/calendar/<secret>.ics`) lists a user's
interviews. Times are written in the reader's zone with its VTIMEZONE, so the calendar shows them as the app does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//interviewloop//interviews//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


@dataclass(frozen=True)
class InterviewEvent:
    """What a calendar shows of one interview: plain values, built by `interview_event`."""

    interview_id: int
    sequence: int
    start: datetime
    end: datetime
    candidate: str
    position: str
    kit_url: str
    interviewer_email: str
    interviewer_name: str
    organizer_email: str
    organizer_name: str
    cancelled: bool
    stamp: datetime


def uid(interview_id: int, site_url: str) -> str:
    """The interview's UID, the same in every invite and feed for its whole life."""
    return f"interview-{interview_id}@{urlsplit(site_url).hostname or 'interviewloop'}"


def _event(item: InterviewEvent, *, site_url: str, zone: ZoneInfo) -> Event:
    event = Event()
    event.add("uid", uid(item.interview_id, site_url))
    event.add("sequence", item.sequence)
    event.add("dtstamp", item.stamp)
    event.add("dtstart", item.start.astimezone(zone))
    event.add("dtend", item.end.astimezone(zone))
    event.add("summary", f"Interview: {item.candidate} ({item.position})")
    event.add(
        "description",
        f"Candidate: {item.candidate}\nPosition: {item.position}\nInterview kit: {item.kit_url}\n\n"
        "Right after the call: end the interview and write the five-minute note.",
    )
    event.add("url", item.kit_url)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    if item.organizer_email:
        organizer = vCalAddress(f"mailto:{item.organizer_email}")
        organizer.params["cn"] = vText(item.organizer_name)
        event.add("organizer", organizer)
    if item.interviewer_email:
        attendee = vCalAddress(f"mailto:{item.interviewer_email}")
        attendee.params["cn"] = vText(item.interviewer_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        event.add("attendee", attendee)
    return event


def _calendar(method: str | None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def invite(item: InterviewEvent, *, method: str, site_url: str, time_zone: str) -> bytes:
    """An iTIP message (RFC 5546) for one interview: REQUEST to add or update it, CANCEL to take it off."""
    calendar = _calendar(method)
    zone = ZoneInfo(time_zone)
    event = _event(item, site_url=site_url, zone=zone)
    if method == CANCEL:
        event["status"] = vText("CANCELLED")
    calendar.add_component(event)
    _add_time_zones(calendar, [item])
    return calendar.to_ical()


def feed(items: Iterable[InterviewEvent], *, name: str, site_url: str, time_zone: str) -> bytes:
    """A user's interviews as one calendar to subscribe to (no METHOD: it is published, not an invitation)."""
    calendar = _calendar(None, name)
    zone = ZoneInfo(time_zone)
    listed = list(items)
    for item in listed:
        calendar.add_component(_event(item, site_url=site_url, zone=zone))
    _add_time_zones(calendar, listed)
    return calendar.to_ical()


def _add_time_zones(calendar: Calendar, items: list[InterviewEvent]) -> None:
    """The VTIMEZONE of the zone used, its rules only for the years the events span (not 1970-2038)."""
    if not items:
        return
    first = min(item.start for item in items).date()
    last = max(item.end for item in items).date()
    calendar.add_missing_timezones(first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 2, 1, 1))
