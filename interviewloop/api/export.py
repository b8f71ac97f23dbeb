"""`GET /api/loops/{id}/export/`: a loop's scorecards in Greenhouse Harvest's scorecard shape (recruiters).

The serializers below are the shape, field for field, so the schema (/api/schema/) says exactly what is sent; the
values come from `interviewloop.exports` and the mapping of votes and scores from `interviewloop.export_rules`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interviewloop.api.permissions import IsRecruiter
from interviewloop.export_rules import ATTRIBUTE_RATINGS, RATING_LEVELS, RECOMMENDATIONS
from interviewloop.exports import loop_scorecards_harvest
from scorecards.serializers import ErrorSerializer


class HarvestUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    name = serializers.CharField()
    employee_id = serializers.CharField(allow_null=True, help_text="Always null: interviewloop keeps none.")


class HarvestInterviewStepSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The interview's id.")
    name = serializers.CharField(help_text="The rubric it was scored against.")


class HarvestAttributeSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The dimension.")
    type = serializers.ChoiceField(choices=["Critical dimension", "Dimension"])
    note = serializers.CharField(allow_null=True, help_text="The evidence written for the score.")
    rating = serializers.ChoiceField(
        choices=ATTRIBUTE_RATINGS,
        help_text="Score 1-5 as definitely_not, no, mixed, yes, strong_yes; unscored: no_decision.",
    )


class HarvestRatingsSerializer(serializers.Serializer):
    definitely_not = serializers.ListField(child=serializers.CharField(), help_text="Dimensions scored 1.")
    no = serializers.ListField(child=serializers.CharField(), help_text="Dimensions scored 2.")
    mixed = serializers.ListField(child=serializers.CharField(), help_text="Dimensions scored 3.")
    yes = serializers.ListField(child=serializers.CharField(), help_text="Dimensions scored 4.")
    strong_yes = serializers.ListField(child=serializers.CharField(), help_text="Dimensions scored 5.")


assert tuple(HarvestRatingsSerializer().fields) == RATING_LEVELS  # one list per level, in Harvest's order


class HarvestQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Always null: these are the scorecard's fixed questions.")
    question = serializers.CharField()
    answer = serializers.CharField(allow_blank=True)


class HarvestScorecardSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="The scorecard's id; null when none was started.")
    created_at = serializers.DateTimeField(allow_null=True, help_text="Always null: not kept.")
    updated_at = serializers.DateTimeField(allow_null=True)
    interview = serializers.CharField(help_text="The interview's name: its rubric.")
    interview_step = HarvestInterviewStepSerializer()
    candidate_id = serializers.IntegerField()
    application_id = serializers.IntegerField(help_text="The loop's id (a loop is one candidate for one position).")
    interviewed_at = serializers.DateTimeField(help_text="The interview's scheduled start.")
    submitted_by = HarvestUserSerializer(allow_null=True, help_text="The interviewer, once submitted.")
    interviewer = HarvestUserSerializer()
    submitted_at = serializers.DateTimeField(allow_null=True)
    overall_recommendation = serializers.ChoiceField(
        choices=RECOMMENDATIONS,
        help_text="strong_no → definitely_not, no → no, yes → yes, strong_yes → strong_yes; not submitted → no_decision.",
    )
    attributes = HarvestAttributeSerializer(many=True)
    ratings = HarvestRatingsSerializer()
    questions = HarvestQuestionSerializer(many=True)


class LoopScorecardExport(APIView):
    """A loop's scorecards as Greenhouse Harvest lists an application's (`GET /v1/applications/{id}/scorecards`)."""

    permission_classes = [IsRecruiter]

    @extend_schema(
        operation_id="loops_export",
        responses={
            200: HarvestScorecardSerializer(many=True),
            403: OpenApiResponse(ErrorSerializer, description="`permission_denied`: not a recruiter"),
            404: OpenApiResponse(ErrorSerializer, description="`not_found`: no such loop"),
        },
    )
    def get(self, request: Request, loop_id: int) -> Response:
        return Response(HarvestScorecardSerializer(loop_scorecards_harvest(loop_id), many=True).data)
