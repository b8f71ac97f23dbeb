"""Debrief API: the aggregated loop, and the recruiter's recorded outcome. Thin: selectors read, services write."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from debriefs.calibration_selectors import with_leniency
from debriefs.selectors import debrief_for, loop_for_recruiter, loop_row
from debriefs.serializers import DebriefSerializer, LoopSerializer
from debriefs.services import loop_record_decision
from interviewloop.api.fields import TextField


class DecisionSerializer(serializers.Serializer):
    decision = TextField(help_text="hire or no_hire")


class DebriefView(APIView):
    """The loop aggregated under "One No = No Hire". Recruiters; a panel member once their scorecard is in."""

    @extend_schema(responses={200: DebriefSerializer})
    def get(self, request: Request, loop_id: int) -> Response:
        # The stored body (DebriefSerializer wrote it when the loop last changed), with calibration's read-time parts.
        return Response(with_leniency(debrief_for(request.user, loop_id)))


class DecisionView(APIView):
    """Record the outcome: no_hire any time; hire only when the rule gives hire (409 otherwise)."""

    serializer_class = DecisionSerializer

    @extend_schema(request=DecisionSerializer, responses={200: LoopSerializer})
    def post(self, request: Request, loop_id: int) -> Response:
        loop = loop_for_recruiter(request.user, loop_id)
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        loop_record_decision(loop=loop, decision=body.validated_data["decision"], by=request.user)
        return Response(loop_row(request.user, loop_id))
