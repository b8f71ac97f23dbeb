"""Form fields for typed input on the pages: the rules of `interviewloop.inputs`, shown as the field's error.

The same rules (and limits) as the API's serializer fields (`interviewloop.api.fields`), so a page and the
API refuse the same values; a refused form comes back with everything typed still in it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from debriefs.slack_rules import NOTIFY_CHOICES, NOTIFY_LABELS
from interviewloop.inputs import DateTimeRangeValidator, TextValidator, limit_for, text_problem
from interviewloop.profiles import Profile
from interviewloop.time_zones import time_zone_groups, time_zone_problem


class TextField(forms.CharField):
    """A text of at most `limit` characters (default: the cap of `name` in `inputs.TEXT_LIMITS`)."""

    def __init__(self, *, name: str, limit: int | None = None, **kwargs: Any) -> None:
        limit = limit_for(name) if limit is None else limit
        super().__init__(**kwargs)
        self.max_length = limit  # the widget's maxlength; the text rule below checks it
        self.widget.attrs.update(self.widget_attrs(self.widget))
        replaced = ProhibitNullCharactersValidator | TextValidator
        self.validators = [TextValidator(limit), *(v for v in self.validators if not isinstance(v, replaced))]


class EmailField(TextField, forms.EmailField):
    """An email address, under the text rule (at most 254 characters)."""


class DateTimeField(forms.DateTimeField):
    """A date and time within `inputs.EARLIEST`..`LATEST`."""

    default_validators = [DateTimeRangeValidator()]


class ModelChoiceField(forms.ModelChoiceField):
    """Django's, but a typed value the text rule refuses (a NUL) is "not one of the choices" before it reaches a
    query: PostgreSQL refuses a NUL in a query parameter outright, which was a 500."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and text_problem(value, limit=len(value)) is not None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class TimeZoneField(forms.ChoiceField):
    """An IANA zone, picked from a select grouped by region; a name not in it is refused by the zone rule
    (`interviewloop.time_zones.time_zone_problem`), which says what a zone looks like."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Time zone")
        super().__init__(choices=time_zone_choices, **kwargs)

    def validate(self, value: Any) -> None:
        problem = time_zone_problem(value or "")
        if problem is not None:
            raise forms.ValidationError(problem, code="invalid_time_zone")


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [(region, [(name, name) for name in names]) for region, names in time_zone_groups()]


class ProfileForm(forms.ModelForm):
    """The user's time zone: the profile page's form and the admin's (the user's page, inline)."""

    time_zone = TimeZoneField(help_text="Pages and emails show your times in this zone.")

    class Meta:
        model = Profile
        fields = ["time_zone"]


class NotifyByForm(forms.Form):
    """How reminders reach the user (the profile page): email, Slack direct messages, or both."""

    notify_by = forms.ChoiceField(
        label="Send my reminders by",
        choices=[(value, NOTIFY_LABELS[value]) for value in NOTIFY_CHOICES],
        widget=forms.RadioSelect,
    )

    @staticmethod
    def label_of(choice: str) -> str:
        return NOTIFY_LABELS[choice].lower()
