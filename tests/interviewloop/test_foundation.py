"""The foundation: settings switch, health, token auth, roles and the production stack's files."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, ManagementUtility, call_command
from django.test import override_settings

from interviewloop import health

ROOT = Path(__file__).resolve().parents[2]


def _settings_in_subprocess(env: dict[str, str], expression: str) -> object:
    """Import the settings module fresh under `env` and return `expression` evaluated on it."""
    code = f"import json, interviewloop.settings as s; print(json.dumps({expression}))"
    base = {"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_settings_default_to_the_embedded_stack():
    engine, broker, email = _settings_in_subprocess(
        {}, "[s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EMAIL_BACKEND]"
    )
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert email == "django.core.mail.backends.console.EmailBackend"


def test_settings_switch_to_postgres_redis_and_smtp_from_the_environment():
    engine, name, broker, email, host = _settings_in_subprocess(
        {
            "DATABASE_URL": "postgres://u:p@db.example:5432/loops",
            "CELERY_BROKER_URL": "redis://redis.example:6379/0",
            "EMAIL_URL": "smtp+tls://u:p@mail.example:587",
        },
        "[s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_BROKER_URL, "
        "s.EMAIL_BACKEND, s.EMAIL_HOST]",
    )
    assert engine == "django.db.backends.postgresql"
    assert name == "loops"
    assert broker == "redis://redis.example:6379/0"
    assert email == "django.core.mail.backends.smtp.EmailBackend"
    assert host == "mail.example"


def test_settings_refuse_to_start_without_a_secret_in_production():
    result = subprocess.run(
        [sys.executable, "-c", "import interviewloop.settings"],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin", "DEBUG": "0"}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_settings_fail_loudly_on_a_malformed_clock():
    result = subprocess.run(
        [sys.executable, "-c", "import interviewloop.settings"],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 50, "NOTE_WINDOW_MINUTES": "five"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "could not convert string to float" in result.stderr


def test_settings_accept_fractions_of_a_minute():
    assert _settings_in_subprocess({"NOTE_WINDOW_MINUTES": "0.2"}, "s.NOTE_WINDOW_MINUTES") == 0.2


def test_deploy_check_is_clean_with_production_settings():
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "0", "SECRET_KEY": "k3y-" + "z9Q" * 20, "ALLOWED_HOSTS": "loops.example"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.fixture
def fresh_broker_cache():
    health.reset_broker_cache()
    yield
    health.reset_broker_cache()


@pytest.mark.django_db
def test_health_reports_database_and_broker_up(api, fresh_broker_cache):
    response = api.get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": {"ok": True}, "broker": {"ok": True, "cached": False}}


@pytest.mark.django_db
def test_health_reports_a_dead_broker_quickly_without_failing(api, fresh_broker_cache):
    # given a broker on a port where nothing listens
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        # when
        started = time.monotonic()
        response = api.get("/api/health/")
        elapsed = time.monotonic() - started
    # then the database still answers, so the service is up but degraded
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == {"ok": True}
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"]
    assert elapsed < 1.5


@pytest.mark.django_db
def test_health_caches_the_broker_probe_so_polling_costs_one_select(api, fresh_broker_cache, django_assert_num_queries):
    api.get("/api/health/")
    with django_assert_num_queries(1):  # SELECT 1
        response = api.get("/api/health/")
    assert response.json()["broker"]["cached"] is True


@pytest.mark.django_db
def test_token_auth_gives_a_token_that_authenticates(api, interviewer):
    response = api.post("/api/auth/token/", {"username": "alice", "password": "pw-for-tests-only"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/rubrics/").status_code == 200


@pytest.mark.django_db
def test_token_auth_refuses_a_wrong_password_with_a_code(api, interviewer):
    response = api.post("/api/auth/token/", {"username": "alice", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "Unable to log in" in response.json()["detail"]


@pytest.mark.django_db
def test_unauthenticated_api_calls_are_401(api):
    response = api.get("/api/rubrics/")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "detail": "Authentication credentials were not provided."}


@pytest.mark.django_db
def test_migration_creates_the_role_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {"interviewers", "recruiters"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "groups", "staff"),
    [("interviewer", ["interviewers"], False), ("recruiter", ["recruiters"], False), ("admin", [], True)],
)
def test_adduser_creates_a_user_with_a_role(role, groups, staff):
    call_command("adduser", "newbie", role=role, email="n@example.com", password="s3cret-pass")
    user = get_user_model().objects.get(username="newbie")
    assert list(user.groups.values_list("name", flat=True)) == groups
    assert user.is_staff is staff
    assert user.check_password("s3cret-pass")
    assert user.email == "n@example.com"


def test_compose_file_defines_the_production_stack():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "interviewloop", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "interviewloop", "beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    for name in ("db", "redis", "web"):
        assert "healthcheck" in services[name], name
    assert "pgdata" in compose["volumes"]
    env = services["web"]["environment"]
    for variable in ("DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL", "SECRET_KEY", "ALLOWED_HOSTS"):
        assert variable in env
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["CELERY_BROKER_URL"].startswith("redis://")
    assert (ROOT / "Dockerfile").exists()


def test_env_example_lists_every_variable_the_settings_read():
    source = (ROOT / "interviewloop" / "settings.py").read_text()
    import re

    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))
    listed = {line.split("=")[0] for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line}
    assert read - listed == set()


@pytest.mark.django_db
def test_adduser_refuses_a_weak_password_with_the_validators_reasons(capsys):
    # given nothing: a too-short, common password
    with pytest.raises(CommandError) as refused:
        call_command("adduser", "newbie", role="interviewer", email="n@example.com", password="a")
    assert str(refused.value) == (
        "The password was refused: This password is too short. It must contain at least 8 characters. "
        "This password is too common."
    )
    assert not get_user_model().objects.filter(username="newbie").exists()
    # a password like the user's own name is refused too, and an existing user keeps the password it had
    call_command("adduser", "margaret", role="recruiter", email="m@example.com", password="s3cret-pass")
    with pytest.raises(CommandError, match=r"The password is too similar to the username\."):
        call_command("adduser", "margaret", role="recruiter", password="margaret1")
    assert get_user_model().objects.get(username="margaret").check_password("s3cret-pass")


@pytest.mark.django_db
def test_adduser_exits_non_zero_on_a_refused_password(capsys, monkeypatch):
    # As `manage.py adduser` runs it; run_from_argv closes every connection at the end, the test's own included.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "adduser", "newbie", "--role", "admin", "--password", "a"]).execute()
    assert exited.value.code == 1
    assert "The password was refused: This password is too short." in capsys.readouterr().err
    assert not get_user_model().objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_the_demo_password_passes_the_validators_for_every_demo_user():
    # seed_demo sets it directly, but an admin re-creating a demo user with adduser must not be refused.
    from interviewloop.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS

    for username, first, last, role in DEMO_USERS:
        call_command(
            "adduser",
            username,
            role=role,
            email=f"{username}@example.com",
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
        )
        assert get_user_model().objects.get(username=username).check_password(DEMO_PASSWORD)
