from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone

from interviewloop.forms import ProfileForm
from interviewloop.profiles import remember_time_zone, user_set_time_zone
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
        return render(request, "profile.html", {"form": form}, status=400)
    return render(request, "profile.html", {"form": form})
