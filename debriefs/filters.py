"""The loops list's filters (`status`, `decision`, `q`): one django-filter FilterSet for the API and the page.

A value that cannot be right is refused, never quietly dropped: the API answers 400 with a `code` naming the filter
(`invalid_filter` for a status or decision that is not one, the text rule's `invalid_character` / `too_long` for the
search); the page says it beside the field and lists the loops without that filter.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from interviewloop.errors import Invalid
from interviewloop.forms import TextField
from interviewloop.inputs import check_text
from interviewloop.models import Decision, Loop


def _one_of(name: str, values: list[str]) -> dict[str, str]:
    return {"invalid_choice": f"{name} must be one of {', '.join(values)}."}


class SearchFilter(django_filters.CharFilter):
    """The search box: typed text under the one text rule (`interviewloop.inputs`), at most 200 characters."""

    field_class = TextField

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(name="q", **kwargs)


class LoopFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Loop.Status.choices, method="filter_status", error_messages=_one_of("status", Loop.Status.values)
    )
    decision = django_filters.ChoiceFilter(
        choices=Decision.choices, method="filter_decision", error_messages=_one_of("decision", Decision.values)
    )
    q = SearchFilter(method="search", help_text="Search candidate name or position title.")

    class Meta:
        model = Loop
        fields = ["status", "decision", "q"]

    def filter_status(self, queryset: QuerySet[Loop], name: str, value: str) -> QuerySet[Loop]:
        return _readable(queryset).filter(status=value)

    def filter_decision(self, queryset: QuerySet[Loop], name: str, value: str) -> QuerySet[Loop]:
        return _readable(queryset).filter(decision=value)

    def search(self, queryset: QuerySet[Loop], name: str, value: str) -> QuerySet[Loop]:
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(Q(candidate__name__icontains=term) | Q(position__title__icontains=term))

    def refusal(self) -> Invalid | None:
        """The API's answer to the first refused filter (None when every filter is valid)."""
        if self.is_valid():
            return None
        name, errors = next(iter(self.form.errors.as_data().items()))
        if name == "q":
            try:
                check_text(self.data.get("q"), field="q")  # the text rule's own code, detail and limit
            except Invalid as refused:
                return refused
        return Invalid(" ".join(message for error in errors for message in error.messages), code="invalid_filter",
                       field=name)  # fmt: skip


def _readable(queryset: QuerySet[Loop]) -> QuerySet[Loop]:
    """A status or decision filter lists only loops whose debrief the reader may read: matching a locked one (an
    interviewer's own, before their scorecard is in: `selectors.loop_rows(with_locked=True)`) would tell its
    decision."""
    if "locked" not in queryset.query.annotations:
        return queryset
    return queryset.filter(**{"locked": False})  # an annotation, which the type checker cannot see
