from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

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
