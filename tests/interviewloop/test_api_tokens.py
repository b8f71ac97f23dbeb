"""API tokens (django-rest-knox): stored hashed, expiring, revocable by their owner, one query per call."""

from __future__ import annotations

import hashlib
import importlib
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient, APIRequestFactory

from interviewloop import roles
from interviewloop.api.authentication import TokenAuthentication
from interviewloop.tokens import ApiToken, api_tokens_issue
from tests.factories import CandidateFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-for-tests-only"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def sign_in(api: APIClient, username: str = "alice", **headers) -> dict:
    response = api.post("/api/auth/token/", {"username": username, "password": PASSWORD}, format="json", **headers)
    assert response.status_code == 200, response.content
    return response.json()


def holding(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def every_stored_text() -> str:
    """Every row of every table, as text: what a database dump would show."""
    dump = []
    for model in apps.get_models():
        dump += [json.dumps(row, default=str) for row in model._default_manager.values()]
    return "\n".join(dump)


@pytest.mark.django_db
def test_a_token_is_issued_with_its_expiry_and_only_its_digest_is_stored(api, interviewer):
    # when
    before = timezone.now()
    body = sign_in(api)
    # then the answer is the contract's {token} plus when it expires (API_TOKEN_TTL_HOURS from now)
    assert set(body) == {"token", "expiry"}
    expiry = parse_datetime(body["expiry"])
    assert (
        before + timedelta(hours=settings.API_TOKEN_TTL_HOURS)
        <= expiry
        <= timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    )
    # the database holds a digest, never the token
    token = body["token"]
    stored = ApiToken.objects.get()
    assert stored.digest == hashlib.sha512(token.encode()).hexdigest()
    assert token not in every_stored_text()
    # and the token works
    assert holding(token).get("/api/rubrics/").status_code == 200


@pytest.mark.django_db
def test_the_default_lifetime_is_ten_days_and_must_be_positive():
    code = "import json, interviewloop.settings as s; print(json.dumps([s.API_TOKEN_TTL_HOURS, str(s.REST_KNOX['TOKEN_TTL'])]))"
    base = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "k3y-" + "z9Q" * 20, "DEBUG": "0"}
    run = lambda env: subprocess.run(  # noqa: E731
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, check=False
    )
    default = run({})
    assert json.loads(default.stdout.splitlines()[-1]) == [240.0, "10 days, 0:00:00"]
    assert json.loads(run({"API_TOKEN_TTL_HOURS": "1.5"}).stdout.splitlines()[-1]) == [1.5, "1:30:00"]
    refused = run({"API_TOKEN_TTL_HOURS": "0"})
    assert refused.returncode != 0 and "API_TOKEN_TTL_HOURS must be positive" in refused.stderr


@pytest.mark.django_db
def test_a_token_stops_working_when_it_expires(api, interviewer):
    token = sign_in(api)["token"]
    lifetime = timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    with time_machine.travel(timezone.now() + lifetime - timedelta(minutes=1)):
        assert holding(token).get("/api/rubrics/").status_code == 200
    with time_machine.travel(timezone.now() + lifetime + timedelta(minutes=1)):
        refused = holding(token).get("/api/rubrics/")
        assert (refused.status_code, refused.json()) == (
            401,
            {"code": "authentication_failed", "detail": "Invalid token."},
        )
    assert not ApiToken.objects.exists()  # an expired token is deleted when it is next presented


