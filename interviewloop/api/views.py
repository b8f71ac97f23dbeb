"""Health and token auth: the two endpoints every client meets first."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from interviewloop.api.parsers import JSONParser
from interviewloop.health import broker_status, database_status


class HealthView(APIView):
    """Database (one `SELECT 1`) and broker (cached, time-boxed) status. 200 while the database answers."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: inline_serializer(
                "Health",
                {
                    "status": serializers.CharField(),
                    "database": serializers.DictField(),
                    "broker": serializers.DictField(),
                },
            ),
            503: inline_serializer(
                "HealthDown",
                {
                    "status": serializers.CharField(),
                    "database": serializers.DictField(),
                    "broker": serializers.DictField(),
                },
            ),
        }
    )
    def get(self, request: Request) -> Response:
        database = database_status()
        broker = broker_status()
        healthy = bool(database["ok"])
        body = {
            "status": "ok" if healthy and broker["ok"] else ("degraded" if healthy else "down"),
            "database": database,
            "broker": broker,
        }
        return Response(body, status=200 if healthy else 503)


class TokenView(ObtainAuthToken):
    """`{username, password}` → `{token}`. Throttled, and failed attempts count toward the login lockout."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    parser_classes = [JSONParser, FormParser, MultiPartParser]  # ObtainAuthToken names DRF's JSON parser

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            # django-axes marks the request when the account is locked; say so rather than "wrong password".
            if getattr(request, "axes_locked_out", False):
                raise Throttled(
                    detail="Too many failed sign-in attempts: this account is locked for a while. Try again later."
                ) from None
            raise
