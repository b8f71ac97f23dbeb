"""The interviews list's filters: one FilterSet for `GET /api/interviews/` and the my-interviews page.

A value that cannot be right (a scorecard status that is not one, a loop id that is not a whole number in range,
a search the text rule refuses) is refused naming the filter: 400 `invalid_filter` on the API
(`interviewloop.api.filters`), the error beside the field on the page. A well-formed value nothing matches is an
empty list.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from interviewloop.forms import TextField
from interviewloop.inputs import limit_for
from interviewloop.models import Interview
from scorecards.selectors import NOT_STARTED

SCORECARD_STATUS_CHOICES = [(NOT_STARTED, "Not started"), ("draft", "Draft"), ("submitted", "Submitted")]
LARGEST_ID = 2**63 - 1  # ids are 64-bit (interviewloop.converters); a larger one would overflow the query


@extend_schema_field({"type": "string", "maxLength": limit_for("q")})
class SearchFilter(django_filters.CharFilter):
    field_class = TextField  # the text rule: a NUL or an over-long search is refused, not queried


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": LARGEST_ID})
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField  # a loop id is a whole number, not any decimal


class InterviewFilter(django_filters.FilterSet):
    q = SearchFilter(
        method="search",
        name="q",
        label="Candidate or position",
        help_text="Search the candidate's name and the position's title.",
    )
    scorecard_status = django_filters.ChoiceFilter(
        choices=SCORECARD_STATUS_CHOICES,
        method="filter_scorecard_status",
        empty_label="Any",
        label="Scorecard",
        error_messages={"invalid_choice": f"It must be one of {', '.join(c for c, _ in SCORECARD_STATUS_CHOICES)}."},
    )
    loop = IdFilter(field_name="loop_id", min_value=1, max_value=LARGEST_ID, label="Loop", help_text="A loop's id.")

    class Meta:
        model = Interview
        fields = ["q", "scorecard_status", "loop"]

    def search(self, queryset: QuerySet[Interview, Any], name: str, value: str) -> QuerySet[Interview, Any]:
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(Q(loop__candidate__name__icontains=term) | Q(loop__position__title__icontains=term))

    def filter_scorecard_status(
        self, queryset: QuerySet[Interview, Any], name: str, value: str
    ) -> QuerySet[Interview, Any]:
        if value == NOT_STARTED:
            return queryset.filter(scorecard__isnull=True)
        return queryset.filter(scorecard__status=value)
