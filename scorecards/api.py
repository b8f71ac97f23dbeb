"""Scorecard-side API: rubrics (read-only here; admins edit them in Django admin)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from rest_framework import viewsets

from scorecards.models import Dimension, Phase, RedFlag, Rubric, Thread
from scorecards.serializers import RubricSerializer


def rubrics_with_parts() -> QuerySet[Rubric]:
    return Rubric.objects.prefetch_related(
        Prefetch("dimensions", queryset=Dimension.objects.order_by("order", "id")),
        Prefetch("red_flags", queryset=RedFlag.objects.order_by("order", "id")),
        Prefetch("threads", queryset=Thread.objects.order_by("order", "id")),
        Prefetch("phases", queryset=Phase.objects.order_by("order", "id")),
    )


class RubricViewSet(viewsets.ReadOnlyModelViewSet):
    """Every signed-in user can read rubrics: the kit and the scorecard are built from them."""

    serializer_class = RubricSerializer

    def get_queryset(self) -> QuerySet[Rubric]:
        return rubrics_with_parts().order_by("name", "-version")
