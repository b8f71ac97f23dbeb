"""Timestamps from PostgreSQL parsed by psycopg's C parser, as Django means them to be read.

Django 5.2 reads every `timestamptz` through its own loader (`BaseTzLoader` in
django/db/backends/postgresql/psycopg_any.py), a subclass of psycopg's pure-Python `TimestamptzLoader`: the C
one that psycopg[binary] brings cannot be subclassed. So even with the C extension installed, each timestamp was
parsed in Python, a sixth of the CPU of an interviewer's list page (Django ticket #36960, psycopg issue #1273).

The loader registered here on each new PostgreSQL connection does what Django's does (the value in the
connection's time zone, with that `tzinfo`) with psycopg's own registered parser, the C one when installed, for
the parsing; where the session's time zone is already Django's, the parser alone. It carries the `timezone`
attribute Django compares before registering its loader on a cursor, so Django keeps it. tests/test_postgresql.py
compares the two loaders on the same values.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import cache
from typing import Any

import psycopg
from psycopg import abc
from psycopg.adapt import Loader
from psycopg.postgres import types
from psycopg.pq import Format

TIMESTAMPTZ_OID = types["timestamptz"].oid


@cache
def timestamptz_loader(zone: tzinfo | None) -> type[Loader]:
    """A loader class reading timestamps in `zone`, the connection's time zone (Django's `connection.timezone`)."""
    registered = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)  # the C class with psycopg[binary]
    if registered is None:
        raise LookupError("psycopg has no text loader for timestamptz.")
    parser: type[abc.Loader] = registered

    class TimestamptzLoader(Loader):
        timezone = zone  # django.db.backends.postgresql.base.DatabaseWrapper.create_cursor compares it

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self.parse = parser(oid, context).load
            # The parser gives its values the session's time zone (read now, as it reads it). When that is `zone`
            # itself, as on every connection Django opens with USE_TZ (UTC both), it is the whole loader: psycopg
            # then calls it straight from C, not through a Python method per value.
            session = context.connection if context is not None else None
            if session is not None and session.info.timezone is zone:
                self.load = self.parse  # type: ignore[method-assign]

        def load(self, data: Any) -> datetime:
            return self.parse(data).replace(tzinfo=zone)

    return TimestamptzLoader


def use_c_timestamptz_loader(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: on a PostgreSQL connection whose psycopg has its C implementation, read timestamps
    with it (see the module's docstring)."""
    if connection.vendor != "postgresql" or psycopg.pq.__impl__ == "python":
        return
    connection.connection.adapters.register_loader(TIMESTAMPTZ_OID, timestamptz_loader(connection.timezone))