@pytest.mark.django_db
def test_token_authentication_answers_as_drfs(api, interviewer):
    token = sign_in(api)["token"]
    interviewer.is_active = False
    interviewer.save(update_fields=["is_active"])
    refused = holding(token).get("/api/interviews/")
    assert (refused.status_code, refused.json()) == (
        401,
        {"code": "authentication_failed", "detail": "User inactive or deleted."},
    )
    refused = holding("not-a-token").get("/api/interviews/")
    assert (refused.status_code, refused.json()) == (401, {"code": "authentication_failed", "detail": "Invalid token."})
    assert refused["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_delete_revokes_the_token_presented_and_no_other(api, interviewer):
    laptop, phone = sign_in(api)["token"], sign_in(api)["token"]
    response = holding(laptop).delete("/api/auth/token/")
    assert response.status_code == 204 and response.content == b""
    refused = holding(laptop).get("/api/rubrics/")
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")
    assert holding(phone).get("/api/rubrics/").status_code == 200


@pytest.mark.django_db
def test_delete_all_revokes_every_token_of_the_caller_and_only_theirs(api, interviewer, other_interviewer):
    mine = [sign_in(api)["token"] for _ in range(3)]
    theirs = sign_in(api, "bob")["token"]
    assert holding(mine[0]).delete("/api/auth/tokens/").status_code == 204
    assert [holding(token).get("/api/rubrics/").status_code for token in mine] == [401, 401, 401]
    assert holding(theirs).get("/api/rubrics/").status_code == 200


@pytest.mark.django_db
def test_a_signed_in_browser_revokes_all_its_users_tokens_with_a_csrf_token(api, interviewer):
    token = sign_in(api)["token"]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(interviewer, backend=MODEL_BACKEND)
    assert browser.delete("/api/auth/tokens/").status_code == 403  # no CSRF token: another site cannot do it
    assert holding(token).get("/api/rubrics/").status_code == 200
    browser.get("/accounts/logout/")  # any page, for the CSRF cookie
    browser.force_login(interviewer, backend=MODEL_BACKEND)
    csrf = browser.get("/loops/").cookies.get("csrftoken") or browser.get("/interviews/").cookies["csrftoken"]
    assert browser.delete("/api/auth/tokens/", HTTP_X_CSRFTOKEN=csrf.value).status_code == 204
    assert holding(token).get("/api/rubrics/").status_code == 401


@pytest.mark.django_db
def test_revoking_the_presented_token_needs_a_token(api, interviewer):
    refused = api.delete("/api/auth/token/")
    assert (refused.status_code, refused.json()) == (
        401,
        {"code": "not_authenticated", "detail": "Authentication credentials were not provided."},
    )
    browser = Client()
    browser.force_login(interviewer, backend=MODEL_BACKEND)
    assert browser.delete("/api/auth/token/").status_code == 401  # a session presents no token to revoke


@pytest.mark.django_db
def test_a_stale_token_sent_along_does_not_stop_a_sign_in(api, interviewer):
    body = sign_in(api, HTTP_AUTHORIZATION="Token expired-or-revoked")
    assert holding(body["token"]).get("/api/rubrics/").status_code == 200


@pytest.mark.django_db
def test_signing_in_sweeps_the_users_expired_tokens(api, interviewer, other_interviewer):
    with time_machine.travel(timezone.now() - timedelta(hours=settings.API_TOKEN_TTL_HOURS + 1)):
        api_tokens_issue(users=[interviewer, interviewer, other_interviewer])
    sign_in(api)
    assert sorted(ApiToken.objects.values_list("user__username", flat=True)) == ["alice", "bob"]


@pytest.mark.django_db
def test_authenticating_a_call_is_one_query_for_the_token_and_its_user_then_one_for_the_roles(db):
    # given a user in both roles, with other tokens (one expired: knox would read them all on every call)
    user = UserFactory(username="riley", role="recruiter")
    user.groups.add(Group.objects.get(name=roles.INTERVIEWERS))
    user.groups.add(Group.objects.create(name="book-club"))  # not a role
    with time_machine.travel(timezone.now() - timedelta(hours=settings.API_TOKEN_TTL_HOURS + 1)):
        api_tokens_issue(users=[user])
    token = api_tokens_issue(users=[user, user])[user.pk]
    request = APIRequestFactory().get("/api/loops/", HTTP_AUTHORIZATION=f"Token {token}")
    # when
    with CaptureQueriesContext(connection) as authenticating:
        authenticated, presented = TokenAuthentication().authenticate(request)
    # then the token and its user are one query; the roles one more, when first asked, and never again
    assert len(authenticating) == 1, [q["sql"] for q in authenticating]
    with CaptureQueriesContext(connection) as asking:
        assert roles.role_names(authenticated) == {roles.INTERVIEWERS, roles.RECRUITERS}
        assert roles.is_recruiter(authenticated) and roles.is_interviewer(authenticated)
    assert len(asking) == 1, [q["sql"] for q in asking]
    assert (authenticated.pk, presented.user) == (user.pk, authenticated)
    staff = UserFactory(username="ada", role="admin")
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {api_tokens_issue(users=[staff])[staff.pk]}")
    assert roles.role_names(TokenAuthentication().authenticate(request)[0]) == frozenset()


@pytest.mark.django_db
def test_an_authenticated_get_costs_the_token_query_and_the_views_own(recruiter, api_as, django_assert_num_queries):
    CandidateFactory()
    client = api_as(recruiter)
    client.get("/api/candidates/")
    # 1 the token with its user, 2 the caller's roles, 3 the page count, 4 the page
    with django_assert_num_queries(4):
        assert client.get("/api/candidates/").status_code == 200


@pytest.mark.django_db
def test_admin_lists_tokens_without_their_secret(client, admin, interviewer, api):
    token = sign_in(api)["token"]
    client.force_login(admin, backend=MODEL_BACKEND)
    page = client.get("/admin/interviewloop/apitoken/")
    assert page.status_code == 200
    html = page.content.decode()
    stored = ApiToken.objects.get()
    assert "alice" in html
    # Neither the token nor its lookup key (its first characters) is shown; the row is named by its digest.
    assert token not in html and token[:8] not in html and stored.token_key not in html
    assert client.get("/admin/interviewloop/apitoken/add/").status_code == 403  # issued by signing in only
    # Deleting it in admin revokes it.
    change = client.get(f"/admin/interviewloop/apitoken/{stored.pk}/delete/")
    assert change.status_code == 200 and token not in change.content.decode()
    client.post(f"/admin/interviewloop/apitoken/{stored.pk}/delete/", {"post": "yes"})
    assert holding(token).get("/api/rubrics/").status_code == 401


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor needs to be outside a transaction
def test_drf_tokens_issued_before_are_carried_over_hashed_and_their_table_dropped(interviewer):
    # given DRF's plain-text token table, as a database migrated before knox has it
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, user_id integer)")
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [key, timezone.now(), interviewer.pk],
        )
    migration = importlib.import_module("interviewloop.migrations.0004_api_tokens")
    # when
    with connection.schema_editor() as editor:
        migration.carry_over_drf_tokens(apps, editor)
    # then the old key still works, until the new lifetime ends; only its digest is kept
    assert "authtoken_token" not in connection.introspection.table_names()
    carried = ApiToken.objects.get()
    assert carried.digest == hashlib.sha512(key.encode()).hexdigest() and carried.expiry is not None
    assert holding(key).get("/api/rubrics/").status_code == 200
