"""Question banks over the API: `GET /api/questions/` (filtered, paginated) and `GET /api/questions/{id}/`.

Any signed-in user may read them (DESIGN.md, "Question banks"): they are the kit's material, not anyone's
judgment. A filter value that cannot be right (an unknown bank, a difficulty that is not one, a malformed tag) is a
400 `invalid_filter` naming the filter, never quietly ignored; a well-formed value nothing matches is an empty page.
"""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from interviewloop.api.filters import FilterBackend
from scorecards.questions import Difficulty, Question, QuestionBank, QuestionTag, lines_of
from scorecards.questions_parser import MAX_QUESTION_KEY, MAX_TAG
from scorecards.serializers import ErrorSerializer

MAX_SEARCH = 200


# A domain key or a tag as written in a URL: case does not matter (`?tag=RAG` is `rag`).
_KEY_IN_URL = RegexValidator(
    r"(?i)^[a-z0-9]+(?:-[a-z0-9]+)*\Z", message="It must be letters, digits and single hyphens."
)


class QuestionFilter(django_filters.FilterSet):
    bank = django_filters.ModelChoiceFilter(
        queryset=QuestionBank.objects.all(),
        to_field_name="key",
        error_messages={"invalid_choice": "There is no question bank with that key."},
        help_text="The bank's key.",
    )
    domain = django_filters.CharFilter(
        method="filter_domain",
        max_length=MAX_QUESTION_KEY,
        validators=[_KEY_IN_URL],
        help_text="A domain key, e.g. `rag-retrieval`.",
    )
    difficulty = django_filters.ChoiceFilter(
        choices=Difficulty.choices,
        error_messages={"invalid_choice": f"It must be one of {', '.join(Difficulty.values)}."},
    )
    tag = django_filters.CharFilter(
        method="filter_tag", max_length=MAX_TAG, validators=[_KEY_IN_URL], help_text="One tag, e.g. `system-design`."
    )
    q = django_filters.CharFilter(
        method="search", max_length=MAX_SEARCH, help_text="Search the title, the prompt, the key and the tags."
    )

    class Meta:
        model = Question
        fields = ["bank", "domain", "difficulty", "tag", "q"]

    def filter_domain(self, queryset: QuerySet[Question], name: str, value: str) -> QuerySet[Question]:
        return queryset.filter(domain=value.lower())

    def filter_tag(self, queryset: QuerySet[Question], name: str, value: str) -> QuerySet[Question]:
        # One row per (question, tag) pair, so joining on one tag never repeats a question.
        return queryset.filter(tags__slug=value.lower())

    def search(self, queryset: QuerySet[Question], name: str, value: str) -> QuerySet[Question]:
        term = value.strip()
        if not term:
            return queryset
        tagged = Question.tags.through.objects.filter(question_id=OuterRef("pk"), questiontag__slug__icontains=term)
        return queryset.filter(
            Q(title__icontains=term) | Q(prompt__icontains=term) | Q(key__icontains=term) | Q(Exists(tagged))
        )


class QuestionFilterBackend(FilterBackend):
    """django-filter's backend, refusing in the contract's shape: 400 `{"code": "invalid_filter", "detail", "field"}`."""


class QuestionSerializer(serializers.ModelSerializer):
    bank: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="key", read_only=True, help_text="The bank's key."
    )
    domain = serializers.CharField(read_only=True, help_text="The domain's key (the `domain` filter).")
    domain_name = serializers.CharField(read_only=True)
    difficulty = serializers.ChoiceField(choices=Difficulty.choices, allow_null=True, read_only=True)
    tags = serializers.SerializerMethodField()
    strong_answer = serializers.SerializerMethodField(help_text="What a strong answer includes.")
    pitfalls = serializers.SerializerMethodField(help_text="Common pitfalls.")

    class Meta:
        model = Question
        fields = [
            "id",
            "bank",
            "key",
            "domain",
            "domain_name",
            "difficulty",
            "tags",
            "title",
            "prompt",
            "strong_answer",
            "pitfalls",
            "insight",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, question: Question) -> list[str]:
        return [tag.slug for tag in question.tags.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_strong_answer(self, question: Question) -> list[str]:
        return lines_of(question.strong_answer)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_pitfalls(self, question: Question) -> list[str]:
        return lines_of(question.pitfalls)


def questions_with_tags() -> QuerySet[Question]:
    """Questions with their bank and tags: three queries for any page (count, rows, tags)."""
    return (
        Question.objects.select_related("bank")
        .prefetch_related(Prefetch("tags", queryset=QuestionTag.objects.order_by("slug")))
        .order_by("bank__name", "bank_id", "order", "id")
    )


_REFUSED = {
    400: OpenApiResponse(ErrorSerializer, description="`invalid_filter`: a filter value that cannot be right"),
    401: OpenApiResponse(ErrorSerializer, description="Not signed in"),
}


@extend_schema_view(
    list=extend_schema(responses={200: QuestionSerializer(many=True), **_REFUSED}),
    retrieve=extend_schema(
        responses={
            200: QuestionSerializer,
            **_REFUSED,
            404: OpenApiResponse(ErrorSerializer, description="No such question"),
        }
    ),
)
class QuestionViewSet(viewsets.ReadOnlyModelViewSet):
    """Questions of every bank, for any signed-in user; paginated `{count, next, previous, results}`."""

    serializer_class = QuestionSerializer
    lookup_value_converter = "id"  # interviewloop.converters: an id beyond 64 bits is a 404
    filter_backends = [QuestionFilterBackend]
    filterset_class = QuestionFilter

    def get_queryset(self) -> QuerySet[Question]:
        return questions_with_tags()
