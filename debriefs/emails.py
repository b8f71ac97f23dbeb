"""The reminder emails: plain data about one reminder in, a text + HTML email out (what to do, by when in the
reader's own zone, and one link to do it); and the same reminder as a Slack direct message (its subject, its text
without the greeting and link lines, and a button to the same page).

No model and no query here: the dispatcher (debriefs.reminders) reads the rows and hands over `EmailFacts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from debriefs import reminder_rules, slack_rules
from debriefs.aggregation import decide, tally
from debriefs.models import Reminder
from debriefs.panels import PanelSeat
from scorecards.rules import VOTE_LABELS


class PermanentSendError(Exception):
    """A reminder that cannot be sent however often it is tried (no address, say)."""


@dataclass(frozen=True)
class InterviewFacts:
    id: int
    note_due_at: datetime | None
    scheduled_start: datetime
    scheduled_end: datetime
    cancelled: bool
    cancel_reason: str


@dataclass(frozen=True)
class EmailFacts:
    """Everything one reminder's email says. `panel` is the loop's, for a debrief_ready (else empty)."""

    reminder_id: int
    kind: str
    sequence: int
    due_at: datetime
    recipient_id: int
    recipient_username: str
    recipient_name: str  # what the email calls them: their first name, else their username
    recipient_email: str
    time_zone: str
    copy_to_email: str | None  # None: nobody copied; "" copied, but they have no address
    candidate: str
    position: str
    loop_id: int
    debrief_at: datetime | None
    decision: str
    decision_label: str
    interview: InterviewFacts | None
    panel: tuple[PanelSeat, ...] = ()
    # An interview notice's calendar invite: (iTIP method, the .ics text), sent as a text/calendar alternative.
    invite: tuple[str, str] | None = None


def reminder_email(facts: EmailFacts, *, now: datetime) -> EmailMultiAlternatives:
    """The reminder as a plain-text + HTML email, with an X-Interviewloop-Reminder header ("<kind> <id>")."""
    if not facts.recipient_email:
        raise PermanentSendError(f"{facts.recipient_username} has no email address.")
    context = email_context(facts, now=now)
    subject = " ".join(render_to_string(f"emails/{facts.kind}_subject.txt", context).split())
    text = render_to_string(f"emails/{facts.kind}.txt", context)
    html = render_to_string(f"emails/{facts.kind}.html", context)
    cc = [facts.copy_to_email] if facts.copy_to_email else []
    message = EmailMultiAlternatives(subject=subject, body=text, to=[facts.recipient_email], cc=cc)
    message.attach_alternative(html, "text/html")
    if facts.invite is not None:
        # RFC 6047: the invite as a text/calendar alternative, so mail clients offer to add, move or remove it.
        method, ics = facts.invite
        message.attach_alternative(ics, f"text/calendar; method={method}")
    # Lets a mail filter (and a test) tell reminders apart without parsing the prose.
    message.extra_headers["X-Interviewloop-Reminder"] = f"{facts.kind} {facts.reminder_id}"
    return message


def reminder_slack_message(facts: EmailFacts, *, now: datetime) -> dict[str, object]:
    """chat.postMessage's arguments but the channel (debriefs.slack_rules.slack_message): the email's subject and
    text, and a button to the page its link opens (a cancelled interview's: the interviewer's list)."""
    context = email_context(facts, now=now)
    headline = " ".join(render_to_string(f"emails/{facts.kind}_subject.txt", context).split())
    link = context.get("link") or context.get("scorecard_link")
    if link is None and facts.kind == Reminder.Kind.INTERVIEW_CANCELLED:
        link = f"{settings.SITE_URL}{reverse('my-interviews')}"
    links = tuple(str(value) for value in (context.get("link"), context.get("scorecard_link")) if value)
    details = slack_rules.slack_details(render_to_string(f"emails/{facts.kind}.txt", context), links=links)
    return slack_rules.slack_message(
        kind=facts.kind,
        reminder_id=facts.reminder_id,
        headline=headline,
        details=details,
        link=str(link) if link else None,
    )


def email_context(facts: EmailFacts, *, now: datetime) -> dict[str, object]:
    """What the templates say; every time in the recipient's zone, and named."""
    zone = ZoneInfo(facts.time_zone)
    interview = facts.interview
    context: dict[str, object] = {
        "reminder": {"sequence": facts.sequence},
        "recipient_name": facts.recipient_name,
        "candidate": facts.candidate,
        "position": facts.position,
        "copied": facts.copy_to_email is not None,
        "time_zone": str(zone),
        "note_window_minutes": f"{settings.NOTE_WINDOW_MINUTES:g}",
        "reminders_max": settings.SCORECARD_REMINDERS_MAX,
    }
    if facts.kind in (Reminder.Kind.NOTE_NOW, Reminder.Kind.NOTE_OVERDUE):
        assert interview is not None and interview.note_due_at is not None
        context["link"] = page_url("interview-note", interview.id, fallback=f"/interviews/{interview.id}/note/")
        context["deadline"] = reminder_rules.deadline_phrase(interview.note_due_at, now, zone)
    elif facts.kind == Reminder.Kind.SCORECARD_OVERDUE:
        assert interview is not None
        context["link"] = page_url(
            "interview-scorecard", interview.id, fallback=f"/interviews/{interview.id}/scorecard/"
        )
        context["deadline"] = reminder_rules.deadline_phrase(facts.due_at, now, zone)
    elif facts.kind == Reminder.Kind.DEBRIEF_READY:
        context.update(_debrief_context(facts))
        context["link"] = page_url("loop-debrief", facts.loop_id, fallback=f"/loops/{facts.loop_id}/")
    elif facts.kind == Reminder.Kind.DEBRIEF_MEETING:
        assert facts.debrief_at is not None
        context["link"] = page_url("loop-debrief", facts.loop_id, fallback=f"/loops/{facts.loop_id}/")
        context["deadline"] = reminder_rules.deadline_phrase(facts.debrief_at, now, zone)
    elif facts.kind in reminder_rules.NOTICE_KINDS:
        assert interview is not None
        context.update(_notice_context(facts.kind, interview, now=now, zone=zone))
    return context


