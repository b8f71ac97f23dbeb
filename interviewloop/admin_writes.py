"""Admin pages that write through the services: a service's refusal comes back as a form error, nothing saved.

An admin page saves by calling a service (`save_model`, `save_formset`), never the ORM, so the rules and their
effects (the interviewer's invite, the reschedule notice, the stored debrief) are the API's. The forms' `clean()`
runs the checks that need no lock through the services' own rule functions, so most mistakes show beside the
other errors. What only the service can see (a repeated question or a second interview under the loop's lock, a
race) is raised from the save as `AdminRefused`. `ServiceWritesAdmin.changeform_view` lets it leave Django's
transaction for the page, which rolls back everything the save wrote (no row, no reminder, no log entry, no
"saved" message), and runs the page once more on the same POST with the refusal set for `RefusalShownForm.clean`:
the page comes back with what was typed and the service's sentence on the field it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from interviewloop.errors import DomainError

# The form field a refusal is about, by code, for refusals that do not name their `field` themselves.
REFUSAL_FIELD = {
    "loop_closed": "loop",
    "candidate_erased": "candidate",
    "not_an_interviewer": "interviewer",
    "already_on_panel": "interviewer",
    "end_before_start": "scheduled_end",
    "rubric_not_published": "rubric",
    "round_not_in_position": "round",
    "question_repeated": "questions",
    "bar_raiser_must_count": "counts_toward_decision",
}


@dataclass(frozen=True)
class FormRefusal:
    prefix: str | None  # the form's: None for the page's own form, "interviews-1" for a row of an inline
    field: str | None  # None: shown above the form
    detail: str


def refusal_for(form: forms.BaseForm, refused: DomainError) -> FormRefusal:
    """`refused` as an error of `form`: on the field it is about when the form has that field."""
    field = refused.extra.get("field") or REFUSAL_FIELD.get(refused.code)
    return FormRefusal(form.prefix, field if field in form.fields else None, refused.detail)


class AdminRefused(Exception):
    """A service refused what the page's save asked (see the module's docstring)."""

    def __init__(self, refusals: Sequence[FormRefusal]) -> None:
        super().__init__("; ".join(refusal.detail for refusal in refusals))
        self.refusals = tuple(refusals)


# The refusals the page's second run shows. A context variable: the admin instance is shared by every request.
SHOWN_REFUSALS: ContextVar[tuple[FormRefusal, ...]] = ContextVar("shown_refusals", default=())


class RefusalShownForm(forms.ModelForm):
    """A form of a service-writing admin page: it carries the service's refusals of the page's first run."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        for refusal in SHOWN_REFUSALS.get():
            if refusal.prefix == self.prefix:
                self.add_error(refusal.field, refusal.detail)
        return cleaned


class ServiceWritesAdmin(admin.ModelAdmin):
    """An admin whose saves go through services that may refuse (`AdminRefused`); its forms are RefusalShownForms."""

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except AdminRefused as refused:
            # The page's transaction is rolled back. The same POST again, now invalid: the page re-renders.
            shown = SHOWN_REFUSALS.set(refused.refusals)
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            finally:
                SHOWN_REFUSALS.reset(shown)
