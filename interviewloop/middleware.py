"""Refuse, before anything reads them, request headers and cookies that no database can look up.

A NUL in `Authorization: Token ...` or in the session cookie reached a PostgreSQL query (the token or the
session lookup), which refuses a NUL outright: a 500. The text rule (`interviewloop.inputs.text_problem`)
decides: such a header is a 400 `invalid_character` naming it (JSON under /api/), and such a cookie is ignored,
as a browser's corrupted cookie would be (no session, sign in again).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from interviewloop.inputs import text_problem


def _unstorable(value: str) -> bool:
    return text_problem(value, limit=len(value)) is not None


class UnstorableInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, value in request.META.items():
            if key.startswith("HTTP_") and key != "HTTP_COOKIE" and isinstance(value, str) and _unstorable(value):
                header = key[5:].replace("_", "-").title()
                detail = f"The {header} header contains a character that cannot be stored (a NUL): remove it."
                if request.path_info.startswith("/api/"):
                    return JsonResponse({"code": "invalid_character", "detail": detail, "field": header}, status=400)
                return HttpResponseBadRequest(detail, content_type="text/plain")
        for name in [name for name, value in request.COOKIES.items() if _unstorable(name + value)]:
            del request.COOKIES[name]
        return self.get_response(request)
