"""The `<id:...>` path converter: an object id, as the database can hold one.

Ids are 64-bit (BigAutoField). Django's `<int:...>` matches any number of digits, and a path like
`/api/loops/24370207648513703936/debrief/` reached the database: SQLite refused to bind it (OverflowError, a 500).
An id no row can have matches no route, so it is a 404 like any other id that does not exist.
"""

from __future__ import annotations

from django.urls import register_converter

MAX_ID = 2**63 - 1  # the largest value of a bigint (PostgreSQL) or INTEGER (SQLite) column


class IdConverter:
    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(f"{value} is beyond any id")  # Django: this route does not match
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
