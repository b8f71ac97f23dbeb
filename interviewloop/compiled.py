"""Fixed-shape reads whose SQL Django compiles once per process.

On the hot reads (the debrief, an interviewer's list, the scorecard's row locks and
stored parts) Django spent more CPU turning a queryset into SQL (joins, columns, ordering: about 1 ms each on a
small machine) than PostgreSQL spent running the prepared statement (see DATABASE_PREPARE_THRESHOLD in settings). Their shape never changes, only their
parameter values, so `CompiledQuery` asks Django for the SQL once, with stand-in values, and then runs that
SQL with the caller's values:

    LOOP_ROWS = CompiledQuery(lambda loop_id: Loop.objects.filter(pk=loop_id).values_list("id", "status"))
    rows = LOOP_ROWS(loop_id=7)  # [(7, "open")], exactly what list(queryset) would give

Each call goes through Django's cursor (query counting, `connection.queries`, execute wrappers see it) and
applies the converters the queryset would have applied (SQLite's datetimes, for one). The SQL is compiled
again for each database alias, and for each length of a list parameter (an `__in` lookup). Only
`values_list()` querysets without `extra()` are accepted, and each stand-in must reach the SQL unchanged
(exact and `__in` lookups, not `__icontains`): anything else is refused when the query is first compiled.
The results equal the queryset's: tests/test_compiled.py checks each compiled read against its queryset.

(django-prepared-queries did this for Django 1.x and is no longer maintained.)
"""

from __future__ import annotations

import inspect
import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import ValuesListIterable
from django.db.transaction import TransactionManagementError

# Stand-ins: negative ids (no row has one) inside a 32-bit integer column's range, since Django 5 turns an
# out-of-range integer lookup into "no rows" before it reaches SQL; and strings no user can type.
_INT_STANDIN_BASE = -2_000_000_000
_STR_STANDIN = "\x00compiled-standin-{}\x00"


@dataclass(frozen=True)
class _Plan:
    sql: str | None  # None: Django proved the query empty (an `__in` with no values); no query is run
    params: tuple[Any, ...]  # the compiled parameters, stand-ins included
    slots: tuple[tuple[int, str, int | None], ...]  # (position in params, argument name, index in a list argument)
    col_count: int  # trailing columns Django adds for its own ordering are cut off
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]
    for_update: bool = False  # SELECT ... FOR UPDATE: refused outside a transaction, as Django does


