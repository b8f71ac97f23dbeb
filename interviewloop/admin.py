"""Admin for candidates, positions, loops and interviews, and the history-is-read-only base for every app.

Interviews are added and changed here only through the services, on the interview's page and in the loop's inline
(`interview_schedule`, `interview_update`, `interview_set_counting`): the API's rules and effects, and a refusal
shown on the form with nothing saved (interviewloop.admin_writes).

History (django-simple-history) is shown in admin so an admin can see who changed what and when,
but it is never a way to change anything: the revert form is refused, whatever the user's rights.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from debriefs import outbox
from debriefs.services import debrief_document_write, loop_lock
from interviewloop import interview_rules, services
from interviewloop.admin_writes import AdminRefused, RefusalShownForm, ServiceWritesAdmin, refusal_for
from interviewloop.errors import DomainError
from interviewloop.forms import ProfileForm
from interviewloop.models import Candidate, Interview, Loop, Position
from interviewloop.privacy import candidate_erase
from interviewloop.profiles import Profile, remember_time_zone
from interviewloop.rounds import RoundTemplate
from interviewloop.tokens import ApiToken
from scorecards.models import Rubric


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history pages only show: no revert, no edit through a past version."""

    history_list_display = ["history_change_reason"]

    def has_change_history_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        # simple_history's form view saves the POSTed past version over the live row (a revert).
        # History is evidence; it is never written through admin.
        if request.method != "GET":
            raise PermissionDenied("History is read-only: a past version cannot be restored or edited.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class NoWrites:
    """Never added, changed or deleted through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(NoWrites, ReadOnlyHistoryAdmin):
    """For records that are evidence (notes, scorecards): visible to staff, never added, changed or deleted here."""


class ReadOnlyInline(NoWrites, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


def published_rubrics() -> QuerySet[Rubric]:
    return Rubric.objects.filter(status=Rubric.Status.PUBLISHED)


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "loop_count", "created_at", "erased_at"]
    list_filter = [("erased_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email", "phone"]
    readonly_fields = ["created_at", "erased_at"]
    actions = ["erase_personal_data"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Candidate]:
        return super().get_queryset(request).annotate(loop_count=Count("loops"))

    @admin.display(description="loops", ordering="loop_count")
    def loop_count(self, candidate: Candidate) -> int:
        return candidate.loop_count  # type: ignore[attr-defined]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Once erased, there is nothing personal left to edit, and re-typing a name would undo the erasure.
        if obj is not None and obj.erased_at is not None:
            return ["name", "email", "phone", *self.readonly_fields]
        return list(self.readonly_fields)

    @admin.action(description="Erase personal data (keeps anonymised scores and votes)", permissions=["change"])
    def erase_personal_data(self, request: HttpRequest, queryset: QuerySet[Candidate]) -> None:
        for candidate in queryset:
            result = candidate_erase(candidate=candidate, by=request.user)
            self.message_user(request, result.summary(), messages.SUCCESS)


class RoundTemplateInline(admin.StackedInline):
    """The position's rounds, in order (DESIGN.md, "Every round of a loop": Round templates). The model's check
    (RoundTemplate.clean) refuses a bar raiser that would not count, unknown focus keys and question ids.

    Stacked, so every field has its visible label and a round fits a phone's width."""

    model = RoundTemplate
    extra = 0
    fields = [
        ("order", "title"), ("rubric", "duration_minutes"), "focus", "questions",
        ("counts_toward_decision", "bar_raiser"),
    ]  # fmt: skip
    formfield_overrides = {models.JSONField: {"widget": forms.Textarea(attrs={"rows": 1, "cols": 40})}}

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "rubric":
            kwargs["queryset"] = published_rubrics()  # an interview scheduled from it pins it
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["title", "rubric", "created_at"]
    list_filter = ["rubric__name"]
    search_fields = ["title"]
    list_select_related = ["rubric"]
    inlines = [RoundTemplateInline]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "rubric":
            # A position's interviews pin its rubric, so it must be a published version.
            kwargs["queryset"] = published_rubrics()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# What a change of an existing interview may write, through services.interview_update.
INTERVIEW_MOVES = ("interviewer", "scheduled_start", "scheduled_end")


class InterviewForm(RefusalShownForm):
    """An interview's admin form (its page, a row of the loop's inline). `clean()` runs the services' checks that
    need no lock: the interviewer's role (services.require_interviewer) and, for a change, whether the interview
    may still move (interview_rules.schedule_refusal). The model's `clean()` checks the round's fields."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        interviewer = cleaned.get("interviewer")
        if interviewer is not None and "interviewer" in self.changed_data:
            try:
                services.require_interviewer(interviewer)
            except DomainError as refused:
                self.add_error("interviewer", refused.detail)
        interview = self.instance  # as stored: the form's values are set on it after clean()
        if interview.pk is not None and set(INTERVIEW_MOVES) & set(self.changed_data):
            refusal = interview_rules.schedule_refusal(
                services.interview_state(interview.loop, interview),
                start=cleaned.get("scheduled_start") or interview.scheduled_start,
                end=cleaned.get("scheduled_end") or interview.scheduled_end,
            )
            if refusal is not None:
                field = "scheduled_end" if refusal == interview_rules.END_BEFORE_START else None
                self.add_error(field, refusal.detail)
        return cleaned


class InterviewAddForm(InterviewForm):
    allow_repeat = forms.BooleanField(
        required=False,
        label="Allow a repeated question",
        help_text="A question another interview of the loop asks is refused unless this is ticked.",
    )


def interview_change(form: forms.ModelForm, interview: Interview) -> None:
    """Write what `form` changed of an existing interview through the services (each may refuse)."""
    changed, data = set(form.changed_data), form.cleaned_data
    if changed & set(INTERVIEW_MOVES):
        # A value not changed here is not passed: the service keeps the stored one (a concurrent move stays).
        services.interview_update(
            interview=interview, **{name: data[name] for name in INTERVIEW_MOVES if name in changed}
        )
    if "counts_toward_decision" in changed:  # recomputes the decision
        services.interview_set_counting(interview=interview, counts_toward_decision=data["counts_toward_decision"])


class InterviewInline(admin.TabularInline):
    model = Interview
    form = InterviewForm
    extra = 0
    fields = ["interviewer", "rubric", "scheduled_start", "scheduled_end", "counts_toward_decision", "ended_at"]
    # An interview pins its rubric for good (the scorecard is read against that version); a new one
    # takes the position's rubric, as the API does. Every row is written through the services (LoopAdmin.save_formset).
    readonly_fields = ["rubric", "ended_at"]
    autocomplete_fields = ["interviewer"]
    show_change_link = True
    # Deleting an interview deletes its note and scorecard: evidence, and a vote the decision may rest on.
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _open(obj) and super().has_change_permission(request, obj)


def _open(loop: Loop | None) -> bool:
    """A closed loop's panel no longer changes: its outcome was recorded against it."""
    return loop is None or loop.status == Loop.Status.OPEN


# What the loop form may write; status, decision and outcome only move through the services
# (debriefs.services: the rule's decision, and the recruiter's recorded outcome, which closes the loop).
LOOP_EDITABLE = ["candidate", "position", "recruiter", "debrief_at"]


@admin.register(Loop)
class LoopAdmin(ServiceWritesAdmin, ReadOnlyHistoryAdmin):
    list_display = ["__str__", "recruiter", "status", "decision", "outcome", "debrief_at", "created_at"]
    list_filter = ["status", "decision", "outcome", "position"]
    search_fields = ["candidate__name", "candidate__email", "position__title", "recruiter__username"]
    list_select_related = ["candidate", "position", "recruiter"]
    autocomplete_fields = ["candidate", "recruiter"]
    date_hierarchy = "created_at"
    # The decision is the rule's ("One No = No Hire") and the outcome is recorded through the debrief (which
    # closes the loop), so none of them is typed in here: reopening a closed loop would let its outcome be
    # overwritten.
    readonly_fields = [
        "status", "decision", "decision_changed_at", "decision_reason", "outcome", "outcome_at", "outcome_by",
        "created_at",
    ]  # fmt: skip
    inlines = [InterviewInline]
    form = RefusalShownForm

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list:
        return super().get_inline_instances(request, obj) if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Loop, form: Any, change: bool) -> None:
        """A new loop through loop_create (an erased candidate refused, the meeting's reminder written); a change of
        the debrief time through loop_schedule_debrief (its reminder replaced); a refusal goes back to the form."""
        data = form.cleaned_data
        try:
            if not change:
                obj.pk = services.loop_create(
                    candidate=data["candidate"], position=data["position"], recruiter=data["recruiter"],
                    debrief_at=data.get("debrief_at"),
                ).pk  # fmt: skip
                return
            # The loop's lock first, as every write that can change the decision takes it (loop_lock); and only
            # the form's own fields are written, so nothing read before the lock (a status, an outcome) is
            # written back over what the services set meanwhile.
            locked = loop_lock(obj.pk)
            for name in ("status", "decision", "decision_reason", "decision_changed_at", "outcome", "outcome_at"):
                setattr(obj, name, getattr(locked, name))
            obj.outcome_by_id = locked.outcome_by_id
            changed = [name for name in form.changed_data if name in LOOP_EDITABLE and name != "debrief_at"]
            if changed:
                obj.save(update_fields=changed)
                debrief_document_write(loop_id=obj.pk)
                if "recruiter" in changed and "debrief_at" not in form.changed_data:
                    outbox.meeting_follows_panel(obj)  # its reminder to the new recruiter (a moved meeting's: below)
            if "debrief_at" in form.changed_data:
                services.loop_schedule_debrief(loop=obj, debrief_at=data["debrief_at"])
        except DomainError as refused:
            raise AdminRefused([refusal_for(form, refused)]) from refused

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Interview:
            super().save_formset(request, form, formset, change)
            return
        loop = form.instance  # as save_model read it, under the loop's lock
        if not _open(loop):
            if formset.has_changed():
                self.message_user(request, "This loop is closed: its panel no longer changes.", messages.ERROR)
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # for the change log
            return
        # Each row through its service: a new one is scheduled (the interviewer's invite, the debrief's reminder and
        # document, the decision), a changed one moved, reassigned or made to count (their notices). Every refusal
        # is collected, so the page shows each row's at once (admin_writes.AdminRefused).
        refusals, added, changed_rows = [], [], []
        for row in formset.forms:
            if not row.has_changed():
                continue
            interview = row.instance
            try:
                if interview.pk is None:
                    interview.pk = services.interview_schedule(
                        loop=loop,
                        interviewer=row.cleaned_data["interviewer"],
                        scheduled_start=row.cleaned_data["scheduled_start"],
                        scheduled_end=row.cleaned_data["scheduled_end"],
                        counts_toward_decision=row.cleaned_data["counts_toward_decision"],
                    ).pk
                    added.append(interview)
                else:
                    interview_change(row, interview)
                    changed_rows.append((interview, row.changed_data))
            except DomainError as refused:
                refusals.append(refusal_for(row, refused))
        if refusals:
            raise AdminRefused(refusals)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = added, changed_rows, []


