"""The one exception handler: every API error is `{"code": "...", "detail": "...", ...}`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from interviewloop.errors import DomainError
from interviewloop.inputs import limit_for

_CODES = {
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


# A field error with one of these codes (ours, or DRF's own for the same thing) becomes the answer's `code`.
_FIELD_CODES = {
    "invalid_character": "invalid_character",
    "null_characters_not_allowed": "invalid_character",
    "surrogate_characters_not_allowed": "invalid_character",
    "too_long": "too_long",
    "max_length": "too_long",
    "date_out_of_range": "date_out_of_range",
}


def _first_error(errors: Any, path: str = "") -> tuple[str, Any]:
    """The first field error and its path, written as the services write one ("scores.x.evidence", "threads[1].notes")."""
    if isinstance(errors, dict):
        for field, value in errors.items():
            if field in ("non_field_errors", "detail"):
                return _first_error(value, path)
            if isinstance(field, int):  # a list's entry, keyed by its position
                return _first_error(value, f"{path}[{field}]")
            return _first_error(value, f"{path}.{field}" if path else str(field))
    if isinstance(errors, list):
        for position, value in enumerate(errors):
            if value in ({}, [], None):
                continue  # a list serializer's entry without errors
            nested = isinstance(value, dict | list)
            return _first_error(value, f"{path}[{position}]" if nested and path else path)
    return path, errors


def _validation_body(exc: exceptions.ValidationError) -> dict[str, Any]:
    path, error = _first_error(exc.detail)
    body: dict[str, Any] = {
        "code": "invalid",
        "detail": "The request is not valid: " + _first_message(exc.detail),
        "fields": exc.detail,
    }
    code = _FIELD_CODES.get(getattr(error, "code", ""))
    if code is not None and path:
        body = {**body, "code": code, "field": path}
        if code == "too_long":
            body["limit"] = limit_for(path)
    return body


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for field, value in errors.items():
            message = _first_message(value)
            return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return Response(*too_large_body(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc)
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), "error")
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    response.data = {"code": code, "detail": str(detail)}
    return response


def too_large_body(exc: Exception) -> tuple[dict[str, str], int]:
    """A request over Django's limits (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS/FILES)."""
    if isinstance(exc, RequestDataTooBig):
        return {
            "code": "body_too_large",
            "detail": f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes: send less.",
        }, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    return {"code": "too_many_fields", "detail": "The request has too many fields: send fewer."}, 400


# --- Errors raised outside a DRF view: Django's handler400/404/500 (interviewloop.urls) -------------------
# Under /api/ they answer JSON in the contract's shape, never Django's HTML pages; elsewhere the pages stay
# Django's, except a body over the size limit, which is a 413 saying so.


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if exception is not None and isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        body, status_code = too_large_body(exception)
        if _is_api(request):
            return JsonResponse(body, status=status_code)
        return HttpResponse(
            f"<!doctype html><title>Too large</title><h1>Too large</h1><p>{body['detail']}</p>",
            status=status_code,
        )
    if _is_api(request):
        return JsonResponse({"code": "bad_request", "detail": "The request could not be read."}, status=400)
    return defaults.bad_request(request, exception)  # type: ignore[arg-type]


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"code": "not_found", "detail": "There is nothing at this address."}, status=404)
    return defaults.page_not_found(request, exception)  # type: ignore[arg-type]


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"code": "server_error", "detail": "Something went wrong on our side."}, status=500)
    return defaults.server_error(request)
