from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_POST

from debriefs.slack import slack_enabled
from interviewloop.calendar_feeds import feed_renew, feed_secret, feed_url
from interviewloop.forms import NotifyByForm, ProfileForm
from interviewloop.invites import feed_for_secret
from interviewloop.profiles import notify_by_of, remember_time_zone, user_set_notify_by, user_set_time_zone
from interviewloop.roles import is_interviewer, is_recruiter


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page they came for."""
    if is_recruiter(request.user):
        return redirect("loop-list")
    if is_interviewer(request.user):
        return redirect("my-interviews")
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "no_role.html", status=403)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon every page links."""
    return redirect(static("favicon.svg"), permanent=True)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in user's name, email and time zone; the zone is changed here (and applies from the next page)."""
    current = timezone.get_current_timezone_name()
    form = ProfileForm(request.POST if request.method == "POST" else None, initial={"time_zone": current})
    if request.method == "POST":
        if form.is_valid():
            name = form.cleaned_data["time_zone"]
            user_set_time_zone(user=request.user, time_zone=name)
            remember_time_zone(request, name)
            messages.success(request, f"Saved: times are now shown in {name}.")
            return redirect("profile")
        return render(request, "profile.html", _profile_context(request, form), status=400)
    return render(request, "profile.html", _profile_context(request, form))


def _profile_context(
    request: HttpRequest, form: ProfileForm, notify_form: NotifyByForm | None = None
) -> dict[str, object]:
    return {
        "form": form,
        "notify_form": notify_form or NotifyByForm(initial={"notify_by": notify_by_of(request.user)}),
        "slack_enabled": slack_enabled(),
        "calendar_feed_url": feed_url(feed_secret(request.user)),
    }


@login_required
@require_POST
def profile_notifications(request: HttpRequest) -> HttpResponse:
    """Save how reminders reach the user (email, Slack, both): the reminders written from now on follow it."""
    form = NotifyByForm(request.POST)
    if not form.is_valid():
        zone_form = ProfileForm(initial={"time_zone": timezone.get_current_timezone_name()})
        return render(request, "profile.html", _profile_context(request, zone_form, form), status=400)
    choice = form.cleaned_data["notify_by"]
    user_set_notify_by(user=request.user, notify_by=choice)
    messages.success(request, f"Saved: your reminders now come by {NotifyByForm.label_of(choice)}.")
    return redirect("profile")


@login_required
@require_POST
def calendar_new_link(request: HttpRequest) -> HttpResponse:
    """Replace the feed's secret: whoever had the old address (a shared calendar, a lost laptop) loses it."""
    feed_renew(request.user)
    messages.success(request, "Made a new calendar link: the old one no longer works. Subscribe with the new one.")
    return redirect("profile")


def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The user's interviews as iCalendar, for a calendar app to subscribe to; the secret in the path is the key."""
    text = feed_for_secret(secret)
    if text is None:
        raise Http404("No calendar feed at this address (it may have been replaced).")
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="interviews.ics"'
    return response