class CompiledQuery:
    """`build(**arguments)` returns a `values_list()` queryset; calling this returns its rows as a list of tuples."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], *, using: str = DEFAULT_DB_ALIAS) -> None:
        self.build = build
        self.using = using
        self.names = tuple(inspect.signature(build).parameters)
        self._plans: dict[tuple[Any, ...], _Plan] = {}
        self._lock = threading.Lock()

    def __call__(self, **arguments: Any) -> list[tuple[Any, ...]]:
        return self._run(arguments, None)

    def page(self, *, offset: int, limit: int, **arguments: Any) -> list[tuple[Any, ...]]:
        """`queryset[offset:offset + limit]`, with the bounds as parameters (one compiled query for every page)."""
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit must not be negative.")
        return self._run(arguments, (limit, offset))

    def _run(self, arguments: dict[str, Any], bounds: tuple[int, int] | None) -> list[tuple[Any, ...]]:
        if set(arguments) != set(self.names):
            raise TypeError(f"{self.build!r} takes {', '.join(self.names)}; got {', '.join(arguments)}.")
        connection = connections[self.using]
        shape = (connection.vendor, *(_shape(arguments[name]) for name in self.names))
        plan = self._plans.get(shape)
        if plan is None:
            plan = self._compile(arguments)
            with self._lock:
                self._plans[shape] = plan
        if plan.sql is None:
            return []
        if plan.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(plan.params)
        for position, name, index in plan.slots:
            value = arguments[name]
            params[position] = value[index] if index is not None else value
        sql = plan.sql
        if bounds is not None:
            # LIMIT/OFFSET as parameters, which PostgreSQL and SQLite both take (Django writes them as literals).
            sql = f"{sql} LIMIT %s OFFSET %s"
            params.extend(bounds)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if plan.converters:
            rows = [_converted(row, plan.converters, connection) for row in rows]
        if rows and len(rows[0]) != plan.col_count:
            rows = [tuple(row[: plan.col_count]) for row in rows]
        return rows

    def queryset(self, **arguments: Any) -> QuerySet[Any, Any]:
        """The queryset itself, for the tests that compare the two."""
        return self.build(**arguments)

    def _compile(self, arguments: dict[str, Any]) -> _Plan:
        counter = itertools.count()
        standins: dict[Any, tuple[str, int | None]] = {}

        def standin(name: str, value: Any, index: int | None) -> Any:
            number = next(counter)
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise TypeError(f"{name}: only int and str parameters can be compiled, not {type(value).__name__}.")
            made = _INT_STANDIN_BASE - number if isinstance(value, int) else _STR_STANDIN.format(number)
            standins[made] = (name, index)
            return made

        standin_arguments = {
            name: [standin(name, item, i) for i, item in enumerate(value)]
            if isinstance(value, list | tuple)
            else standin(name, value, None)
            for name, value in arguments.items()
        }
        queryset = self.build(**standin_arguments)
        query = queryset.query
        if queryset._iterable_class is not ValuesListIterable or query.extra_select or query.is_sliced:
            raise TypeError("CompiledQuery takes a values_list() queryset without extra() or slicing (see page()).")
        compiler = query.get_compiler(using=self.using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _Plan(sql=None, params=(), slots=(), col_count=0, converters=())
        slots = tuple(
            (position, *standins[value])
            for position, value in enumerate(params)
            if isinstance(value, int | str) and value in standins
        )
        missing = set(standins.values()) - {(name, index) for _, name, index in slots}
        if missing:
            raise ValueError(
                f"{sorted(missing, key=str)} did not reach the SQL unchanged: only exact and __in lookups compile."
            )
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        converters = tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in compiler.get_converters(fields).items()
        )
        return _Plan(
            sql=sql,
            params=tuple(params),
            slots=slots,
            col_count=compiler.col_count,
            converters=converters,
            for_update=query.select_for_update,
        )


def _shape(value: Any) -> Any:
    return ("list", len(value)) if isinstance(value, list | tuple) else type(value).__name__


def _converted(row: Sequence[Any], converters: tuple[Any, ...], connection: Any) -> tuple[Any, ...]:
    values = list(row)
    for position, functions, expression in converters:
        value = values[position]
        for function in functions:
            value = function(value, expression, connection)
        values[position] = value
    return tuple(values)


class CompiledRows:
    """A compiled query's rows as Django's Paginator (and DRF's) takes a queryset: `count()` and slicing,
    each one query. `count` is a callable giving the number of rows the query would return."""

    ordered = True  # the Paginator warns about an unordered list; the compiled query carries its order_by

    def __init__(self, rows: CompiledQuery, count: Callable[[], int], **arguments: Any) -> None:
        self.rows = rows
        self._count = count
        self.arguments = arguments

    def count(self) -> int:
        return self._count()

    def __getitem__(self, index: slice) -> list[tuple[Any, ...]]:
        if not isinstance(index, slice) or index.step is not None or index.stop is None:
            raise TypeError("CompiledRows takes a bounded slice, as the Paginator asks.")
        start = index.start or 0
        return self.rows.page(offset=start, limit=max(index.stop - start, 0), **self.arguments)


def columns(model: type[Model], *, leave_out: Sequence[str] = ()) -> tuple[str, ...]:
    """A model's concrete columns (attnames, in the model's order) for `values_list` and `instances`."""
    return tuple(field.attname for field in model._meta.concrete_fields if field.name not in leave_out)


def instances(row: Sequence[Any], *parts: tuple[type[Model], tuple[str, ...]]) -> list[Any]:
    """Model instances from one row of a compiled read, as the ORM would build them (`Model.from_db`): `parts` are
    (model, its `columns()` without prefix) in the row's order; a column left out is deferred, as with `defer()`.
    A part whose primary key is NULL (a LEFT JOIN along a nullable foreign key that found nothing) is None, as
    select_related() leaves it."""
    built, start = [], 0
    for model, names in parts:
        values = row[start : start + len(names)]
        pk = model._meta.pk.attname  # type: ignore[union-attr]
        built.append(
            None if pk in names and values[names.index(pk)] is None else model.from_db(DEFAULT_DB_ALIAS, names, values)
        )
        start += len(names)
    return built
