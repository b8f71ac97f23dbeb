"""A user's profile: their time zone, in which pages and emails show times and the schedule page reads them; and how
reminders reach them (`notify_by`: email, Slack or both; Slack only while the site has a SLACK_BOT_TOKEN).

Users are Django's auth User; a `Profile` row (one-to-one) is made the first time a user picks a zone, so a user
without one reads times in settings.TIME_ZONE.

Zero queries a page: the zone name is kept in the session, written when the user signs in (one query then) and
when they change it on the profile page, and `TimeZoneMiddleware` activates it from there. A change made for
someone else (admin, `adduser --time-zone`) reaches their open sessions when they next sign in. A session from
before zones were kept (none in it) reads the profile once and keeps it.

The API is left in settings.TIME_ZONE, as it always answered: ISO 8601 with offsets whoever asks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from debriefs.slack_rules import EMAIL, NOTIFY_CHOICES, NOTIFY_LABELS
from interviewloop.database_unavailable import database_unavailable_response, database_unreachable
from interviewloop.time_zones import TIME_ZONE_MAX_LENGTH, time_zone_names, time_zone_problem

# The reader's zone name, cached in their session (see the module's docstring).
TIME_ZONE_SESSION_KEY = "interviewloop_time_zone"


def default_time_zone() -> str:
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    problem = time_zone_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="invalid_time_zone")


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    time_zone = models.CharField(
        max_length=TIME_ZONE_MAX_LENGTH,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="An IANA name (Europe/Paris): pages and emails show this user's times in it.",
    )
    notify_by = models.CharField(
        max_length=10,
        choices=[(value, NOTIFY_LABELS[value]) for value in NOTIFY_CHOICES],
        default=EMAIL,
        help_text="How reminders reach this user: email, Slack direct messages, or both (Slack only while the site "
        "has a Slack bot token; else email).",
    )

    class Meta:
        app_label = "interviewloop"

    def __str__(self) -> str:
        return f"{self.user}: {self.time_zone}"


def time_zone_of(user: Any) -> str:
    """The zone `user` reads times in: their profile's (a query unless loaded with the user), else the site's."""
    try:
        name = user.profile.time_zone
    except Profile.DoesNotExist:
        return settings.TIME_ZONE
    return zone_or_site(name)


def zone_or_site(name: str | None) -> str:
    """`name` if the zone database has it, else the site's zone (no profile; or a name tzdata renamed, which is rare
    but happens)."""
    return name if name and name in time_zone_names() else settings.TIME_ZONE


@transaction.atomic
def user_set_time_zone(*, user: Any, time_zone: str) -> Profile:
    """Set the zone `user` reads times in; refuses a name that is no IANA zone (ValidationError)."""
    validate_time_zone(time_zone)
    profile, _ = Profile.objects.update_or_create(user=user, defaults={"time_zone": time_zone})
    user.profile = profile  # this request's user reads the new zone without loading it again
    return profile


def notify_by_of(user: Any) -> str:
    """How `user` chose to get reminders (a query unless loaded with the user); email without a profile."""
    try:
        return str(user.profile.notify_by)
    except Profile.DoesNotExist:
        return EMAIL


@transaction.atomic
def user_set_notify_by(*, user: Any, notify_by: str) -> Profile:
    """Set how `user` gets reminders (email, slack, both); refuses anything else (ValidationError). Applies to the
    reminders written from now on; those already written keep their channel."""
    if notify_by not in NOTIFY_CHOICES:
        raise ValidationError(f"{notify_by!r} is not one of {', '.join(NOTIFY_CHOICES)}.", code="invalid_choice")
    profile, _ = Profile.objects.get_or_create(user=user)
    if profile.notify_by != notify_by:
        profile.notify_by = notify_by
        profile.save(update_fields=["notify_by"])
    user.profile = profile
    return profile


def remember_time_zone(request: HttpRequest, name: str) -> None:
    """Keep the reader's zone in their session: the pages of the rest of the session cost no query for it."""
    if request.session.get(TIME_ZONE_SESSION_KEY) != name:
        request.session[TIME_ZONE_SESSION_KEY] = name


def remember_time_zone_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """`user_logged_in`: a session sign-in keeps the user's zone. knox sends the signal for an API token too,
    whose request has no signed-in session: nothing is written there."""
    session = getattr(request, "session", None)
    if request is None or session is None or session.get(SESSION_KEY) != str(user.pk):
        return
    remember_time_zone(request, time_zone_of(user))


def reader_time_zone(request: HttpRequest) -> str | None:
    """The zone name of whoever is signed in to this request's session; None for nobody."""
    name = request.session.get(TIME_ZONE_SESSION_KEY)
    if isinstance(name, str) and name in time_zone_names():
        return name
    if not request.user.is_authenticated:
        return None
    name = time_zone_of(request.user)  # a session from before zones were kept: once
    remember_time_zone(request, name)
    return name


class TimeZoneMiddleware:
    """Every page is read and shown in the reader's zone: `|date` and `|time`, and the naive times typed into a
    form's datetime-local inputs (Django reads them in the current zone). Not the API (see the docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            name = None if request.path_info.startswith("/api/") else reader_time_zone(request)
        except (OperationalError, InterfaceError) as error:
            # The session (or the profile) is read here, before any view: DatabaseUnavailableMiddleware only
            # sees a view's exceptions, so the outage's 503 is answered here as it would answer it.
            if not database_unreachable(error):
                raise
            return database_unavailable_response(request)
        if name is None:
            return self.get_response(request)
        with timezone.override(ZoneInfo(name)):
            return self.get_response(request)


def current_time_zone(request: HttpRequest) -> dict[str, str]:
    """Context processor: `time_zone`, the name of the zone the page shows and reads times in."""
    return {"time_zone": timezone.get_current_timezone_name()}
