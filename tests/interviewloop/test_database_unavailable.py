"""While the database cannot be reached the service answers 503 + Retry-After (`database_unavailable` from the
API, a plain page elsewhere), never Django's 500 page; a statement the database refuses stays a 500; and the
first request after the database is back is served normally.

The outage is real: the test database stops accepting connections and its server processes for this database
are terminated (`pg_terminate_backend`, what a PostgreSQL restart does to them), under a real HTTP server
(pytest-django's live_server: Django's request handling with its connection checks, as under gunicorn).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import urllib.error
import urllib.request

import psycopg
import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, ProgrammingError, connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper as SqliteDatabaseWrapper
from django.test import Client

from interviewloop.database_unavailable import DETAIL, RETRY_AFTER_SECONDS, database_unreachable
from interviewloop.tokens import ApiToken
from tests.debriefs.reminder_fixtures import ON_POSTGRESQL, free_port, needs_shared_database
from tests.factories import UserFactory

needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="needs PostgreSQL: the outage is PostgreSQL refusing and dropping connections"
)


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """A real HTTP GET: status, headers, body (an error status is an answer, not an exception)."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@contextlib.contextmanager
def database_down():
    """The test database refuses new connections and loses every open one, until the block ends."""
    params = connection.settings_dict
    name = params["NAME"]
    admin = psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    try:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        yield
    finally:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        admin.close()
        connection.close()  # this thread's connection was terminated too; the next query opens a new one


@needs_postgresql
@needs_shared_database
@pytest.mark.django_db(transaction=True)
def test_while_postgresql_is_down_the_api_and_pages_answer_503_and_the_next_request_after_it_works(live_server):
    recruiter = UserFactory(username="rita", role="recruiter")
    token = ApiToken.objects.create(user=recruiter)[1]
    browser = Client()
    browser.force_login(recruiter)
    session = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    api = f"{live_server.url}/api/loops/"
    page = f"{live_server.url}/loops/"
    # given: the server has served a request, so it holds a connection it means to keep (CONN_MAX_AGE)
    assert get(api, Authorization=f"Token {token}")[0] == 200

    with database_down():
        # when: the API is called (the token lookup is the first query)
        status, headers, body = get(api, Authorization=f"Token {token}")
        # then: a JSON 503 saying so, with when to retry
        assert (status, headers["Content-Type"], headers.get("Retry-After")) == (503, "application/json", "5")
        assert json.loads(body) == {"code": "database_unavailable", "detail": DETAIL}

        # and a page (the session lookup is the first query) answers a plain 503 page
        status, headers, body = get(page, Cookie=session)
        assert (status, headers["Content-Type"], headers.get("Retry-After")) == (503, "text/html; charset=utf-8", "5")
        assert b"Back in a moment" in body
        assert f"reload this page in {RETRY_AFTER_SECONDS} seconds".encode() in body

    # and once the database is back, the very next requests are served
    status, _, body = get(api, Authorization=f"Token {token}")
    assert (status, json.loads(body)) == (200, {"count": 0, "next": None, "previous": None, "results": []})
    assert get(page, Cookie=session)[0] == 200


@needs_postgresql
@pytest.mark.django_db
def test_a_statement_postgresql_refuses_is_not_an_outage():
    with pytest.raises(ProgrammingError) as missing_table, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    # A statement timeout is an OperationalError too (57014 query_canceled), and still a 500.
    with pytest.raises(OperationalError) as timed_out, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 1")
        cursor.execute("SELECT pg_sleep(1)")
    assert timed_out.value.__cause__.sqlstate == "57014"
    assert database_unreachable(missing_table.value) is False
    assert database_unreachable(timed_out.value) is False


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_terminated_connection_and_a_refused_one_are_outages():
    # given: this connection's server process is terminated, as a restart does
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432, user=params["USER"], dbname="postgres"
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    with pytest.raises((OperationalError, InterfaceError)) as terminated, connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    connection.close()
    # and a server that is not listening at all
    wrapper = type(connections["default"])({**params, "PORT": free_port()}, alias="refused")
    with pytest.raises(OperationalError) as refused:
        wrapper.ensure_connection()

    assert database_unreachable(terminated.value) is True
    assert database_unreachable(refused.value) is True


@pytest.mark.django_db  # pytest-django guards every connection, these two throwaway ones included
def test_sqlite_cannot_open_its_file_is_an_outage_but_a_bad_statement_is_not(tmp_path):
    def sqlite(alias: str, path: str) -> SqliteDatabaseWrapper:
        # The handler's defaults for a database settings dict (it asks for a "default" alias in any dict).
        configured = connections.configure_settings({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": path}})
        return SqliteDatabaseWrapper(configured["default"], alias=alias)

    missing = sqlite("missing", str(tmp_path / "no" / "such.db"))
    with pytest.raises(OperationalError) as cannot_open:
        missing.ensure_connection()
    present = sqlite("present", str(tmp_path / "ok.db"))
    with pytest.raises(OperationalError) as bad_statement, present.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    present.close()

    assert isinstance(cannot_open.value.__cause__, sqlite3.OperationalError)
    assert database_unreachable(cannot_open.value) is True
    assert database_unreachable(bad_statement.value) is False
    assert database_unreachable(InterfaceError("connection already closed")) is True
    assert database_unreachable(ValueError("not a database error")) is False
