"""Sign-in you can trust: forwarded headers only from trusted proxies, a per-address limit on the form and the
token endpoint, and sign-in that keeps working while the cache (Redis) is down."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
import redis as redis_client
import yaml
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings

from tests.debriefs.reminder_fixtures import free_port, start_redis

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-for-tests-only"
TOKEN_RATE = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"].partition("/")[0])
LOGIN_RATE = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].partition("/")[0])


def behind_proxies(count: int):
    """What TRUSTED_PROXY_COUNT=count gives (DRF's NUM_PROXIES; axes asks the same function)."""
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": count})


def token_post(api, *, forwarded_for: str | None = None, password: str = PASSWORD, remote: str = "127.0.0.1"):
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return api.post("/api/auth/token/", {"username": "alice", "password": password}, format="json", **headers)


# --- X-Forwarded-For is trusted only from the configured proxies ------------------------------------------


@pytest.mark.django_db
def test_a_new_forged_x_forwarded_for_on_each_sign_in_does_not_escape_the_token_throttle(api, interviewer):
    # given no trusted proxy (the default) and a client that writes a new X-Forwarded-For on every request
    statuses = [token_post(api, forwarded_for=f"10.{n // 250}.{n % 250}.1").status_code for n in range(150)]
    # then the throttle counted them all as the one client they are
    assert statuses == [200] * TOKEN_RATE + [429] * (150 - TOKEN_RATE)


@pytest.mark.django_db
def test_behind_one_trusted_proxy_the_client_is_the_address_that_proxy_saw(api, interviewer):
    with behind_proxies(1):
        # A client's own X-Forwarded-For entries stand left of the one our proxy appended: only that one counts.
        statuses = [token_post(api, forwarded_for=f"198.51.100.{n}, 203.0.113.7").status_code for n in range(60)]
        assert statuses == [200] * TOKEN_RATE + [429] * (60 - TOKEN_RATE)
        # Another client behind the same proxy has its own allowance.
        assert token_post(api, forwarded_for="198.51.100.1, 203.0.113.8").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "recorded"),
    [(0, "198.51.100.9", "127.0.0.1"), (1, "198.51.100.9, 203.0.113.7", "203.0.113.7")],
)
def test_the_lockout_names_the_same_client_as_the_throttle(client, api, interviewer, proxies, forwarded_for, recorded):
    with behind_proxies(proxies):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"}, HTTP_X_FORWARDED_FOR=forwarded_for)
        token_post(api, forwarded_for=forwarded_for, password="wrong")
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [(recorded, 2)]


def settings_in_a_fresh_process(env: dict[str, str], expression: str):
    code = f"import json, interviewloop.settings as s; print(json.dumps({expression}))"
    base = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "k3y-" + "z9Q" * 20, "DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, check=False
    )
    return result


def test_trusted_proxy_count_is_zero_unless_set_and_configures_drf_and_axes():
    expression = "[s.TRUSTED_PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES'], s.AXES_CLIENT_IP_CALLABLE]"
    default = settings_in_a_fresh_process({}, expression)
    assert default.returncode == 0, default.stderr
    assert json.loads(default.stdout.splitlines()[-1]) == [0, 0, "interviewloop.throttling.client_ip"]
    two = settings_in_a_fresh_process({"TRUSTED_PROXY_COUNT": "2"}, expression)
    assert json.loads(two.stdout.splitlines()[-1]) == [2, 2, "interviewloop.throttling.client_ip"]
    refused = settings_in_a_fresh_process({"TRUSTED_PROXY_COUNT": "-1"}, expression)
    assert refused.returncode != 0 and "TRUSTED_PROXY_COUNT must not be negative." in refused.stderr


# --- the sign-in form: a per-address rate limit as well as the per-account lockout -----------------------


@pytest.mark.django_db
def test_the_sign_in_form_is_rate_limited_per_address_whatever_the_username(interviewer):
    client = Client(REMOTE_ADDR="192.0.2.10")
    # given as many attempts as the rate allows, each on another account (so no lockout ever starts)
    for n in range(LOGIN_RATE):
        response = client.post("/accounts/login/", {"username": f"guess{n}", "password": "wrong"})
        assert response.status_code == 200, n  # the form again, with an error
    # when one more comes, even with the right password
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    # then it is refused with a page that says why and when to retry, and nobody is signed in
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    page = response.content.decode()
    assert "<h1>Too many sign-in attempts</h1>" in page
    assert "Too many sign-in attempts came from your network in a short time." in page
    assert f"Wait {response['Retry-After']} second" in page
    assert "_auth_user_id" not in client.session
    # Showing the form is not an attempt; another address still signs in.
    assert client.get("/accounts/login/").status_code == 200
    elsewhere = Client(REMOTE_ADDR="192.0.2.11")
    assert elsewhere.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_a_forged_x_forwarded_for_does_not_escape_the_sign_in_form_limit(interviewer):
    client = Client()
    statuses = [
        client.post(
            "/accounts/login/", {"username": f"guess{n}", "password": "wrong"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        ).status_code
        for n in range(LOGIN_RATE + 5)
    ]
    assert statuses == [200] * LOGIN_RATE + [429] * 5


# --- the cache (Redis) down: sign-in still works, the throttles are open, a warning is logged -------------


def redis_cache(port: int):
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/4",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
    )


