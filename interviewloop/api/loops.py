"""Scheduling API: positions, candidates, loops and their interviews. Thin: services decide, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from debriefs.filters import LoopFilter
from debriefs.selectors import StoredRows, list_rows, loop_for_debrief, loop_for_recruiter, loop_row, loop_rows
from debriefs.serializers import LoopSerializer
from interviewloop import services
from interviewloop.api.fields import EmailField, InstantField, TextField
from interviewloop.api.permissions import IsRecruiter, IsRecruiterToWrite
from interviewloop.errors import Invalid, NotFound
from interviewloop.models import Candidate, Decision, Interview, Loop, Position
from interviewloop.roles import is_recruiter
from interviewloop.rounds import RoundTemplate
from scorecards.models import Rubric
from scorecards.selectors import interview_row
from scorecards.serializers import InterviewSerializer

# --- Serializers: shape only; the services enforce the rules ------------------------------------------


class RoundTemplateSerializer(serializers.ModelSerializer):
    """A round of a position's loop (DESIGN.md, "Every round of a loop": Round templates)."""

    title = TextField()
    rubric = serializers.PrimaryKeyRelatedField(queryset=Rubric.objects.all())
    duration_minutes = serializers.IntegerField(min_value=5, max_value=480, default=60)
    focus = serializers.ListField(child=TextField(), required=False, default=list, help_text="Dimension keys.")
    questions = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text="Question ids."
    )

    class Meta:
        model = RoundTemplate
        fields = [
            "id", "order", "title", "rubric", "duration_minutes", "focus", "questions", "counts_toward_decision",
            "bar_raiser",
        ]  # fmt: skip
        read_only_fields = ["id", "order"]


class PositionSerializer(serializers.ModelSerializer):
    title = TextField()
    rubric = serializers.PrimaryKeyRelatedField(queryset=Rubric.objects.all())
    rounds = RoundTemplateSerializer(many=True, required=False, help_text="The loop's rounds, in order.")

    class Meta:
        model = Position
        fields = ["id", "title", "rubric", "rounds", "created_at"]
        read_only_fields = ["id", "created_at"]


class CandidateSerializer(serializers.ModelSerializer):
    name = TextField()
    email = EmailField()
    phone = TextField(required=False, allow_blank=True)

    class Meta:
        model = Candidate
        fields = ["id", "name", "email", "phone", "created_at"]
        read_only_fields = ["id", "created_at"]


class LoopCreateSerializer(serializers.Serializer):
    candidate = serializers.PrimaryKeyRelatedField(queryset=Candidate.objects.all())
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all())
    debrief_at = InstantField(required=False, allow_null=True)


class LoopUpdateSerializer(serializers.Serializer):
    debrief_at = InstantField(allow_null=True)


class InterviewCreateSerializer(serializers.Serializer):
    interviewer = TextField(help_text="The interviewer's username.")
    round = serializers.IntegerField(
        required=False, allow_null=True, help_text="A round of the position: fills what the body leaves out."
    )
    rubric = serializers.PrimaryKeyRelatedField(
        queryset=Rubric.objects.all(),
        required=False,
        allow_null=True,
        help_text="Default: the round's, else the position's.",
    )
    scheduled_start = InstantField()
    scheduled_end = InstantField(required=False, allow_null=True, help_text="Default: start + the round's length.")
    counts_toward_decision = serializers.BooleanField(required=False, help_text="Default: the round's, else true.")
    focus = serializers.ListField(child=TextField(), required=False, help_text="Dimension keys; empty: all.")
    questions = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="Question ids.")
    bar_raiser = serializers.BooleanField(required=False, help_text="Always counts toward the decision.")
    allow_repeat = serializers.BooleanField(default=False, help_text="Assign a question already asked in the loop.")


class ScheduledInterviewSerializer(InterviewSerializer):
    """The interview row, with what it was scheduled with: its round, focus, questions and bar raiser mark."""

    round = serializers.IntegerField(allow_null=True, source="round_id")
    focus = serializers.ListField(child=serializers.CharField())
    questions = serializers.ListField(child=serializers.IntegerField())
    bar_raiser = serializers.BooleanField()


def scheduled_interview(interview: Interview) -> dict[str, Any]:
    return {
        **InterviewSerializer(interview_row(interview.pk)).data,
        "round": interview.round_id,
        "focus": list(interview.focus),
        "questions": list(interview.questions),
        "bar_raiser": interview.bar_raiser,
    }


