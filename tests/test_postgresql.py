"""interviewloop.postgresql: timestamps read by psycopg's C parser give exactly what Django's own loader gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.pq import Format

from interviewloop.postgresql import TIMESTAMPTZ_OID, timestamptz_loader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL's loader only: CI runs these on PostgreSQL (DATABASE_URL=postgres://...)",
    ),
]

ZONES = [UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata"), ZoneInfo("Pacific/Chatham"), ZoneInfo("UTC")]


def read(sql: str, params: list, *, djangos: bool = False) -> list:
    with connection.cursor() as cursor:
        if djangos:  # the loader Django registers on a cursor when the connection's disagrees with it
            from django.db.backends.postgresql.psycopg_any import register_tzloader

            register_tzloader(connection.timezone, cursor.cursor)
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_every_django_cursor_reads_timestamps_with_the_c_parser():
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert loader is timestamptz_loader(connection.timezone)
    assert loader.timezone is connection.timezone
    if psycopg.pq.__impl__ != "python":  # psycopg[binary], as requirements.txt asks
        parser = loader(TIMESTAMPTZ_OID, cursor.cursor).parse
        assert type(parser.__self__).__module__.startswith("psycopg_binary")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)),
    zone=st.sampled_from(ZONES),
)
def test_a_timestamp_reads_back_as_djangos_loader_reads_it(moment, zone):
    aware = moment.replace(tzinfo=zone)
    sql = "SELECT %s::timestamptz, %s::timestamptz + interval '1 microsecond', NULL::timestamptz"
    ours = read(sql, [aware, aware])
    djangos = read(sql, [aware, aware], djangos=True)

    assert ours == djangos == [(aware, aware + timedelta(microseconds=1), None)]
    assert ours[0][0].tzinfo is djangos[0][0].tzinfo is connection.timezone


def test_the_orms_datetimes_are_unchanged(interviewer):
    from interviewloop.models import Interview
    from tests.factories import InterviewFactory

    InterviewFactory(interviewer=interviewer, scheduled_start=datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC))
    columns = ("scheduled_start", "scheduled_end", "ended_at", "created_at")
    ours = list(Interview.objects.values_list(*columns))
    djangos = read(f"SELECT {', '.join(columns)} FROM interviewloop_interview", [], djangos=True)
    assert ours == djangos
    assert ours[0][0] == datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC)


@pytest.mark.parametrize("zone", [UTC, ZoneInfo("Asia/Kolkata")])
def test_the_parser_alone_reads_where_the_session_zone_is_the_loaders_and_is_corrected_where_not(zone):
    moment = datetime(2026, 11, 30, 23, 59, 59, 123456, tzinfo=UTC)
    sql = "SELECT %s::timestamptz"
    with connection.cursor() as cursor:  # the session's zone is UTC, as Django sets it with USE_TZ
        assert cursor.connection.info.timezone is UTC
        cursor.cursor.adapters.register_loader(TIMESTAMPTZ_OID, timestamptz_loader(zone))
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)(TIMESTAMPTZ_OID, cursor.cursor)
        cursor.execute(sql, [moment])
        (ours,) = cursor.fetchone()
    with connection.cursor() as cursor:
        from django.db.backends.postgresql.psycopg_any import register_tzloader

        register_tzloader(zone, cursor.cursor)
        cursor.execute(sql, [moment])
        (djangos,) = cursor.fetchone()

    assert (loader.load == loader.parse) is (zone is UTC)  # no Python call per value where none is needed
    assert ours == djangos and ours.tzinfo is djangos.tzinfo is zone
    assert ours.replace(tzinfo=None) == moment.replace(tzinfo=None)  # the session's wall clock, as Django's gives
