"""Webhooks in the admin: endpoints (events as checkboxes, the secret never shown) and every delivery with its
last error, filterable by status, with "send again"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from debriefs.models import WebhookDelivery, WebhookEndpoint
from debriefs.webhook_rules import EVENTS
from debriefs.webhooks import deliveries_send_again


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        max_length=500, assume_scheme="https", help_text=WebhookEndpoint._meta.get_field("url").help_text
    )
    events = forms.MultipleChoiceField(
        choices=[(event, event) for event in EVENTS], widget=forms.CheckboxSelectMultiple
    )
    secret = forms.CharField(
        required=False,
        min_length=16,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text="At least 16 characters; signs every body. Leave empty to keep the current secret.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "secret", "active"]

    def clean_secret(self) -> str:
        secret = self.cleaned_data.get("secret") or ""
        if not secret and self.instance.pk is None:
            raise forms.ValidationError("A new endpoint needs a secret: receivers check every signature with it.")
        return secret or self.instance.secret

    def clean_events(self) -> list[str]:
        chosen = self.cleaned_data.get("events") or []
        return [event for event in EVENTS if event in chosen]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "description", "event_list", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "description"]

    @admin.display(description="events")
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id", "event_type", "endpoint", "status", "attempts", "last_status_code", "short_error",
        "created_at", "next_attempt_at", "delivered_at",
    ]  # fmt: skip
    list_filter = ["status", "event_type", "endpoint"]
    search_fields = ["event_id", "last_error", "endpoint__url"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    readonly_fields = [
        "endpoint", "event_id", "event_type", "loop", "body", "status", "created_at", "next_attempt_at",
        "retry_until", "attempts", "last_status_code", "last_error", "delivered_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # deliveries come from events, not by hand

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="last error")
    def short_error(self, delivery: WebhookDelivery) -> str:
        return delivery.last_error[:120]

    @admin.action(description="Send again (same event id; receivers dedupe on it)", permissions=["view"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = deliveries_send_again(queryset)
        self.message_user(
            request, f"{count} webhook deliver{'y' if count == 1 else 'ies'} queued again.", messages.SUCCESS
        )
