"""Admin for question banks: a bank with its questions inline, and each question on its own page with its tags.

Imported by `scorecards.admin` (Django's admin autodiscovery reads that module).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.forms import Textarea
from django.http import HttpRequest

from scorecards.questions import Question, QuestionBank, QuestionTag

_COMPACT_TEXT: dict[type[models.Field], dict[str, Any]] = {
    models.TextField: {"widget": Textarea(attrs={"rows": 3, "cols": 60})}
}


class QuestionInline(admin.TabularInline):
    """The bank's questions at a glance, in file order; each one's full page holds its answer guidance and tags."""

    model = Question
    fields = ["order", "key", "domain_name", "difficulty", "title"]
    prepopulated_fields = {"key": ["title"]}
    show_change_link = True
    extra = 0


@admin.register(QuestionBank)
class QuestionBankAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "source", "question_count", "imported_at"]
    search_fields = ["name", "key", "description"]
    readonly_fields = ["imported_at", "created_at"]
    prepopulated_fields = {"key": ["name"]}
    formfield_overrides = _COMPACT_TEXT
    inlines = [QuestionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[QuestionBank]:
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, bank: QuestionBank) -> int:
        return bank.question_count  # type: ignore[attr-defined]


@admin.register(QuestionTag)
class QuestionTagAdmin(admin.ModelAdmin):
    list_display = ["slug", "question_count"]
    search_fields = ["slug"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[QuestionTag]:
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, tag: QuestionTag) -> int:
        return tag.question_count  # type: ignore[attr-defined]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "bank", "domain_name", "difficulty", "order"]
    list_filter = ["bank", "domain_name", "difficulty", "tags"]
    search_fields = ["title", "prompt", "key", "tags__slug"]
    list_select_related = ["bank"]
    autocomplete_fields = ["tags"]
    prepopulated_fields = {"key": ["title"]}
    formfield_overrides = _COMPACT_TEXT
    readonly_fields = ["domain", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["bank", ("key", "order"), ("domain_name", "domain"), "difficulty", "tags"]}),
        ("Question", {"fields": ["title", "prompt"]}),
        ("Answer guidance", {"fields": ["strong_answer", "pitfalls", "insight"]}),
        (None, {"fields": [("created_at", "updated_at")]}),
    ]
