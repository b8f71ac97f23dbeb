"""What any typed input may hold: the one text rule and the one date rule, shared by every way in.

API serializers (`interviewloop.api.fields`, the scorecard body's among them, which the scorecard page uses
too), page forms (`interviewloop.forms`), the services' own checks and the list filters all call these, so a value refused in one
place is refused, with the same code, in all of them:

- `invalid_character`: a NUL (PostgreSQL cannot store one) or half of a UTF-16 surrogate pair (nothing can
  encode one) anywhere in a text;
- `too_long`: more characters than the field's cap in `TEXT_LIMITS`;
- `date_out_of_range`: a date and time outside `EARLIEST`..`LATEST`.

The rules (`text_problem`, `datetime_problem`) are pure; `check_text` and the two validators wrap them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from interviewloop.errors import Invalid

# Characters per field, by the contract's field name. Roomy for a hiring team, small enough that no one
# request (a scorecard is 8 evidences + 8 red flags + 7 thread notes + the summary, about 125,000
# characters at most) comes near the 1 MB body limit, and that no history row grows without bound.
TEXT_LIMITS: dict[str, int] = {
    "name": 200,  # a person's name (Candidate.name is varchar(200))
    "title": 200,  # a position's title (Position.title is varchar(200))
    "email": 254,  # RFC 5321's longest address
    "phone": 50,
    "interviewer": 150,  # a username (Django's User.username is varchar(150))
    "key": 100,  # a rubric part's key
    "decision": 20,
    "q": 200,  # the loops search box
    "best_thing": 5000,  # the five-minute note: a few paragraphs each
    "biggest_concern": 5000,
    "evidence": 5000,  # per score or red flag: about 800 words
    "notes": 5000,  # per thread pulled
    "summary": 10000,  # the scorecard's overall summary: about 1,600 words
    "reason": 2000,  # why a submitted scorecard is amended
}
DEFAULT_TEXT_LIMIT = 5000

# Dates and times the service accepts. Wide enough for any real schedule, and far enough inside Python's
# datetime range (years 1 to 9999) that every time zone offset (+14:00 to -12:00) and every reminder lead or
# period stays representable: 0001-01-01 minus thirty minutes does not exist.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)

_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
_INDEX = re.compile(r"\[\d+\]$")


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


def limit_for(field: str) -> int:
    """The cap of a field, by its name or dotted path ("scores.measurement.evidence", "threads[2].notes")."""
    leaf = _INDEX.sub("", field.rsplit(".", 1)[-1])
    return TEXT_LIMITS.get(leaf, DEFAULT_TEXT_LIMIT)


def text_problem(value: str, *, limit: int) -> Problem | None:
    """Why `value` cannot be kept as typed, or None. Whitespace counts: a limit is on what is stored."""
    if _BAD_CHARACTER.search(value):
        return Problem(
            "invalid_character",
            "contains a character that cannot be stored (a NUL or a lone surrogate): remove it and send it again.",
        )
    if len(value) > limit:
        return Problem("too_long", f"is {len(value):,} characters long; at most {limit:,} are kept.")
    return None


def datetime_problem(value: datetime) -> Problem | None:
    """Why a date and time is refused, or None. A naive value is read as UTC."""
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not EARLIEST <= moment <= LATEST:
        return Problem(
            "date_out_of_range",
            f"must be between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d %H:%M:%S} UTC.",
        )
    return None


def check_text(value: Any, *, field: str, limit: int | None = None, strip: bool = True) -> str:
    """`value` as text to keep ("" for None), or `Invalid` with the rule's code, naming the field (and the limit)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{field} must be text.", code="invalid", field=field)
    limit = limit_for(field) if limit is None else limit
    text = value.strip() if strip else value
    problem = text_problem(text, limit=limit)  # strip() removes whitespace only: a NUL stays to be found
    if problem is not None:
        extra = {"limit": limit} if problem.code == "too_long" else {}
        raise Invalid(f"{field} {problem.message}", code=problem.code, field=field, **extra)
    return text


@deconstructible
class TextValidator:
    """The text rule as a Django validator, for form fields and serializer fields alike."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, value: Any) -> None:
        if isinstance(value, str) and (problem := text_problem(value, limit=self.limit)) is not None:
            raise ValidationError(f"This field {problem.message}", code=problem.code, params={"limit": self.limit})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and other.limit == self.limit

    def __hash__(self) -> int:
        return hash(self.limit)


@deconstructible
class DateTimeRangeValidator:
    """The date rule as a Django validator, for form fields and serializer fields alike."""

    def __call__(self, value: Any) -> None:
        if isinstance(value, datetime) and (problem := datetime_problem(value)) is not None:
            raise ValidationError(f"This date and time {problem.message}", code=problem.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateTimeRangeValidator)

    def __hash__(self) -> int:
        return 0
