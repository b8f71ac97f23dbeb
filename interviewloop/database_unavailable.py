"""While the database is unreachable (PostgreSQL restarting, a failover, the network), answer 503 with
Retry-After: `{"code": "database_unavailable", "detail": ...}` from the API, a plain 503 page elsewhere, rather
than Django's 500 page. Only a connection failure counts: a real SQL error (a bad query, a constraint, a
statement timeout, a lock timeout) stays the 500 it is, so a bug is never disguised as an outage.

Recovery needs nothing from here: CONN_HEALTH_CHECKS (settings) makes the first query of the next request
check a kept connection and reconnect if the server went away, and Django closes a connection that failed
at the end of the request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# A PostgreSQL restart takes a few seconds: the client's retry should come after it.
RETRY_AFTER_SECONDS = 5
CODE = "database_unavailable"
DETAIL = (
    "The database is not answering right now (it may be restarting); nothing was changed. Try again in a few seconds."
)

# SQLSTATEs that mean "the server is not there for you", not "your SQL is wrong" (PostgreSQL appendix A):
# class 08 connection exceptions, 57P01 admin_shutdown (pg_terminate_backend, a fast shutdown), 57P02
# crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down), 53300 too_many_connections.
UNREACHABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})
# SQLite, the embedded stack: the file cannot be opened, or another process holds it past the busy timeout.
UNREACHABLE_SQLITE_ERRORS = frozenset({"SQLITE_CANTOPEN", "SQLITE_BUSY"})


def database_unreachable(error: BaseException) -> bool:
    """Whether `error` (as Django raises it, the driver's error as its __cause__) says the database could not
    be reached, rather than that it refused a statement."""
    if isinstance(error, InterfaceError):
        return True  # the connection object itself is closed or broken
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    sqlite_name = getattr(cause, "sqlite_errorname", None)
    if sqlite_name is not None:
        return sqlite_name in UNREACHABLE_SQLITE_ERRORS
    if cause is None or not hasattr(cause, "sqlstate"):
        return False  # not a driver error we can read: leave it a 500
    sqlstate = cause.sqlstate
    # psycopg gives no SQLSTATE when the client side failed: connection refused, the server closed the
    # connection, a connection attempt the server turned away.
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in UNREACHABLE_STATES


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 for `request`: JSON under /api/, a page that needs no database elsewhere."""
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"code": CODE, "detail": DETAIL}, status=503)
    else:
        # No request context: the context processors would ask the database who the user is.
        response = HttpResponse(render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A view (its authentication, session and user lookups, its template) that cannot reach the database
    answers 503. Outside views only the time-zone middleware (interviewloop.profiles) reads the database, the
    session, and it answers an outage with `database_unavailable_response` itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_unreachable(exception):
            return None
        logger.warning("database unavailable, answering 503 to %s %s: %s", request.method, request.path, exception)
        return database_unavailable_response(request)