@admin.register(Interview)
class InterviewAdmin(ServiceWritesAdmin):
    list_display = [
        "__str__", "interviewer", "rubric", "scheduled_start", "scheduled_end", "ended_at", "counts_toward_decision",
    ]  # fmt: skip
    list_filter = ["counts_toward_decision", ("ended_at", admin.EmptyFieldListFilter), "rubric"]
    search_fields = ["loop__candidate__name", "interviewer__username", "loop__position__title"]
    list_select_related = ["loop__candidate", "loop__position", "interviewer", "rubric"]
    autocomplete_fields = ["loop", "interviewer"]
    date_hierarchy = "scheduled_start"
    actions = ["count_toward_decision", "stop_counting"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # `ended_at` is set by the interviewer or the sweep (it starts the note's five minutes);
        # the rubric and the loop are pinned once the interview exists; whether it counts changes only
        # through the actions below, which recompute the decision.
        # A cancel goes through the debrief page or the API (interview_cancel), which tells the interviewer.
        # The calendar invite's sequence goes up with each change the services make.
        cancel = ["cancelled_at", "cancel_reason", "cancelled_by"]
        if obj is None:
            return ["ended_at", "created_at", "calendar_sequence", *cancel]
        # The round's fields are set when it is scheduled (interview_schedule checks repeated questions under the
        # loop's lock); after that only its times and interviewer change (interview_update).
        rounds = ["round", "focus", "questions", "bar_raiser"]
        return [
            "ended_at", "created_at", "calendar_sequence", "rubric", "loop", "counts_toward_decision", *rounds, *cancel,
        ]  # fmt: skip

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = InterviewForm if obj is not None else InterviewAddForm
        return super().get_form(request, obj, change, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its note and scorecard are evidence, and the decision may rest on its vote

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "rubric":
            kwargs["queryset"] = published_rubrics()
        if db_field.name == "loop":
            kwargs["queryset"] = Loop.objects.filter(status=Loop.Status.OPEN)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Interview, form: Any, change: bool) -> None:
        """Through the services, with the form's values; a refusal goes back to the form (admin_writes)."""
        try:
            if change:
                interview_change(form, obj)
                return
            data = form.cleaned_data
            obj.pk = services.interview_schedule(
                loop=data["loop"],
                interviewer=data["interviewer"],
                scheduled_start=data["scheduled_start"],
                scheduled_end=data["scheduled_end"],
                rubric=data["rubric"],
                counts_toward_decision=data["counts_toward_decision"],
                round=data.get("round"),
                focus=data["focus"],
                questions=data["questions"],
                bar_raiser=data["bar_raiser"],
                allow_repeat=data["allow_repeat"],
            ).pk  # the page's "added" message and change log name the scheduled row
        except DomainError as refused:
            raise AdminRefused([refusal_for(form, refused)]) from refused

    def _set_counting(self, request: HttpRequest, queryset: QuerySet[Interview], counts: bool) -> None:
        for interview in queryset.select_related("loop__candidate", "loop__position", "interviewer"):
            try:
                services.interview_set_counting(interview=interview, counts_toward_decision=counts)
            except DomainError as refused:
                self.message_user(request, f"{interview}: {refused.detail}", messages.ERROR)
            else:
                self.message_user(request, f"{interview}: {'counts' if counts else 'shadow, not counting'}.")

    @admin.action(description="Count toward the decision (recomputes it)", permissions=["change"])
    def count_toward_decision(self, request: HttpRequest, queryset: QuerySet[Interview]) -> None:
        self._set_counting(request, queryset, True)

    @admin.action(description="Shadow: stop counting toward the decision (recomputes it)", permissions=["change"])
    def stop_counting(self, request: HttpRequest, queryset: QuerySet[Interview]) -> None:
        self._set_counting(request, queryset, False)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens: whose, issued and expiring when; never the secret (only its digest is stored). Delete revokes."""

    list_display = ["user", "created", "expiry", "is_active"]
    list_filter = ["expiry"]
    search_fields = ["user__username"]
    fields = readonly_fields = ("user", "created", "expiry")
    ordering = ["-created"]

    @admin.display(boolean=True, description="active")
    def is_active(self, token: ApiToken) -> bool:
        return not token.expired

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token is issued by signing in (`POST /api/auth/token/`), which shows it once

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProfileInline(admin.StackedInline):
    """The user's time zone on their admin page, picked from the IANA zones and checked by the zone rule; and how
    their reminders reach them (email, Slack, both)."""

    model = Profile
    form = ProfileForm
    fields = ["time_zone", "notify_by"]
    can_delete = False
    min_num = max_num = 1  # a user without a profile reads TIME_ZONE, which the form starts from
    verbose_name = verbose_name_plural = "time zone and reminders"


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class UserWithTimeZoneAdmin(UserAdmin):
    inlines = [ProfileInline]
    # Plain multiple selects for groups and permissions: Django's two-box filter puts aria-label on its search
    # icon's <span> (axe: aria-prohibited-attr) and draws "Choose all" links 16 px tall (under WCAG 2.2's 24 px).
    filter_horizontal = ()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if form.instance.pk == request.user.pk:
            # The admin's own zone: their pages follow at once, as from the profile page (others' at their next
            # sign-in: their sessions keep the zone they signed in with, see interviewloop.profiles).
            profile = Profile.objects.filter(user=form.instance).first()
            if profile is not None:
                remember_time_zone(request, profile.time_zone)
