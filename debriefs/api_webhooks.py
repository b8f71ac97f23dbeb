"""`GET`/`POST /api/webhooks/`: admins register the endpoints that receive signed events (debriefs.webhooks)."""

from __future__ import annotations

from typing import Any

from django.core.validators import URLValidator
from rest_framework import generics, serializers
from rest_framework.permissions import IsAdminUser

from debriefs.models import WebhookEndpoint
from debriefs.webhook_rules import EVENTS

HTTP_URL = URLValidator(schemes=["http", "https"], message="Give an http:// or https:// address.")


class WebhookEndpointSerializer(serializers.ModelSerializer):
    url = serializers.CharField(max_length=500, validators=[HTTP_URL])
    secret = serializers.CharField(
        write_only=True,
        min_length=16,
        max_length=200,
        help_text="Signs every body (HMAC-SHA256); never shown again. At least 16 characters.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENTS), allow_empty=False, help_text="The event types it receives."
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "secret", "events", "active", "description", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_events(self, events: list[str]) -> list[str]:
        return [event for event in EVENTS if event in events]  # in the documented order, once each

    def create(self, validated_data: dict[str, Any]) -> WebhookEndpoint:
        return WebhookEndpoint.objects.create(**validated_data, created_by=self.context["request"].user)


class WebhookEndpointListCreate(generics.ListCreateAPIView):
    """Staff only: the registered endpoints (secrets never shown), and registering a new one."""

    permission_classes = [IsAdminUser]
    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.order_by("id")
