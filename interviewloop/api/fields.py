"""Serializer fields for typed input: the rules of `interviewloop.inputs`, with the contract's codes.

The exception handler (`interviewloop.api.errors`) lifts a field's `invalid_character`, `too_long` or
`date_out_of_range` to the answer's `code`, naming the field (and, for `too_long`, the limit).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from interviewloop.inputs import DateTimeRangeValidator, TextValidator, limit_for


class TextField(serializers.CharField):
    """A text of at most `limit` characters (default: the cap of the field's name in `inputs.TEXT_LIMITS`)."""

    def __init__(self, *, limit: int | None = None, **kwargs: Any) -> None:
        self.limit = limit
        super().__init__(**kwargs)

    def bind(self, field_name: str, parent: Any) -> None:
        super().bind(field_name, parent)
        limit = self.limit if self.limit is not None else limit_for(field_name)
        self.max_length = limit  # documented in the schema as maxLength; checked by the text rule
        # The text rule first and alone: one error per field, with the contract's code.
        replaced = ProhibitNullCharactersValidator | ProhibitSurrogateCharactersValidator | TextValidator
        others = [v for v in self.validators if not isinstance(v, replaced)]
        self.validators = [TextValidator(limit), *others]


class EmailField(TextField, serializers.EmailField):
    """An email address, under the text rule (at most 254 characters)."""


class InstantField(serializers.DateTimeField):
    """An ISO 8601 date and time within `inputs.EARLIEST`..`LATEST` (else `date_out_of_range`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [*self.validators, DateTimeRangeValidator()]

    def to_internal_value(self, value: Any) -> Any:
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError as refused:
            # DRF's "overflow": the time does not exist in UTC (9999-12-31T23:00-12:00 is in year 10000).
            if refused.get_codes() == ["overflow"]:
                DateTimeRangeValidator()(datetime.max)  # the same refusal as any other time out of range
            raise
