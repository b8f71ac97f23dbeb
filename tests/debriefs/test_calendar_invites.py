"""Calendar invites and the private feed, read back with a real iCalendar parser (icalendar's), as a calendar app
would: one stable UID per interview, SEQUENCE up on every change, METHOD:CANCEL on cancel, the reader's zone."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from interviewloop import services
from interviewloop.calendar_feeds import CalendarFeed
from interviewloop.profiles import user_set_time_zone
from tests.debriefs.reminder_fixtures import T0, dispatch_at
from tests.factories import InterviewFactory, UserFactory

pytestmark = [pytest.mark.django_db]

START = T0 + timedelta(days=1)  # Tue 24 Nov 14:30 UTC
PARIS = ZoneInfo("Europe/Paris")


def invites(email) -> list[tuple[str, Calendar]]:
    """Every text/calendar part of the email as sent (its MIME bytes), with its method parameter, parsed."""
    parsed = message_from_bytes(email.message().as_bytes())
    return [
        (part.get_param("method"), Calendar.from_ical(part.get_payload(decode=True)))
        for part in parsed.walk()
        if part.get_content_type() == "text/calendar"
    ]


def only_event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def schedule(loop, username, *, zone: str | None = None):
    interviewer = UserFactory(username=username, role="interviewer", first_name=username.capitalize())
    if zone:
        user_set_time_zone(user=interviewer, time_zone=zone)
    with time_machine.travel(T0, tick=False):
        return services.interview_schedule(
            loop=loop,
            interviewer=interviewer,
            scheduled_start=START,
            scheduled_end=START + timedelta(hours=1),
        )


def test_scheduling_emails_the_interviewer_an_invite_in_their_zone_with_the_kit_and_the_candidate(
    reminder_loop, mailoutbox, settings
):
    settings.SITE_URL = "https://loops.example.com"
    erin = schedule(reminder_loop, "erin", zone="Europe/Paris")
    assert dispatch_at(T0)["sent"] == 1

    (email,) = mail.outbox
    assert email.to == ["erin@example.com"]
    ((method, calendar),) = invites(email)
    assert method == "REQUEST" and calendar["METHOD"] == "REQUEST"
    event = only_event(calendar)
    assert str(event["UID"]) == f"interview-{erin.pk}@loops.example.com"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == START and event.decoded("DTSTART").tzinfo.key == "Europe/Paris"
    assert event["DTSTART"].to_ical() == b"20261124T153000"  # 14:30 UTC is 15:30 in Paris
    assert event.decoded("DTEND") == START + timedelta(hours=1)
    assert "Jordan Rivera" in str(event["SUMMARY"])
    assert f"https://loops.example.com/interviews/{erin.pk}/" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == f"https://loops.example.com/interviews/{erin.pk}/"
    assert str(event["ATTENDEE"]) == "mailto:erin@example.com"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_a_reschedule_sends_the_same_uid_with_a_higher_sequence_and_a_cancel_sends_method_cancel(
    reminder_loop, recruiter, mailoutbox
):
    erin = schedule(reminder_loop, "erin")
    dispatch_at(T0)
    later = START + timedelta(hours=3)
    with time_machine.travel(T0, tick=False):
        services.interview_reschedule(interview=erin, scheduled_start=later, scheduled_end=later + timedelta(hours=1))
    dispatch_at(T0)
    with time_machine.travel(T0, tick=False):
        services.interview_cancel(interview=erin, reason="The candidate withdrew.", by=recruiter)
    dispatch_at(T0)

    first, moved, cancelled = (invites(email) for email in mail.outbox)
    uids = {str(only_event(calendar)["UID"]) for (_, calendar) in (*first, *moved, *cancelled)}
    assert len(uids) == 1
    assert [only_event(c)["SEQUENCE"] for (_, c) in (*first, *moved, *cancelled)] == [0, 1, 2]
    assert only_event(moved[0][1]).decoded("DTSTART") == later
    assert cancelled[0][0] == "CANCEL" and cancelled[0][1]["METHOD"] == "CANCEL"
    assert str(only_event(cancelled[0][1])["STATUS"]) == "CANCELLED"


def test_a_new_interviewer_gets_the_invite_and_the_old_one_a_cancel_of_the_same_event(reminder_loop, mailoutbox):
    erin = schedule(reminder_loop, "erin")
    dispatch_at(T0)
    frank = UserFactory(username="frank", role="interviewer")
    with time_machine.travel(T0, tick=False):
        services.interview_change_interviewer(interview=erin, interviewer=frank)
    dispatch_at(T0)

    by_person = {email.to[0]: invites(email) for email in mail.outbox[1:]}
    (old_method, old), (new_method, new) = by_person["erin@example.com"][0], by_person["frank@example.com"][0]
    assert (old_method, new_method) == ("CANCEL", "REQUEST")
    assert str(only_event(old)["UID"]) == str(only_event(new)["UID"])
    assert only_event(new)["SEQUENCE"] == 1
    assert str(only_event(new)["ATTENDEE"]) == "mailto:frank@example.com"
    assert str(only_event(old)["ATTENDEE"]) == "mailto:erin@example.com"


# --- The private feed --------------------------------------------------------------------------------------


def test_the_feed_imports_as_the_users_interviews_only_in_their_zone_with_cancelled_ones_marked(
    client, reminder_loop, recruiter
):
    erin = UserFactory(username="erin", role="interviewer")
    user_set_time_zone(user=erin, time_zone="Europe/Paris")
    kept = InterviewFactory(
        loop=reminder_loop, interviewer=erin, scheduled_start=START, scheduled_end=START + timedelta(hours=1)
    )
    other_loop = InterviewFactory(interviewer=erin, scheduled_start=START, scheduled_end=START + timedelta(hours=1))
    services.interview_cancel(interview=other_loop, reason="Withdrew.", by=recruiter)
    InterviewFactory(loop=reminder_loop, scheduled_start=START, scheduled_end=START + timedelta(hours=1))  # not erin's
    client.force_login(erin)
    page = client.get("/profile/").content.decode()
    secret = CalendarFeed.objects.get(user=erin).secret
    assert f"/calendar/{secret}.ics" in page
    client.logout()

    response = client.get(f"/calendar/{secret}.ics")  # a calendar app: no session
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert "METHOD" not in calendar
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {f"interview-{kept.pk}@127.0.0.1", f"interview-{other_loop.pk}@127.0.0.1"}
    assert str(events[f"interview-{kept.pk}@127.0.0.1"]["STATUS"]) == "CONFIRMED"
    assert str(events[f"interview-{other_loop.pk}@127.0.0.1"]["STATUS"]) == "CANCELLED"
    assert events[f"interview-{other_loop.pk}@127.0.0.1"]["SEQUENCE"] == 1
    assert events[f"interview-{kept.pk}@127.0.0.1"].decoded("DTSTART").tzinfo.key == "Europe/Paris"


def test_a_new_link_makes_the_old_address_answer_404(client):
    erin = UserFactory(username="erin", role="interviewer")
    client.force_login(erin)
    client.get("/profile/")
    old = CalendarFeed.objects.get(user=erin).secret
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    response = client.post("/profile/calendar/new-link/")
    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=erin).secret
    assert new != old and len(new) >= 40
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    assert client.get("/profile/calendar/new-link/").status_code == 405


def test_an_unknown_feed_address_is_a_404(client, db):
    assert client.get("/calendar/not-a-secret.ics").status_code == 404
