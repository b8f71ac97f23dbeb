"""Admin for rubrics (versioned, edited only as drafts) and, read-only, for notes and scorecards.

A rubric version is edited while it is a draft. Publishing freezes it: its change page becomes a
read-only view saying so, and any attempt to save it is refused with the RubricNotEditable message.
"Publish", "New version from this" and "Retire" are list actions and buttons on the rubric's page;
all three call `scorecards.rubrics`, the same services any other caller uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, QuerySet
from django.forms import Textarea
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from interviewloop.admin import ReadOnlyAdmin, ReadOnlyHistoryAdmin, ReadOnlyInline
from interviewloop.errors import DomainError
from scorecards import rubrics
from scorecards.models import (
    Dimension,
    DimensionScore,
    GutCheckQuestion,
    Note,
    NoteQuestion,
    Phase,
    RedFlag,
    RedFlagMark,
    Rubric,
    RubricNotEditable,
    Scorecard,
    ScorecardAmendment,
    Thread,
    ThreadPulled,
)

_COMPACT_TEXT: dict[type[models.Field], dict[str, Any]] = {
    models.TextField: {"widget": Textarea(attrs={"rows": 3, "cols": 60})}
}


def not_editable_message(rubric: Rubric) -> str:
    return str(
        RubricNotEditable(
            f"{rubric} is {rubric.status} and cannot be changed; use “New version from this” to edit a draft copy."
        ).message
    )


def published_message(rubric: Rubric, *, lead: bool = True) -> str:
    """What publishing `rubric` did: the version it retired, and which positions moved to it (new loops get it;
    interviews already scheduled keep the version they pinned)."""
    replaced = rubrics.replaced_version(rubric)
    positions = rubrics.published_positions(rubric)
    parts = [f"Published {rubric}."] if lead else []
    if replaced is not None:
        parts.append(f"Retired {replaced}, which it replaces.")
    if positions:
        titles = ", ".join(position.title for position in positions)
        parts.append(f"Moved {len(positions)} position{'s' if len(positions) != 1 else ''} to it: {titles}.")
    elif replaced is not None:
        parts.append("No position used the previous version.")
    if replaced is not None:
        parts.append("Interviews already scheduled keep the version they pinned.")
    return " ".join(parts)


class DraftOnlyInline(admin.options.InlineModelAdmin):
    """A rubric's ordered parts: editable while the rubric (`obj`) is a draft, shown read-only after."""

    extra = 0
    formfield_overrides = _COMPACT_TEXT

    def _draft(self, obj: Rubric | None) -> bool:
        return obj is None or obj.is_editable

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_delete_permission(request, obj)


class DimensionInline(DraftOnlyInline, admin.StackedInline):
    model = Dimension
    # The 5/3/1 anchors side by side: that is how an interviewer reads them while scoring.
    fields = [("order", "key", "name"), ("critical", "required", "weight"), "description", ("anchor_5", "anchor_3", "anchor_1")]  # fmt: skip


class RedFlagInline(DraftOnlyInline, admin.TabularInline):
    model = RedFlag
    fields = ["order", "key", "name", "sounds_like", "why_dangerous"]


class ThreadInline(DraftOnlyInline, admin.StackedInline):
    model = Thread
    fields = [
        ("order", "key", "title"),
        ("when_to_pull", "what_to_ask"),
        "why_it_matters",
        ("great_example", "great_signals"),
        ("okay_example", "bad_example"),
        "follow_up",
    ]
    classes = ["collapse"]


class PhaseInline(DraftOnlyInline, admin.TabularInline):
    model = Phase
    fields = ["order", "name", "minutes_min", "minutes_max", "guidance"]


class GutCheckInline(DraftOnlyInline, admin.TabularInline):
    model = GutCheckQuestion
    fields = ["order", "key", "text"]
    verbose_name_plural = "gut-check questions (any answer but Yes caps the vote at No)"


class NoteQuestionInline(DraftOnlyInline, admin.TabularInline):
    model = NoteQuestion
    fields = ["order", "field", "text"]
    verbose_name_plural = (
        "note questions (how this rubric words the five-minute note; a field left out keeps the default)"
    )


