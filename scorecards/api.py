"""Scorecard-side API: rubrics (read-only here; admins edit them in Django admin) and the interviewer's flow.

Views are thin: the selectors read, the services write and refuse (domain errors become `{"code", "detail"}`).
Another interviewer's interview, note and scorecard are 404: an interviewer may not learn they exist.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.validators import validate_slug
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interviewloop.api.filters import FilterBackend
from interviewloop.errors import NotFound
from interviewloop.models import Interview
from interviewloop.roles import is_interviewer, is_recruiter
from interviewloop.services import interview_end
from scorecards import selectors, services
from scorecards.api_questions import QuestionFilterBackend
from scorecards.filters import InterviewFilter
from scorecards.models import Dimension, Phase, RedFlag, Rubric, Thread
from scorecards.serializers import (
    CeilingSerializer,
    ErrorSerializer,
    InterviewSerializer,
    NoteAnswerSerializer,
    NoteSerializer,
    RubricSerializer,
    ScorecardAmendSerializer,
    ScorecardBodySerializer,
    ScorecardSerializer,
    scorecard_document,
)


def rubrics_with_parts() -> QuerySet[Rubric]:
    return Rubric.objects.prefetch_related(
        Prefetch("dimensions", queryset=Dimension.objects.order_by("order", "id")),
        Prefetch("red_flags", queryset=RedFlag.objects.order_by("order", "id")),
        Prefetch("threads", queryset=Thread.objects.order_by("order", "id")),
        Prefetch("phases", queryset=Phase.objects.order_by("order", "id")),
    )


class RubricFilter(django_filters.FilterSet):
    key = django_filters.CharFilter(
        max_length=60,
        validators=[validate_slug],
        help_text="The rubric template's key (e.g. `default_rubric`, `coding_round`): all its versions.",
    )

    class Meta:
        model = Rubric
        fields = ["key"]


@extend_schema_view(
    list=extend_schema(
        responses={
            200: RubricSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description="`invalid_filter`: a key that cannot be one"),
            401: OpenApiResponse(ErrorSerializer, description="Not signed in"),
        }
    )
)
class RubricViewSet(viewsets.ReadOnlyModelViewSet):
    """Every signed-in user can read rubrics: the kit and the scorecard are built from them."""

    serializer_class = RubricSerializer
    lookup_value_converter = "id"  # interviewloop.converters: an id beyond 64 bits is a 404
    # The same refusal as the question filters: 400 `invalid_filter` naming the filter.
    filter_backends = [QuestionFilterBackend]
    filterset_class = RubricFilter

    def get_queryset(self) -> QuerySet[Rubric]:
        return rubrics_with_parts().order_by("name", "-version")


class IsInterviewer(BasePermission):
    message = "Only interviewers can do this, on their own interviews."

    def has_permission(self, request, view) -> bool:
        return is_interviewer(request.user)


class IsInterviewerOrRecruiter(BasePermission):
    message = "Only interviewers (their own interviews) and recruiters (all) can list interviews."

    def has_permission(self, request, view) -> bool:
        return is_interviewer(request.user) or is_recruiter(request.user)


def _errors(*statuses: int) -> dict[int, OpenApiResponse]:
    described = {
        400: "Refused: `code` says why and names the field",
        403: "Not an interviewer",
        404: "No such interview among yours",
        409: "State conflict (see `code`)",
    }
    return {status: OpenApiResponse(ErrorSerializer, description=described[status]) for status in statuses}


class InterviewListView(generics.ListAPIView):
    """An interviewer's own interviews (not the cancelled ones); every interview for a recruiter. A bad filter
    value is 400 `invalid_filter` naming the filter."""

    serializer_class = InterviewSerializer
    permission_classes = [IsInterviewerOrRecruiter]
    filter_backends = [FilterBackend]
    filterset_class = InterviewFilter

    def get_queryset(self) -> QuerySet[Interview]:
        return selectors.interview_list(self.request.user)

    def paginate_queryset(self, queryset: QuerySet[Interview]) -> list[dict[str, Any]] | None:  # type: ignore[override]
        return super().paginate_queryset(selectors.InterviewRows(queryset))  # type: ignore[arg-type]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}  # one moment for the whole page

    @extend_schema(responses={200: InterviewSerializer(many=True), **_errors(400)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class OwnInterviewView(APIView):
    """An interviewer's own interview; anyone else's is 404 (independence), a non-interviewer 403."""

    permission_classes = [IsInterviewer]
    # The scorecard's views read only the interview's loop and rubric version, not everything its list row shows.
    to_score = False

    def interview(self, pk: int) -> Interview:
        find = selectors.interview_to_score if self.to_score else selectors.own_interview
        interview = find(user=self.request.user, interview_id=pk)
        if interview is None:
            raise NotFound("No interview of yours has this id.", code="not_found")
        return interview

    def document(self, interview: Interview) -> dict[str, Any]:
        return ScorecardSerializer(scorecard_document(interview, selectors.scorecard_with_parts(interview))).data


class InterviewEndView(OwnInterviewView):
    @extend_schema(request=None, responses={200: InterviewSerializer, **_errors(403, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """End the interview now; the five-minute note is due five minutes later. Idempotent."""
        interview_end(interview=self.interview(pk))
        return Response(InterviewSerializer(selectors.interview_row(pk)).data)


class NoteView(OwnInterviewView):
    @extend_schema(request=NoteSerializer, responses={201: NoteAnswerSerializer, **_errors(400, 403, 404, 409)})
    def put(self, request: Request, pk: int) -> Response:
        """Write the five-minute note: 201 once, then 409 note_already_written; 409 interview_not_ended before the end."""
        interview = self.interview(pk)
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.note_write(interview=interview, **serializer.validated_data)
        return Response(
            NoteAnswerSerializer(
                {
                    "best_thing": note.best_thing,
                    "biggest_concern": note.biggest_concern,
                    "vote": note.vote,
                    "want_to_work_with": note.want_to_work_with,
                    "submitted_at": note.submitted_at,
                    "on_time": note.on_time,
                }
            ).data,
            status=201,
        )


def _body(serializer_class: type[ScorecardBodySerializer], request: Request, interview: Interview) -> Any:
    """The request's scorecard body checked against the interview's pinned rubric and its kit's questions: its typed
    input (400 if not)."""
    context = {"pinned": selectors.pinned_rubric(interview.rubric), "questions": interview.questions}
    serializer = serializer_class(data=request.data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _written(interview: Interview, written: services.Written) -> dict[str, Any]:
    """The answer to a draft or a submit, from what was just written (a draft, or a scorecard just submitted from
    one, has no amendments: only a submitted one is amended): no re-read."""
    return ScorecardSerializer(scorecard_document(interview, written.scorecard, written.data, amendments=[])).data


class ScorecardView(OwnInterviewView):
    to_score = True

    @extend_schema(responses={200: ScorecardSerializer, **_errors(403, 404)})
    def get(self, request: Request, pk: int) -> Response:
        """Your scorecard for this interview (`not_started` and empty until you save a draft)."""
        return Response(self.document(self.interview(pk)))

    @extend_schema(request=ScorecardBodySerializer, responses={200: ScorecardSerializer, **_errors(400, 403, 404, 409)})
    def put(self, request: Request, pk: int) -> Response:
        """Replace the draft with the body (partial is fine; what it leaves out is empty). 409 once submitted."""
        interview = self.interview(pk)
        data = _body(ScorecardBodySerializer, request, interview)
        return Response(_written(interview, services.scorecard_save_draft(interview=interview, data=data)))


class ScorecardCheckView(OwnInterviewView):
    @extend_schema(request=ScorecardBodySerializer, responses={200: CeilingSerializer, **_errors(400, 403, 404)})
    def post(self, request: Request, pk: int) -> Response:
        """The highest vote allowed, with every reason, for the body (or the saved draft if it is empty), beside the
        plain mean and (where the rubric's weights differ) the weighted score. Saves nothing."""
        interview = self.interview(pk)
        checked = services.scorecard_check(interview=interview, data=_body(ScorecardBodySerializer, request, interview))
        return Response(
            CeilingSerializer(
                {
                    "max_allowed_vote": checked.ceiling.max_allowed_vote,
                    "reasons": [r.as_dict() for r in checked.ceiling.reasons],
                    "mean_score": checked.mean_score,
                    "weighted_score": checked.weighted_score,
                }
            ).data
        )


class ScorecardSubmitView(OwnInterviewView):
    to_score = True

    @extend_schema(request=ScorecardBodySerializer, responses={200: ScorecardSerializer, **_errors(400, 403, 404, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """Submit the saved draft (or the body, saved only if accepted); a refusal leaves the draft as it was.

        400 incomplete / evidence_required (with `problems`) / vote_not_allowed (with `max_allowed_vote`,
        `reasons`); 409 note_required / already_submitted.
        """
        interview = self.interview(pk)
        data = _body(ScorecardBodySerializer, request, interview)
        return Response(_written(interview, services.scorecard_submit(interview=interview, data=data)))


class ScorecardAmendView(OwnInterviewView):
    @extend_schema(
        request=ScorecardAmendSerializer, responses={200: ScorecardSerializer, **_errors(400, 403, 404, 409)}
    )
    def post(self, request: Request, pk: int) -> Response:
        """Change a submitted scorecard: `reason` plus the whole new body; the same rules apply, the old one is kept."""
        interview = self.interview(pk)
        amendment = _body(ScorecardAmendSerializer, request, interview)
        services.scorecard_amend(
            interview=interview, data=amendment.data, reason=amendment.reason, amended_by=request.user
        )
        return Response(self.document(interview))
