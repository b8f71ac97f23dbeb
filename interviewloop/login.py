"""The sign-in page: Django's LoginView behind a per-address rate limit (django-axes still locks accounts), offering
single sign-on when it is configured and only that when PASSWORD_LOGIN_ENABLED is off (interviewloop.sso)."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from interviewloop.sso import provider_name, sso_enabled
from interviewloop.throttling import LoginRateThrottle


class LoginView(auth_views.LoginView):
    """Every sign-in attempt (a POST) counts toward LOGIN_THROTTLE_RATE for its client address; past it, 429."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "sso_enabled": sso_enabled(),
            "sso_provider": provider_name(),
            "password_login": settings.PASSWORD_LOGIN_ENABLED,
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.PASSWORD_LOGIN_ENABLED:
            context = self.get_context_data(form=self.get_form_class()(request))
            context["password_refused"] = True
            return render(request, self.get_template_names(), context, status=403)
        throttle = LoginRateThrottle()
        if not throttle.allow_request(request, self):
            seconds = max(1, math.ceil(throttle.wait() or 1))
            response = render(request, "login_throttled.html", {"retry_after": seconds}, status=429)
            response["Retry-After"] = str(seconds)
            return response
        return super().post(request, *args, **kwargs)