class InterviewUpdateSerializer(serializers.Serializer):
    scheduled_start = InstantField(required=False)
    scheduled_end = InstantField(required=False)
    interviewer = TextField(required=False, help_text="The new interviewer's username.")


class InterviewCancelSerializer(serializers.Serializer):
    # Blank or missing reaches the service, which refuses it as `reason_required` (the page's code too).
    reason = TextField(required=False, allow_blank=True, default="", help_text="Why: the interviewer is told.")


class CancelledInterviewSerializer(serializers.Serializer):
    """The schema of a cancel's answer: the interview row, when and why it was cancelled, the loop's decision."""

    interview = InterviewSerializer()
    cancelled_at = serializers.DateTimeField()
    cancel_reason = serializers.CharField()
    cancelled_by = serializers.CharField()
    decision = serializers.ChoiceField(choices=Decision.choices, help_text="The loop's decision, recomputed.")


class CancelRemainingSerializer(serializers.Serializer):
    reason = TextField(required=False, help_text=f"Default: {services.NO_HIRE_CANCEL_REASON}")


class CancelledInterviewsSerializer(serializers.Serializer):
    cancelled = serializers.ListField(child=serializers.IntegerField(), help_text="The interviews cancelled (ids).")
    decision = serializers.ChoiceField(choices=Decision.choices)


class LoopFilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing a bad filter in the contract's shape (`LoopFilter.refusal`)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        assert isinstance(filterset, LoopFilter)
        refused = filterset.refusal()
        if refused is not None:
            raise refused
        return filterset.qs


# --- Views ---------------------------------------------------------------------------------------------


class PositionListCreate(generics.ListCreateAPIView):
    """Recruiters list and open positions; a position's rubric must be a published version."""

    permission_classes = [IsAuthenticated, IsRecruiter]
    serializer_class = PositionSerializer
    queryset = Position.objects.prefetch_related("rounds").order_by("title", "id")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = services.position_create(**serializer.validated_data)


class CandidateListCreate(generics.ListCreateAPIView):
    permission_classes = [IsAuthenticated, IsRecruiter]
    serializer_class = CandidateSerializer
    queryset = Candidate.objects.filter(erased_at__isnull=True).order_by("name", "id")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = services.candidate_create(**serializer.validated_data)


