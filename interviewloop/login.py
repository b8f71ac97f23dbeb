"""The sign-in form: Django's LoginView behind a per-address rate limit (django-axes still locks accounts)."""

from __future__ import annotations

import math
from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from interviewloop.throttling import LoginRateThrottle


class LoginView(auth_views.LoginView):
    """Every sign-in attempt (a POST) counts toward LOGIN_THROTTLE_RATE for its client address; past it, 429."""

    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        throttle = LoginRateThrottle()
        if not throttle.allow_request(request, self):
            seconds = max(1, math.ceil(throttle.wait() or 1))
            response = render(request, "login_throttled.html", {"retry_after": seconds}, status=429)
            response["Retry-After"] = str(seconds)
            return response
        return super().post(request, *args, **kwargs)
