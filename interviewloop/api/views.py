"""Health and token auth: the endpoints every client meets first."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox import views as knox_views
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interviewloop.api.authentication import TokenAuthentication
from interviewloop.api.parsers import JSONParser
from interviewloop.errors import DomainError
from interviewloop.health import broker_status, database_status
from interviewloop.throttling import TokenRateThrottle
from interviewloop.tokens import ApiToken, api_tokens_sweep_expired


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


TOKEN_REQUEST = inline_serializer(
    "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
)
TOKEN_RESPONSE = inline_serializer("Token", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()})


class TokenView(knox_views.LoginView):
    """`POST {username, password}` → `{token, expiry}`; `DELETE` revokes the token the request presents.

    Sign-in is throttled per client address and failed attempts count toward the login lockout (django-axes).
    The token is django-rest-knox's: stored as a digest, expiring after API_TOKEN_TTL_HOURS.
    """

    renderer_classes = [JSONRenderer]
    throttle_scope = "token"
    parser_classes = [JSONParser, FormParser, MultiPartParser]  # ObtainAuthToken names DRF's JSON parser

    def get_authenticators(self) -> list:
        # Signing in needs no credentials but the body's: a stale token still sent along must not stop a client
        # from getting a new one. Revoking is for the token itself, so only a token authenticates that.
        return [] if self._method() == "POST" else [TokenAuthentication()]

    def get_permissions(self) -> list:
        return [AllowAny()] if self._method() == "POST" else [IsAuthenticated()]

    def get_throttles(self) -> list:
        return [TokenRateThrottle()] if self._method() == "POST" else []

    def _method(self) -> str | None:
        # None while drf-spectacular inspects the view for the schema (each operation then says its own).
        return getattr(self.request, "method", None)

    @extend_schema(
        request=TOKEN_REQUEST,
        responses={
            200: TOKEN_RESPONSE,
            403: OpenApiResponse(
                description="`password_login_disabled`: PASSWORD_LOGIN_ENABLED is off; use single sign-on"
            ),
        },
        auth=[],
    )
    def post(self, request: Request, format: str | None = None) -> Response:
        if not settings.PASSWORD_LOGIN_ENABLED:
            raise DomainError(
                "Password sign-in is turned off (PASSWORD_LOGIN_ENABLED=0): sign in with single sign-on in the browser.",
                code="password_login_disabled",
                status=403,
            )
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            # django-axes marks the request when the account is locked; say so rather than "wrong password".
            if getattr(request, "axes_locked_out", False):
                raise Throttled(
                    detail="Too many failed sign-in attempts: this account is locked for a while. Try again later."
                ) from None
            raise
        request.user = serializer.validated_data["user"]
        api_tokens_sweep_expired(user=request.user)
        return super().post(request, format=format)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, format: str | None = None) -> Response:
        request.auth.delete()
        user_logged_out.send(sender=type(request.user), request=request, user=request.user)
        return Response(status=204)


class TokensView(APIView):
    """`DELETE /api/auth/tokens/`: revoke every API token of the caller (signed in with a token or a session)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        ApiToken.objects.filter(user=request.user).delete()
        return Response(status=204)