class LoopListCreate(generics.ListAPIView):
    """`GET`: the loops the caller may see (recruiters: all; a panel member: the loops they submitted in), filtered
    by `status`, `decision` and `q` (`debriefs.filters.LoopFilter`; a bad value is 400 naming it).
    `POST`: recruiters open a loop; they own it."""

    permission_classes = [IsAuthenticated, IsRecruiterToWrite]
    serializer_class = LoopSerializer
    filter_backends = [LoopFilterBackend]
    filterset_class = LoopFilter

    def get_queryset(self) -> QuerySet[Loop]:
        return loop_rows(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The rows are stored as LoopSerializer wrote them (debriefs.services): read, given the clock's late count.
        loops = self.filter_queryset(self.get_queryset())
        page: list[Any] | None = self.paginate_queryset(StoredRows(loops))  # type: ignore[arg-type]
        assert page is not None  # DEFAULT_PAGINATION_CLASS
        return self.get_paginated_response(list_rows(page))

    @extend_schema(request=LoopCreateSerializer, responses={201: LoopSerializer})
    def post(self, request: Request) -> Response:
        body = LoopCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        loop = services.loop_create(recruiter=request.user, **body.validated_data)
        return Response(loop_row(request.user, loop.pk), status=status.HTTP_201_CREATED)


class LoopDetail(APIView):
    """`GET` the loop row (whoever may read its debrief); `PATCH {debrief_at}` (recruiters) moves the meeting."""

    serializer_class = LoopSerializer

    @extend_schema(responses={200: LoopSerializer})
    def get(self, request: Request, loop_id: int) -> Response:
        loop_for_debrief(request.user, loop_id)
        return Response(loop_row(request.user, loop_id))

    @extend_schema(request=LoopUpdateSerializer, responses={200: LoopSerializer})
    def patch(self, request: Request, loop_id: int) -> Response:
        loop = loop_for_recruiter(request.user, loop_id)
        body = LoopUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.loop_schedule_debrief(loop=loop, debrief_at=body.validated_data["debrief_at"])
        return Response(loop_row(request.user, loop_id))


class LoopInterviewCreate(APIView):
    """Schedule an interview in the loop: 201 with the interview row."""

    serializer_class = InterviewCreateSerializer

    @extend_schema(request=InterviewCreateSerializer, responses={201: ScheduledInterviewSerializer})
    def post(self, request: Request, loop_id: int) -> Response:
        loop = loop_for_recruiter(request.user, loop_id)
        body = InterviewCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        interview = services.interview_schedule(
            loop=loop,
            interviewer=_user_named(data["interviewer"]),
            rubric=data.get("rubric"),
            round=_round_of(loop, data.get("round")),
            scheduled_start=data["scheduled_start"],
            scheduled_end=data.get("scheduled_end"),
            counts_toward_decision=data.get("counts_toward_decision"),
            focus=data.get("focus"),
            questions=data.get("questions"),
            bar_raiser=data.get("bar_raiser"),
            allow_repeat=data["allow_repeat"],
        )
        return Response(scheduled_interview(interview), status=201)


def _round_of(loop: Loop, round_id: int | None) -> RoundTemplate | None:
    """The round `round_id` of the loop's position; 400 `round_not_in_position` for any other id."""
    if round_id is None:
        return None
    found = RoundTemplate.objects.select_related("rubric").filter(pk=round_id, position_id=loop.position_id).first()
    if found is None:
        raise Invalid(
            f"Round {round_id} is not a round of this loop's position.", code="round_not_in_position", field="round"
        )
    return found


def _recruiters_interview(user: Any, interview_id: int) -> Interview:
    """The interview, for a recruiter's write; anyone else gets 404, as for an id that does not exist."""
    interview = Interview.objects.filter(pk=interview_id).first() if is_recruiter(user) else None
    if interview is None:
        raise NotFound("No such interview.")
    return interview


def _user_named(username: str) -> Any:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise Invalid(f"There is no interviewer called {username}.", code="not_an_interviewer")
    return user


class InterviewDetail(APIView):
    """`PATCH {scheduled_start, scheduled_end, interviewer}` (recruiters): move the interview or give it to another
    interviewer, each told by email; 409 `interview_ended` once it has ended, `interview_cancelled`, `loop_closed`."""

    serializer_class = InterviewUpdateSerializer

    @extend_schema(request=InterviewUpdateSerializer, responses={200: InterviewSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        interview = _recruiters_interview(request.user, pk)
        body = InterviewUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.interview_update(
            interview=interview,
            scheduled_start=data.get("scheduled_start"),
            scheduled_end=data.get("scheduled_end"),
            interviewer=_user_named(data["interviewer"]) if data.get("interviewer") else None,
        )
        return Response(InterviewSerializer(interview_row(pk)).data)


class InterviewCancel(APIView):
    """`POST {reason}` (recruiters): the interview stops counting, its reminders are cancelled, its interviewer is
    told, the decision is recomputed; 409 `scorecard_submitted` / `interview_cancelled` / `loop_closed`."""

    serializer_class = InterviewCancelSerializer

    @extend_schema(request=InterviewCancelSerializer, responses={200: CancelledInterviewSerializer})
    def post(self, request: Request, pk: int) -> Response:
        interview = _recruiters_interview(request.user, pk)
        body = InterviewCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cancelled = services.interview_cancel(
            interview=interview, reason=body.validated_data["reason"], by=request.user
        )
        return Response(
            {
                "interview": InterviewSerializer(interview_row(pk)).data,
                "cancelled_at": cancelled.cancelled_at,
                "cancel_reason": cancelled.cancel_reason,
                "cancelled_by": request.user.get_username(),
                "decision": cancelled.loop.decision,
            }
        )


class LoopCancelRemaining(APIView):
    """`POST {reason?}` (recruiters): cancel every interview of the loop not yet held (after a No: "One No = No
    Hire", nobody should spend an hour on a decided loop); each interviewer is told."""

    serializer_class = CancelRemainingSerializer

    @extend_schema(request=CancelRemainingSerializer, responses={200: CancelledInterviewsSerializer})
    def post(self, request: Request, loop_id: int) -> Response:
        loop = loop_for_recruiter(request.user, loop_id)
        body = CancelRemainingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data.get("reason") or services.NO_HIRE_CANCEL_REASON
        cancelled = services.loop_cancel_remaining(loop=loop, reason=reason, by=request.user)
        return Response({"cancelled": [interview.pk for interview in cancelled], "decision": loop.decision})