@admin.register(Rubric)
class RubricAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "version", "status", "dimension_count", "based_on", "published_at", "retired_at"]
    list_display_links = ["name", "version"]
    list_filter = ["status", "name", "version"]
    search_fields = ["name", "role", "description"]
    ordering = ["name", "-version"]
    list_select_related = ["based_on"]
    formfield_overrides = _COMPACT_TEXT
    inlines = [DimensionInline, RedFlagInline, ThreadInline, PhaseInline, GutCheckInline, NoteQuestionInline]
    actions = ["publish", "new_version", "retire"]
    change_form_template = "admin/scorecards/rubric/change_form.html"
    fieldsets = [
        (None, {"fields": ["name", "key", "version", "status", "based_on", "role", "description"]}),
        ("Interview", {"fields": ["problem_statement"]}),
        (
            "Rule thresholds (the guide's Scoring Framework and Red Flags)",
            {
                "fields": [
                    "red_flags_for_strong_no",
                    "ones_fraction_for_strong_no",
                    "yes_min_fraction_at_3",
                    "strong_yes_min_fraction_at_4",
                    "strong_yes_critical_min",
                    "evidence_required_for_extremes",
                ]
            },
        ),
        ("Lifecycle", {"fields": ["created_at", "published_at", "retired_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rubric]:
        return super().get_queryset(request).annotate(dimension_count=Count("dimensions", distinct=True))

    @admin.display(description="dimensions", ordering="dimension_count")
    def dimension_count(self, rubric: Rubric) -> int:
        return rubric.dimension_count  # type: ignore[attr-defined]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The lifecycle moves only through the actions (publish / retire / new version).
        fixed = ["status", "based_on", "created_at", "published_at", "retired_at"]
        return fixed if obj is None else [*fixed, "version"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Published versions are pinned by interviews and are evidence; only a draft may go.
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    # --- the change page -------------------------------------------------------------------------

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        rubric = Rubric.objects.filter(pk=object_id).first() if object_id and object_id.isdigit() else None
        if rubric is not None and not rubric.is_editable:
            if request.method == "POST":
                return self._refuse(request, rubric, not_editable_message(rubric))
            extra_context = {**(extra_context or {}), "rubric_locked_message": not_editable_message(rubric)}
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RubricNotEditable as refused:
            # Published between opening the form and saving it: the save was rolled back.
            assert rubric is not None
            return self._refuse(request, rubric, " ".join(refused.messages))

    def _refuse(self, request: HttpRequest, rubric: Rubric, message: str) -> HttpResponse:
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:scorecards_rubric_change", args=[rubric.pk]))

    def get_urls(self) -> list:
        def lifecycle(name: str, view: Callable[..., HttpResponse]) -> Any:
            return path(
                f"<int:rubric_id>/{name}/",
                self.admin_site.admin_view(view),
                name=f"scorecards_rubric_{name.replace('-', '_')}",
            )

        return [
            lifecycle("publish", self.publish_view),
            lifecycle("new-version", self.new_version_view),
            lifecycle("retire", self.retire_view),
            *super().get_urls(),
        ]

    def _lifecycle_view(
        self, request: HttpRequest, rubric_id: int, service: Callable[..., Rubric], done: str | Callable[[Rubric], str]
    ) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not super().has_change_permission(request):
            return self._refuse(request, get_object_or_404(Rubric, pk=rubric_id), "You may not change rubrics.")
        rubric = get_object_or_404(Rubric, pk=rubric_id)
        try:
            result = service(rubric=rubric)
        except DomainError as refused:
            return self._refuse(request, rubric, refused.detail)
        self.message_user(request, done(result) if callable(done) else done.format(rubric=result), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:scorecards_rubric_change", args=[result.pk]))

    def publish_view(self, request: HttpRequest, rubric_id: int) -> HttpResponse:
        return self._lifecycle_view(request, rubric_id, rubrics.rubric_publish, published_message)

    def new_version_view(self, request: HttpRequest, rubric_id: int) -> HttpResponse:
        return self._lifecycle_view(
            request, rubric_id, rubrics.rubric_new_version, "Created {rubric}: edit it, then publish it."
        )

    def retire_view(self, request: HttpRequest, rubric_id: int) -> HttpResponse:
        return self._lifecycle_view(request, rubric_id, rubrics.rubric_retire, "Retired {rubric}.")

    # --- list actions ------------------------------------------------------------------------------

    def _each(
        self, request: HttpRequest, queryset: QuerySet[Rubric], service: Callable[..., Rubric], verb: str
    ) -> None:
        for rubric in queryset.order_by("name", "version"):
            try:
                result = service(rubric=rubric)
            except DomainError as refused:
                self.message_user(request, refused.detail, messages.ERROR)
                continue
            url = reverse("admin:scorecards_rubric_change", args=[result.pk])
            done = format_html('{} <a href="{}">{}</a>.', verb, url, result)
            if service is rubrics.rubric_publish and (moves := published_message(result, lead=False)):
                done = format_html("{} {}", done, moves)
            self.message_user(request, done, messages.SUCCESS)

    @admin.action(description="Publish (freezes the version; retires the one it replaces)", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Rubric]) -> None:
        self._each(request, queryset, rubrics.rubric_publish, "Published")

    @admin.action(description="New version from this (a draft copy)", permissions=["change"])
    def new_version(self, request: HttpRequest, queryset: QuerySet[Rubric]) -> None:
        self._each(request, queryset, rubrics.rubric_new_version, "Created draft")

    @admin.action(description="Retire", permissions=["change"])
    def retire(self, request: HttpRequest, queryset: QuerySet[Rubric]) -> None:
        self._each(request, queryset, rubrics.rubric_retire, "Retired")


# --- what interviewers wrote: visible to admins, never editable here ------------------------------


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    list_display = ["interview", "vote", "want_to_work_with", "submitted_at", "due_at", "on_time"]
    list_filter = ["vote", "want_to_work_with"]
    search_fields = ["interview__loop__candidate__name", "interview__interviewer__username"]
    list_select_related = ["interview__loop__candidate", "interview__loop__position", "interview__interviewer"]
    date_hierarchy = "submitted_at"

    @admin.display(boolean=True, description="on time")
    def on_time(self, note: Note) -> bool:
        return note.on_time


class DimensionScoreInline(ReadOnlyInline):
    model = DimensionScore
    fields = ["dimension", "score", "evidence"]


class RedFlagMarkInline(ReadOnlyInline):
    model = RedFlagMark
    fields = ["red_flag", "evidence"]


class ThreadPulledInline(ReadOnlyInline):
    model = ThreadPulled
    fields = ["thread", "signal", "notes"]


class ScorecardAmendmentInline(ReadOnlyInline):
    model = ScorecardAmendment
    fields = ["amended_at", "amended_by", "previous_vote", "reason"]


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ["interview", "status", "vote", "submitted_at", "amended_at"]
    list_filter = ["status", "vote"]
    search_fields = ["interview__loop__candidate__name", "interview__interviewer__username"]
    list_select_related = ["interview__loop__candidate", "interview__loop__position", "interview__interviewer"]
    inlines = [DimensionScoreInline, RedFlagMarkInline, ThreadPulledInline, ScorecardAmendmentInline]
    object_history_template = "admin/scorecards/scorecard/object_history.html"

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        # Scores, red flags and threads are rows of their own, each with its own history: show them here too.
        scorecard_id = int(object_id) if str(object_id).isdigit() else 0

        def rows(model: Any, label: Callable[[Any], str], value: Callable[[Any], str]) -> list[dict[str, Any]]:
            history = model.history.filter(scorecard_id=scorecard_id).select_related("history_user")
            return [
                {
                    "history_date": h.history_date,
                    "history_user": h.history_user,
                    "get_history_type_display": h.get_history_type_display,
                    "item": label(h),
                    "value": value(h),
                }
                for h in history.order_by("-history_date", "-history_id")
            ]

        dimensions = {d.pk: d.name for d in Dimension.objects.filter(rubric__interviews__scorecard__pk=scorecard_id)}
        flags = {f.pk: f.name for f in RedFlag.objects.filter(rubric__interviews__scorecard__pk=scorecard_id)}
        threads = {t.pk: t.title for t in Thread.objects.filter(rubric__interviews__scorecard__pk=scorecard_id)}
        parts = [
            {
                "key": "scores",
                "title": "Scores",
                "rows": rows(
                    DimensionScore,
                    lambda h: dimensions.get(h.dimension_id, h.dimension_id),
                    lambda h: f"{h.score or '—'}: {h.evidence}",
                ),
            },
            {
                "key": "red-flags",
                "title": "Red flags",
                "rows": rows(RedFlagMark, lambda h: flags.get(h.red_flag_id, h.red_flag_id), lambda h: h.evidence),
            },
            {
                "key": "threads",
                "title": "Threads pulled",
                "rows": rows(
                    ThreadPulled,
                    lambda h: threads.get(h.thread_id, h.thread_id),
                    lambda h: f"{h.signal or '—'}: {h.notes}",
                ),
            },
        ]
        return super().history_view(request, object_id, {**(extra_context or {}), "part_histories": parts})


# --- Question banks: their admin lives in its own module; importing it here registers it -------------------
from scorecards import questions_admin  # noqa: E402, F401