def sign_in_both_ways(api) -> tuple[int, int, str]:
    """(token endpoint status, sign-in form status, where the form sent us)."""
    token = token_post(api)
    form = Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    return token.status_code, form.status_code, form.get("Location", "")


@pytest.mark.django_db
def test_sign_in_works_while_the_cache_refuses_connections(api, interviewer, caplog):
    with redis_cache(free_port()), caplog.at_level(logging.WARNING, logger="interviewloop.throttling"):
        assert sign_in_both_ways(api) == (200, 302, "/")
    warnings = [r.getMessage() for r in caplog.records if r.name == "interviewloop.throttling"]
    assert warnings == [
        "sign-in throttle 'token': the cache is unavailable, so the request is let through unthrottled",
        "sign-in throttle 'login': the cache is unavailable, so the request is let through unthrottled",
    ]


@pytest.mark.django_db
def test_sign_in_survives_a_real_redis_being_killed(api, interviewer, tmp_path, caplog):
    port = free_port()
    redis = start_redis(port, tmp_path)
    try:
        with redis_cache(port):
            # given a live Redis that throttles as usual
            assert sign_in_both_ways(api) == (200, 302, "/")
            keys = redis_client.Redis(host="127.0.0.1", port=port, db=4).keys("*")
            assert any(b"throttle_token_" in key for key in keys) and any(b"throttle_login_" in key for key in keys)
            # when it dies
            redis.kill()
            redis.popen.wait(timeout=10)
            with caplog.at_level(logging.WARNING, logger="interviewloop.throttling"):
                # then sign-in still works both ways
                assert sign_in_both_ways(api) == (200, 302, "/")
    finally:
        redis.kill()
    assert [r.levelname for r in caplog.records if r.name == "interviewloop.throttling"] == ["WARNING", "WARNING"]


# --- "is this HTTPS?" from a proxy's header only when configured -------------------------------------------


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_a_client_cannot_claim_https_with_x_forwarded_proto_by_default(client):
    assert settings.SECURE_PROXY_SSL_HEADER is None
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert (response.status_code, response["Location"]) == (301, "https://testserver/accounts/login/")
    # Behind a proxy that sets the header (SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO), it is believed.
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
        assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="http").status_code == 301


def test_secure_proxy_ssl_header_is_off_unless_set():
    expression = "s.SECURE_PROXY_SSL_HEADER"
    default = settings_in_a_fresh_process({}, expression)
    assert default.returncode == 0, default.stderr
    assert json.loads(default.stdout.splitlines()[-1]) is None
    behind = settings_in_a_fresh_process({"SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO"}, expression)
    assert json.loads(behind.stdout.splitlines()[-1]) == ["HTTP_X_FORWARDED_PROTO", "https"]
    refused = settings_in_a_fresh_process({"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}, expression)
    assert refused.returncode != 0 and "SECURE_PROXY_SSL_HEADER must name a request.META key" in refused.stderr


def test_the_compose_stack_trusts_one_proxy_and_its_https_header_and_passes_the_deploy_check():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web = compose["services"]["web"]
    env = web["environment"]
    assert env["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    assert env["SECURE_PROXY_SSL_HEADER"] == "${SECURE_PROXY_SSL_HEADER:-HTTP_X_FORWARDED_PROTO}"
    # Only the proxy in front may reach gunicorn, or a client could write those headers itself.
    assert web["ports"] == ["127.0.0.1:8000:8000"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DEBUG": "0",
            "SECRET_KEY": "k3y-" + "z9Q" * 20,
            "ALLOWED_HOSTS": "loops.example",
            "TRUSTED_PROXY_COUNT": "1",
            "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- the API docs page: served from here, no inline code -------------------------------------------------


@pytest.mark.django_db
def test_the_api_docs_page_loads_swagger_ui_from_this_server_with_no_inline_code(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<style" not in html and "cdn" not in html.lower()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts == [
        ' src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"',
        ' src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js"',
        ' src="/api/docs/?script="',
    ]
    assert '<link rel="stylesheet" href="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css">' in html
    assert '<link rel="stylesheet" href="/static/css/api_docs.css">' in html
    init = client.get("/api/docs/?script=")
    assert init["Content-Type"] == "application/javascript"
    assert 'url: "/api/schema/"' in init.content.decode() and '"validatorUrl": null' in init.content.decode()
    for asset in ("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", "/static/css/api_docs.css"):
        assert client.get(asset).status_code == 200, asset
