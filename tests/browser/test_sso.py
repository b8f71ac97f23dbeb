"""Single sign-on end to end: Chromium signs in through a real OpenID Connect provider (django-oauth-toolkit, in a
second process on loopback, tests/oidc_provider/) and comes back signed in, or refused with a reason.

Nothing is mocked: the provider signs RS256 ID tokens with a key made at its start, the app fetches its JWKS, swaps
the code (with PKCE) at its token endpoint and reads its userinfo endpoint over HTTP.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "interviewloop-tests"
CLIENT_SECRET = "client-secret-for-tests-only"
PROVIDER_USERS = {
    # in the provider's interviewers and talent groups: an interviewer and a recruiter here
    "vera": {
        "password": "vera-at-the-provider",
        "claims": {
            "email": "Vera.Voss@example.com",
            "email_verified": True,
            "groups": ["eng-interviewers", "talent", "all-staff"],
            "given_name": "Vera",
        },
    },
    # the provider has never checked this address
    "umar": {
        "password": "umar-at-the-provider",
        "claims": {"email": "umar@example.com", "email_verified": False, "groups": ["eng-interviewers"]},
    },
    # verified, but nobody here has the address
    "nina": {
        "password": "nina-at-the-provider",
        "claims": {
            "email": "nina@example.com",
            "email_verified": True,
            "groups": ["eng-interviewers"],
            "preferred_username": "nina",
            "given_name": "Nina",
            "family_name": "Okafor",
        },
    },
}


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """The provider's base URL, with a client whose redirect URI is the live server's callback."""
    folder = tmp_path_factory.mktemp("oidc-provider")
    spec = folder / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "users": PROVIDER_USERS,
                "clients": [
                    {
                        "client_id": CLIENT_ID,
                        "client_secret": CLIENT_SECRET,
                        "redirect_uris": f"{live_server.url}/oidc/callback/",
                    }
                ],
            }
        )
    )
    log = (folder / "provider.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(spec)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    line = process.stdout.readline()  # one line once it answers; "" if it died (pytest-timeout bounds a hang)
    if not line.startswith("listening "):
        process.kill()
        raise RuntimeError(f"the test OIDC provider did not start: {(folder / 'provider.log').read_text()[-2000:]}")
    base = line.split()[1]
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture
def sso(settings, oidc_provider):
    """The app pointed at the provider, as the OIDC_* environment variables would set it."""
    from django.contrib.auth.models import Group

    from interviewloop.roles import ROLE_GROUPS

    for name in ROLE_GROUPS:  # a transactional test starts with the migration's rows flushed
        Group.objects.get_or_create(name=name)
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{oidc_provider}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{oidc_provider}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{oidc_provider}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{oidc_provider}/o/.well-known/jwks.json"
    settings.OIDC_PROVIDER_NAME = "Example SSO"
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_INTERVIEWER_GROUPS = ["eng-interviewers"]
    settings.OIDC_RECRUITER_GROUPS = ["talent"]
    settings.OIDC_STAFF_GROUPS = ["it-admins"]
    settings.OIDC_CREATE_USER = False
    return settings


def sign_in_at_provider(page, username: str) -> None:
    """From our login page: the SSO button, then the provider's own form (skipped when its session lives on)."""
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with Example SSO").click()
    if page.locator("#provider-username").count():
        page.fill("#provider-username", username)
        page.fill("#provider-password", PROVIDER_USERS[username]["password"])
        page.click("#provider-submit")
    page.wait_for_load_state("networkidle")


def signed_in(page) -> bool:
    """Whether the browser's session here is signed in: the profile page answers, rather than sending it to sign in."""
    return page.request.get("/profile/", max_redirects=0).status == 200


def test_a_verified_email_signs_in_with_the_roles_its_groups_give_and_signs_out(page, sso, live_server, screenshot):
    from django.contrib.auth.models import User

    from interviewloop.roles import role_names
    from tests.factories import UserFactory

    # given Vera, known here by her email, an admin until now but in no group the provider maps to staff
    vera = UserFactory(username="vvoss", email="vera.voss@example.com", first_name="Vera", is_staff=True)
    page.goto("/accounts/login/")
    screenshot("sso-login")
    assert page.locator("#id_password").count() == 1  # passwords still work beside SSO by default
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    # when she signs in with the provider
    sign_in_at_provider(page, "vera")

    # then she is home (a recruiter's is the loops list), signed in, with the provider's groups as her roles
    assert page.url == f"{live_server.url}/loops/"
    assert page.locator(".who").inner_text() == "Vera"
    vera = User.objects.get(pk=vera.pk)
    assert role_names(vera) == {"interviewers", "recruiters"}
    assert vera.is_staff is False
    assert page.get_by_role("link", name="Loops").count() == 1
    assert page.get_by_role("link", name="Admin").count() == 0
    assert signed_in(page)

    # and signing out ends the session here
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    page.goto("/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert not signed_in(page)


def test_an_unverified_email_signs_nobody_in(page, sso, live_server):
    from tests.factories import UserFactory

    UserFactory(username="umar", email="umar@example.com", role="interviewer")

    sign_in_at_provider(page, "umar")

    assert page.url == f"{live_server.url}/accounts/login/"
    assert page.get_by_role("listitem").filter(has_text="has not verified the email address umar@example.com").count()
    assert not signed_in(page)
    page.goto("/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")


def test_an_unknown_email_is_refused_and_gets_an_account_when_the_setting_allows(page, sso, live_server):
    from django.contrib.auth.models import User

    from interviewloop.roles import role_names

    # refused while OIDC_CREATE_USER is off (the default), saying what to do
    sign_in_at_provider(page, "nina")
    assert page.url == f"{live_server.url}/accounts/login/"
    message = page.locator(".message.error")
    assert message.inner_text() == (
        "No interviewloop account has the email address nina@example.com. Ask an admin to add you, then try again."
    )
    assert not signed_in(page)
    assert not User.objects.filter(email="nina@example.com").exists()

    # with OIDC_CREATE_USER on, the same person gets an account with her groups' roles and no password
    sso.OIDC_CREATE_USER = True
    sign_in_at_provider(page, "nina")
    assert "/accounts/login/" not in page.url
    nina = User.objects.get(email="nina@example.com")
    assert (nina.username, nina.first_name, nina.last_name) == ("nina", "Nina", "Okafor")
    assert role_names(nina) == {"interviewers"}
    assert not nina.has_usable_password()
    assert signed_in(page)


def test_with_password_login_off_the_login_page_offers_only_sso_and_passwords_are_refused(page, sso, live_server):
    from tests.factories import UserFactory

    sso.PASSWORD_LOGIN_ENABLED = False
    UserFactory(username="vvoss", email="vera.voss@example.com")

    page.goto("/accounts/login/")
    assert page.locator("#id_password").count() == 0
    assert page.get_by_role("link", name="Sign in with Example SSO").count() == 1
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    # a password, on the API or posted to the form, gets a clear refusal
    answer = requests.post(
        f"{live_server.url}/api/auth/token/", json={"username": "vvoss", "password": "pw-for-tests-only"}, timeout=10
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "password_login_disabled"
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    posted = page.request.post(
        "/accounts/login/",
        form={"username": "vvoss", "password": "pw-for-tests-only", "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{live_server.url}/accounts/login/"},
    )
    assert posted.status == 403
    assert "Password sign-in is turned off" in posted.text()
    assert not signed_in(page)

    # and single sign-on still lets her in
    sign_in_at_provider(page, "vera")
    assert page.url == f"{live_server.url}/loops/"
    assert signed_in(page)
