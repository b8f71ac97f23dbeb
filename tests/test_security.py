"""Sessions and login: CSRF on every form, production cookie/HSTS settings, login lockout, token throttling, CSP."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from tests.factories import InterviewFactory, LoopFactory, NoteFactory, make_scorecard

ROOT = Path(__file__).resolve().parents[1]
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PASSWORD = "pw-for-tests-only"


@pytest.fixture
def clean_cache():
    # Throttle counters live in the cache; keep this module's counts out of other tests and vice versa.
    cache.clear()
    yield
    cache.clear()


# --- a small crawler: every page a role can reach by following links -------------------------------


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.post_forms: list[dict] = []
        self.inline_scripts = 0
        self.style_attributes = 0
        self._form: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "style" in a:
            self.style_attributes += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        elif tag == "script" and not a.get("src") and a.get("type") != "application/json":
            self.inline_scripts += 1
        elif tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action"), "csrf": False}
            self.post_forms.append(self._form)
        elif tag == "input" and self._form is not None and a.get("name") == "csrfmiddlewaretoken" and a.get("value"):
            self._form["csrf"] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def crawl(client: Client, start: str, limit: int = 80) -> dict[str, tuple[int, PageParser, str]]:
    """GET every same-site page reachable from `start` (outside /admin/ and /api/), following redirects once."""
    seen: dict[str, tuple[int, PageParser, str]] = {}
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlparse(url).path
        if path in seen or path.startswith(("/admin/", "/api/", "/static/")) or "logout" in path:
            continue
        response = client.get(path, follow=True)
        parser = PageParser()
        final = response.redirect_chain[-1][0] if response.redirect_chain else path
        if "text/html" in response.get("Content-Type", ""):
            parser.feed(response.content.decode())
        seen[path] = (response.status_code, parser, final)
        for href in parser.links:
            target = urlparse(urljoin(final, href))
            if not target.netloc and target.path.startswith("/"):
                queue.append(target.path)
    return seen


@pytest.fixture
def busy_loop(rubric, interviewer, other_interviewer, recruiter):
    """A loop where alice has submitted and bob has an interview still to end: every page has something to show."""
    loop = LoopFactory(recruiter=recruiter)
    done = InterviewFactory(loop=loop, interviewer=interviewer, rubric=rubric, ended_at=timezone.now())
    NoteFactory(interview=done)
    make_scorecard(done, vote="yes")
    InterviewFactory(loop=loop, interviewer=other_interviewer, rubric=rubric)
    return loop


ROLES = ["interviewer", "other_interviewer", "recruiter", "admin", "outsider"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_serves_csrf_protected_forms_and_no_inline_code(client, busy_loop, role, request):
    client.force_login(request.getfixturevalue(role), backend=MODEL_BACKEND)
    pages = crawl(client, "/")
    pages.update(crawl(client, f"/loops/{busy_loop.pk}/"))
    assert pages, "the crawl found no page"
    for path, (status, parser, _) in pages.items():
        assert status < 500, f"{path} answered {status}"
        for form in parser.post_forms:
            assert form["csrf"], f"a POST form on {path} (action {form['action']!r}) has no CSRF token"
        # The CSP forbids inline code: it would be blocked in the browser, so it must not be there.
        assert parser.inline_scripts == 0, f"{path} has an inline <script>"
        assert parser.style_attributes == 0, f"{path} has a style attribute"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["interviewer", "recruiter"])
def test_every_post_form_refuses_a_submission_without_the_csrf_token(client, busy_loop, role, request):
    user = request.getfixturevalue(role)
    client.force_login(user, backend=MODEL_BACKEND)
    pages = crawl(client, "/")
    pages.update(crawl(client, f"/loops/{busy_loop.pk}/"))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user, backend=MODEL_BACKEND)
    actions = {
        urljoin(final, form["action"] or final) for _, parser, final in pages.values() for form in parser.post_forms
    }
    assert actions, "no form to try"
    for action in actions:
        response = strict.post(action, {"anything": "x"})
        assert response.status_code == 403, f"POST {action} without a CSRF token answered {response.status_code}"


@pytest.mark.django_db
def test_login_form_refuses_a_post_without_the_csrf_token(interviewer):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


@pytest.mark.django_db
def test_the_api_enforces_csrf_for_session_auth_but_not_for_tokens(recruiter, api_as):
    # A signed-in browser session cannot be ridden by another site's form...
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(recruiter, backend=MODEL_BACKEND)
    response = strict.post(
        "/api/candidates/", {"name": "Mallory", "email": "m@example.com"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "CSRF" in response.json()["detail"]
    # ...while a token (which a browser never sends on its own) needs no CSRF token.
    response = api_as(recruiter).post("/api/candidates/", {"name": "Grace", "email": "g@example.com"}, format="json")
    assert response.status_code == 201


# --- login throttling (django-axes) -------------------------------------------------------------------


@pytest.mark.django_db
def test_repeated_bad_logins_lock_the_account_out(client, interviewer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    # Locked: even the right password is refused now.
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_lockout_is_per_account_and_address_so_others_still_sign_in(client, interviewer, other_interviewer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other_interviewer.pk)


@pytest.mark.django_db
def test_bad_token_requests_count_toward_the_same_lockout(api, interviewer, clean_cache):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/auth/token/", {"username": "alice", "password": "wrong"}, format="json")
    response = api.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    # The right password no longer yields a token (it did before the failures: see the foundation tests).
    assert response.status_code == 429
    assert response.json() == {
        "code": "throttled",
        "detail": "Too many failed sign-in attempts: this account is locked for a while. Try again later.",
    }


# --- API throttling for token auth -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_token_endpoint_is_throttled(api, interviewer, clean_cache):
    rate, _, _period = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"].partition("/")
    allowed = int(rate)
    for _ in range(allowed):
        assert (
            api.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json").status_code == 200
        )
    response = api.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


# --- content security policy and headers -------------------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    directives = [part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()]
    policy = {name: value for name, value in directives}
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_pages_forbid_framing_and_sniffing(client):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31536000, SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_over_https_hsts_is_sent_and_cookies_are_secure_and_http_only(interviewer):
    client = Client()
    page = client.get("/accounts/login/", secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert page.cookies["csrftoken"]["secure"] is True
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": page.cookies["csrftoken"].value},
        secure=True,
    )
    assert response.status_code == 302
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] is True
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"


def test_production_settings_default_to_secure_cookies_hsts_and_https():
    code = (
        "import json, interviewloop.settings as s; print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
        "s.X_FRAME_OPTIONS, s.AXES_ENABLED, s.DEBUG]))"
    )
    env = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "k3y-" + "z9Q" * 20, "DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        True,
        True,
        True,
        31536000,
        True,
        True,
        "DENY",
        True,
        False,
    ]


# --- no secrets in the repository ---------------------------------------------------------------------

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"AKIA[0-9A-Z]{16}"),
    "GitHub token": re.compile(r"gh[pousr]_[A-Za-z0-9]{36}"),
    "Slack token": re.compile(r"xox[baprs]-[A-Za-z0-9-]{10,}"),
    "hard-coded SECRET_KEY": re.compile(r"""SECRET_KEY\s*=\s*['"](?!insecure-dev-key|test-secret-key)[^'"]{20,}['"]"""),
    "password in a URL": re.compile(r"(postgres|redis|smtp|amqp)(\+\w+)?://[^:/\s]+:(?!\$\{)[^@\s/]{6,}@"),
}


def tracked_files() -> list[Path]:
    result = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip("not a git checkout")
    return [ROOT / line for line in result.stdout.splitlines() if line]


def test_no_secrets_are_committed():
    files = tracked_files()
    names = {p.relative_to(ROOT).as_posix() for p in files}
    assert ".env" not in names and not any(n.endswith((".pem", ".key", ".p12")) for n in names)
    found = []
    for path in files:
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        found += [
            f"{path.relative_to(ROOT)}: {what}" for what, pattern in SECRET_PATTERNS.items() if pattern.search(text)
        ]
    assert found == []


def test_the_secret_patterns_do_catch_secrets():
    # The scan above must be able to fail.
    # (Assembled at run time so that this file itself does not trip the scan.)
    samples = {
        "private key": "-----BEGIN RSA " + "PRIVATE KEY-----",
        "AWS access key": "AKIA" + "IOSFODNN7EXAMPLE",
        "hard-coded SECRET_KEY": "SECRET_KEY" + " = 'django-insecure-abcdefghijklmnopqrstuvwxyz'",
        "password in a URL": "postgres://" + "app:s3cr3t-pw@db:5432/app",
    }
    for what, sample in samples.items():
        assert SECRET_PATTERNS[what].search(sample), what
    assert ".env" in (ROOT / ".gitignore").read_text().split()
