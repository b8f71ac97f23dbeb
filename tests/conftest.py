"""Role fixtures (the guide's cast) and API clients. Everything else is built per test with factories."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from interviewloop.tokens import ApiToken
from tests.factories import UserFactory, make_rubric
from tests.xdist_resources import use_own_redis_database, worker_index


def pytest_configure(config):
    # PBKDF2's deliberate slowness buys nothing in tests and costs a fraction of a second per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # CI sets REQUIRE_REAL_STACK: then a silent fallback to SQLite or the filesystem broker is a failure.
    if os.environ.get("REQUIRE_REAL_STACK"):
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError(f"REQUIRE_REAL_STACK is set but the database engine is {engine}")
        if not settings.CELERY_BROKER_URL.startswith("redis://"):
            raise pytest.UsageError(f"REQUIRE_REAL_STACK is set but the broker is {settings.CELERY_BROKER_URL}")
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The tests' commits do not wait for the disk: nothing here survives a crash of PostgreSQL, and another
        # connection sees a commit at once either way (only its durability is deferred).
        options = settings.DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
    # Under pytest-xdist: this worker's own Redis database for the broker and a Redis cache.
    use_own_redis_database(worker_index(os.environ.get("PYTEST_XDIST_WORKER")), settings, os.environ)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts with an empty cache: the sign-in throttles count per client address, and every test
    client is 127.0.0.1, so one test's sign-ins must not use up the next one's."""
    cache.clear()


@pytest.fixture
def rubric(db):
    return make_rubric()


@pytest.fixture
def interviewer(db):
    return UserFactory(username="alice", role="interviewer")


@pytest.fixture
def other_interviewer(db):
    return UserFactory(username="bob", role="interviewer")


@pytest.fixture
def recruiter(db):
    return UserFactory(username="rita", role="recruiter")


@pytest.fixture
def admin(db):
    return UserFactory(username="ada", role="admin")


@pytest.fixture
def outsider(db):
    """Signed in, but neither interviewer nor recruiter nor staff."""
    return UserFactory(username="charlie")


@pytest.fixture
def api():
    """An anonymous API client; `api_as(user)` for a signed-in one."""
    return APIClient()


@pytest.fixture
def api_as(db):
    def make(user):
        client = APIClient()
        _, token = ApiToken.objects.create(user=user)  # (the row, the secret)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return make
