"""`GET /api/analytics/interviewers/?since=&until=&position=`: calibration per interviewer (DESIGN.md, "Calibration").

Recruiters read every interviewer's row; an interviewer reads only their own (computed against everyone's
scorecards); anyone else is refused (403). A filter that cannot be right is a 400 `invalid_filter` naming it.
The figures are `debriefs.calibration`'s; the page (`/analytics/`) and its CSV read the same rows.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from debriefs.calibration import MIN_LENIENCY_HISTORY, SCORES
from debriefs.calibration_selectors import Window, interviewer_calibration, may_read_calibration
from interviewloop.errors import Invalid
from interviewloop.inputs import EARLIEST, LATEST
from interviewloop.models import Position
from scorecards.models import Scorecard
from scorecards.serializers import ErrorSerializer


class CalibrationFilter(django_filters.FilterSet):
    """The window and the position, read from the query string (also by the page and the CSV)."""

    since = django_filters.DateFilter(help_text="First day (YYYY-MM-DD) of scorecard submissions counted.")
    until = django_filters.DateFilter(help_text="Last day (YYYY-MM-DD), included.")
    position = django_filters.ModelChoiceFilter(
        queryset=Position.objects.all(), error_messages={"invalid_choice": "There is no position with that id."}
    )


def window_from(params: QueryDict) -> Window:
    """The window the query string asks for, or `Invalid` (400 `invalid_filter`, naming the filter)."""
    filters = CalibrationFilter(params, queryset=Scorecard.objects.none())
    if not filters.is_valid():
        name, messages = next(iter(filters.errors.items()))
        _refuse(name, params.get(name, ""), " ".join(messages))
    data = filters.form.cleaned_data
    since, until, position = data.get("since"), data.get("until"), data.get("position")
    for name, day in (("since", since), ("until", until)):
        if day is not None and not EARLIEST.date() <= day <= LATEST.date():
            _refuse(name, params.get(name, ""), f"It must be between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}.")
    if since is not None and until is not None and until < since:
        _refuse("until", params.get("until", ""), "It must not be before since.")
    return Window(since=since, until=until, position=position.pk if position is not None else None)


def _refuse(name: str, value: str, why: str) -> None:
    shown = value if len(value) <= 40 else value[:40] + "…"
    raise Invalid(f"The filter {name}={shown!r} is not valid: {why}", code="invalid_filter", field=name)


# --- The answer's shape (drf-spectacular describes it; the rows are built by debriefs.calibration) -------------


class VoteCountsSerializer(serializers.Serializer):
    strong_no = serializers.IntegerField(min_value=0)
    no = serializers.IntegerField(min_value=0)
    yes = serializers.IntegerField(min_value=0)
    strong_yes = serializers.IntegerField(min_value=0)


class ScoreCountsSerializer(serializers.Serializer):
    """How many dimension scores of each value, "1" to "5"."""

    for _score in SCORES:  # digits: field names in the contract, not Python names
        locals()[str(_score)] = serializers.IntegerField(min_value=0)
    del _score


class SpreadSerializer(serializers.Serializer):
    median = serializers.FloatField(allow_null=True, help_text="Seconds from the interview's end.")
    p90 = serializers.FloatField(allow_null=True, help_text="Seconds from the interview's end.")


class VoteShiftSerializer(serializers.Serializer):
    up = serializers.IntegerField(min_value=0)
    down = serializers.IntegerField(min_value=0)
    same = serializers.IntegerField(min_value=0)


class InterviewerCalibrationSerializer(serializers.Serializer):
    interviewer = serializers.CharField(help_text="Username.")
    name = serializers.CharField()
    scorecards = serializers.IntegerField(min_value=1)
    votes = VoteCountsSerializer()
    yes_rate = serializers.FloatField(help_text="Share of yes / strong_yes.")
    yes_rate_deviation = serializers.FloatField(help_text="Their yes rate minus everyone's.")
    mean_score = serializers.FloatField(allow_null=True, help_text="Mean of their scorecards' mean dimension scores.")
    score_counts = ScoreCountsSerializer()
    leniency = serializers.FloatField(
        allow_null=True,
        help_text="Mean of (their scorecard's mean score - the mean of the loop's other counting scorecards' means).",
    )
    leniency_n = serializers.IntegerField(min_value=0, help_text="Scorecards that had another to compare with.")
    adherence = serializers.FloatField(
        allow_null=True, help_text="Focus dimensions scored ÷ focus dimensions assigned."
    )
    agreement = serializers.FloatField(
        allow_null=True, help_text="Share of their votes on closed loops on the side of the recorded outcome."
    )
    agreement_n = serializers.IntegerField(min_value=0, help_text="Their votes on closed loops with an outcome.")
    note_on_time_rate = serializers.FloatField(allow_null=True)
    time_to_note = SpreadSerializer()
    time_to_scorecard = SpreadSerializer()
    vote_shift = VoteShiftSerializer(help_text="From the five-minute note's vote to the scorecard's.")
    red_flags_per_scorecard = serializers.FloatField(allow_null=True)


class CalibrationSerializer(serializers.Serializer):
    since = serializers.DateField(allow_null=True)
    until = serializers.DateField(allow_null=True)
    position = serializers.IntegerField(allow_null=True)
    min_leniency_history = serializers.IntegerField(
        help_text="The debrief adjusts scores for leniency only with at least this leniency_n."
    )
    interviewers = InterviewerCalibrationSerializer(many=True)


def calibration_body(user: Any, window: Window) -> dict[str, Any]:
    return {
        "since": window.since,
        "until": window.until,
        "position": window.position,
        "min_leniency_history": MIN_LENIENCY_HISTORY,
        "interviewers": interviewer_calibration(user, window),
    }


class InterviewerCalibrationView(APIView):
    """Calibration per interviewer over submitted, counting scorecards in the window (recruiters: everyone; an
    interviewer: their own row)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE, description="First day of submissions counted."),
            OpenApiParameter("until", OpenApiTypes.DATE, description="Last day of submissions counted (included)."),
            OpenApiParameter("position", OpenApiTypes.INT, description="Only loops for this position (its id)."),
        ],
        responses={
            200: CalibrationSerializer,
            400: OpenApiResponse(ErrorSerializer, description="`invalid_filter`: a filter value that cannot be right"),
            401: OpenApiResponse(ErrorSerializer, description="Not signed in"),
            403: OpenApiResponse(ErrorSerializer, description="Neither a recruiter nor an interviewer"),
        },
    )
    def get(self, request: Request) -> Response:
        may_read_calibration(request.user)  # a 403 before a 400: who may ask comes first
        window = window_from(request.query_params)
        return Response(calibration_body(request.user, window))
