"""Single sign-on's rules (pure, on claim values) and the password switch. The browser runs the whole flow against a
real provider in tests/browser/test_sso.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from interviewloop.sso import OIDCBackend
from interviewloop.sso_rules import (
    RoleMapping,
    claimed_email,
    claimed_groups,
    email_is_verified,
    roles_from_groups,
    username_candidates,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("claim", "verified"),
    [(True, True), ("true", True), (" TRUE ", True), (False, False), ("false", False), (None, False), (1, False),
     ("yes", False), ([True], False)],
)  # fmt: skip
def test_only_a_true_email_verified_claim_verifies(claim, verified):
    assert email_is_verified({"email": "a@example.com", "email_verified": claim}) is verified


def test_a_missing_email_verified_claim_does_not_verify():
    assert email_is_verified({"email": "a@example.com"}) is False


@given(
    st.none()
    | st.just(False)
    | st.integers()
    | st.floats()
    | st.lists(st.booleans(), min_size=1)
    | st.text(max_size=10).filter(lambda text: text.strip().lower() != "true")
)
def test_nothing_but_true_verifies_an_email(claim):
    assert email_is_verified({"email": "a@example.com", "email_verified": claim}) is False


def test_the_claimed_email_is_an_address_or_none():
    assert claimed_email({"email": " Vera@Example.com "}) == "Vera@Example.com"
    assert claimed_email({"email": "no-at-sign"}) is None
    assert claimed_email({"email": "@example.com"}) is None
    assert claimed_email({"email": 42}) is None
    assert claimed_email({}) is None


def test_groups_are_read_from_a_list_or_a_string_and_missing_means_none():
    assert claimed_groups({"groups": ["talent", " eng ", "", 7]}, "groups") == {"talent", "eng"}
    assert claimed_groups({"roles": "talent eng,ops"}, "roles") == {"talent", "eng", "ops"}
    assert claimed_groups({"groups": {"talent": True}}, "groups") == frozenset()
    assert claimed_groups({}, "groups") == frozenset()


def test_roles_come_from_the_mapped_groups_and_unmapped_roles_are_left_alone():
    mapping = RoleMapping(interviewer=frozenset({"eng"}), recruiter=frozenset({"talent", "hr"}))
    assert roles_from_groups({"eng", "all"}, mapping) == {"interviewer": True, "recruiter": False}
    assert roles_from_groups({"hr"}, mapping) == {"interviewer": False, "recruiter": True}
    assert roles_from_groups(set(), RoleMapping()) == {}


@given(
    groups=st.frozensets(st.sampled_from(["a", "b", "c", "d"])),
    interviewer=st.frozensets(st.sampled_from(["a", "b", "c", "d"])),
    recruiter=st.frozensets(st.sampled_from(["a", "b", "c", "d"])),
    staff=st.frozensets(st.sampled_from(["a", "b", "c", "d"])),
)
def test_a_managed_role_is_held_exactly_when_a_group_of_it_is_claimed(groups, interviewer, recruiter, staff):
    mapping = RoleMapping(interviewer=interviewer, recruiter=recruiter, staff=staff)
    held = roles_from_groups(groups, mapping)
    for role, mapped in (("interviewer", interviewer), ("recruiter", recruiter), ("staff", staff)):
        if mapped:
            assert held[role] == bool(groups & mapped)
        else:
            assert role not in held


def test_a_new_users_name_is_the_preferred_username_when_django_accepts_it_else_the_email():
    assert username_candidates({"preferred_username": "nina"}, "nina@example.com") == ["nina", "nina@example.com"]
    assert username_candidates({"preferred_username": "Nina Okafor"}, "nina@example.com") == ["nina@example.com"]
    assert username_candidates({}, "nina@example.com") == ["nina@example.com"]
    assert username_candidates({}, "x" * 150 + "@example.com") == []


def test_with_password_login_off_the_token_endpoint_refuses_a_password(api, interviewer, settings):
    settings.PASSWORD_LOGIN_ENABLED = False

    answer = api.post("/api/auth/token/", {"username": "alice", "password": "pw-for-tests-only"}, format="json")

    assert answer.status_code == 403
    assert answer.json() == {
        "code": "password_login_disabled",
        "detail": "Password sign-in is turned off (PASSWORD_LOGIN_ENABLED=0): sign in with single sign-on in the browser.",
    }


def test_with_password_login_off_the_form_and_the_admin_refuse_a_password(admin, settings):
    settings.PASSWORD_LOGIN_ENABLED = False
    client = Client()

    form = client.post("/accounts/login/", {"username": "ada", "password": "pw-for-tests-only"})
    admin_form = client.post("/admin/login/", {"username": "ada", "password": "pw-for-tests-only"})

    assert form.status_code == 403
    assert b"Password sign-in is turned off" in form.content
    assert b'name="password"' not in form.content
    assert admin_form.status_code == 200  # the admin's form again, with its error: nobody signed in
    assert "_auth_user_id" not in client.session


def test_password_login_is_on_by_default_and_the_sso_routes_are_404_while_sso_is_off(interviewer):
    client = Client()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
    answer = client.post("/accounts/login/", {"username": "alice", "password": "pw-for-tests-only"})
    assert answer.status_code == 302
    assert b"Sign in with" not in client.get("/accounts/login/").content


def test_the_sso_backend_ignores_a_password_sign_in_even_with_a_code_in_the_url(rf, settings, interviewer):
    settings.OIDC_RP_CLIENT_ID = "client"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # never asked: nothing listens there
    settings.OIDC_OP_USER_ENDPOINT = "http://127.0.0.1:9/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "http://127.0.0.1:9/jwks"
    request = rf.post("/accounts/login/?code=stolen&state=x")

    assert OIDCBackend().authenticate(request, username="alice", password="pw-for-tests-only") is None


@pytest.mark.parametrize(
    ("environment", "refusal"),
    [
        ({"PASSWORD_LOGIN_ENABLED": "0"}, "PASSWORD_LOGIN_ENABLED=0 needs single sign-on"),
        ({"OIDC_RP_CLIENT_ID": "client"}, "OIDC_RP_CLIENT_ID is set, so OIDC_RP_CLIENT_SECRET"),
    ],
)
def test_settings_that_would_lock_everyone_out_or_half_configure_sso_stop_the_start(environment, refusal):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "interviewloop.settings", **environment}
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert started.returncode != 0
    assert refusal in started.stderr


@pytest.fixture
def sso_settings(settings):
    settings.OIDC_RP_CLIENT_ID = "client"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "http://127.0.0.1:9/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"
    settings.OIDC_OP_USER_ENDPOINT = "http://127.0.0.1:9/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "http://127.0.0.1:9/jwks"
    settings.OIDC_GROUPS_CLAIM = "roles"
    settings.OIDC_INTERVIEWER_GROUPS = ["panel"]
    settings.OIDC_RECRUITER_GROUPS = ["talent"]
    return settings


class ClaimsBackend(OIDCBackend):
    """The backend past the token exchange (which tests/browser/test_sso.py runs against a real provider): these
    tests hand it the userinfo claims directly to reach the refusals the browser tests do not."""

    def __init__(self, claims, request):
        super().__init__()
        self.claims = claims
        self.request = request

    def get_userinfo(self, access_token, id_token, payload):
        return self.claims


def signing_in(rf, claims, sub="subject-1"):
    request = rf.get("/oidc/callback/")
    backend = ClaimsBackend({"sub": sub, **claims}, request)
    return backend.get_or_create_user("access", "id", {"sub": "subject-1"}), getattr(request, "sso_refusal", None)


def test_an_email_two_accounts_share_signs_nobody_in(rf, sso_settings, db):
    from tests.factories import UserFactory

    UserFactory(username="one", email="same@example.com")
    UserFactory(username="two", email="SAME@example.com")

    user, refusal = signing_in(rf, {"email": "same@example.com", "email_verified": True})

    assert (user, refusal) == (None, ("ambiguous_email", "same@example.com"))


def test_a_deactivated_account_is_not_signed_in(rf, sso_settings, db):
    from tests.factories import UserFactory

    UserFactory(username="gone", email="gone@example.com", is_active=False)

    user, refusal = signing_in(rf, {"email": "gone@example.com", "email_verified": True})

    assert (user, refusal) == (None, ("inactive", "gone@example.com"))


def test_roles_follow_the_configured_claim_both_ways(rf, sso_settings, db):
    from interviewloop.roles import role_names
    from tests.factories import UserFactory

    UserFactory(username="ren", email="ren@example.com", role="recruiter")

    user, _ = signing_in(rf, {"email": "ren@example.com", "email_verified": "true", "roles": "panel other"})

    assert role_names(type(user).objects.get(pk=user.pk)) == {"interviewers"}  # recruiter taken away, panel given


def test_userinfo_about_another_subject_is_not_used(rf, sso_settings, db):
    from django.core.exceptions import SuspiciousOperation

    with pytest.raises(SuspiciousOperation):
        signing_in(rf, {"email": "x@example.com", "email_verified": True}, sub="someone-else")


def test_an_id_token_issued_to_another_client_is_refused(sso_settings):
    import jwt
    from django.core.exceptions import SuspiciousOperation

    sso_settings.OIDC_RP_SIGN_ALGO = "HS256"  # signed with the client secret: no key server needed here
    secret = sso_settings.OIDC_RP_CLIENT_SECRET = "a-client-secret-of-at-least-32-bytes!"
    backend = OIDCBackend()
    ours = jwt.encode({"sub": "1", "aud": ["client", "other"], "nonce": "n"}, secret, algorithm="HS256")
    theirs = jwt.encode({"sub": "1", "aud": "another-client", "nonce": "n"}, secret, algorithm="HS256")

    assert backend.verify_token(ours, nonce="n")["sub"] == "1"
    with pytest.raises(SuspiciousOperation, match="another client"):
        backend.verify_token(theirs, nonce="n")