def _notice_context(kind: str, interview: InterviewFacts, *, now: datetime, zone: Any) -> dict[str, object]:
    """An interview cancelled, moved or assigned: when it is (as it stands now), why, and the kit's link."""
    context: dict[str, object] = {
        "starts": reminder_rules.deadline_phrase(interview.scheduled_start, now, zone),
        "ends": interview.scheduled_end.astimezone(zone).strftime("%H:%M"),
    }
    if kind == Reminder.Kind.INTERVIEW_CANCELLED:
        context["cancelled"] = interview.cancelled
        context["reason"] = interview.cancel_reason
    else:
        context["link"] = page_url("interview-kit", interview.id, fallback=f"/interviews/{interview.id}/")
    return context


def _debrief_context(facts: EmailFacts) -> dict[str, object]:
    """The decision and the tally, except to a panel member who has not submitted: independence comes first
    ("an interviewer sees their own note and scorecard only, until they have submitted their scorecard")."""
    own = next((seat for seat in facts.panel if seat.interviewer_id == facts.recipient_id), None)
    if own is not None and not own.vote.submitted:
        return {
            "withheld": True,
            "scorecard_link": page_url(
                "interview-scorecard", own.interview_id, fallback=f"/interviews/{own.interview_id}/scorecard/"
            ),
        }
    panel = [seat.vote for seat in facts.panel]
    outcome = decide(panel)
    return {
        "withheld": False,
        "decision": facts.decision_label,
        "decision_key": facts.decision,
        "reasons": list(outcome.reasons),
        "tally": [(VOTE_LABELS[vote], count) for vote, count in reversed(list(tally(panel).items()))],
    }


def page_url(name: str, pk: int, *, fallback: str) -> str:
    """An absolute link for an email: the named page if it is registered, else its path from DESIGN.md."""
    try:
        path = reverse(name, args=[pk])
    except NoReverseMatch:
        path = fallback
    return f"{settings.SITE_URL}{path}"
