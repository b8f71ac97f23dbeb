"""django-filter's DRF backend, refusing a bad filter value in the contract's shape.

A filter value that cannot be right is a 400 `{"code": "invalid_filter", "detail", "field"}` naming the filter,
never quietly ignored (django-filter's own backend answers a bare field-error dict instead).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request

from interviewloop.errors import Invalid


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not set(filterset_class.base_filters) & set(request.query_params):
            return queryset  # no filter asked for: nothing to check (building a FilterSet costs a form class)
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            name, messages = next(iter(filterset.errors.items()))
            value = request.query_params.get(name, "")
            shown = value if len(value) <= 40 else value[:40] + "…"
            raise Invalid(
                f"The filter {name}={shown!r} is not valid: {' '.join(messages)}", code="invalid_filter", field=name
            )
        return filterset.qs
