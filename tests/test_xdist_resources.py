"""Each pytest-xdist worker's own Redis database (tests/xdist_resources.py): the rule, and this run's settings."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from interviewloop.celery import app
from tests.xdist_resources import REDIS_DATABASES, redis_url_for_worker, use_own_redis_database, worker_index


def test_worker_names_are_numbered():
    assert worker_index(None) is None
    assert worker_index("") is None
    assert worker_index("gw0") == 0
    assert worker_index("gw12") == 12
    with pytest.raises(pytest.UsageError, match="not gw<number>"):
        worker_index("master")


def test_each_worker_moves_the_configured_database_up_by_its_number():
    assert redis_url_for_worker("redis://127.0.0.1:6379/5", 0) == "redis://127.0.0.1:6379/5"
    assert redis_url_for_worker("redis://127.0.0.1:6379/5", 1) == "redis://127.0.0.1:6379/6"
    # CI's broker: database 0, and no number at all means 0 too
    assert redis_url_for_worker("redis://127.0.0.1:6379/0", 1) == "redis://127.0.0.1:6379/1"
    assert redis_url_for_worker("redis://127.0.0.1:6379", 1) == "redis://127.0.0.1:6379/1"
    # a password, TLS and options survive
    assert redis_url_for_worker("rediss://:pw@cache.example:6380/2?ssl_cert_reqs=none", 3) == (
        "rediss://:pw@cache.example:6380/5?ssl_cert_reqs=none"
    )


def test_no_worker_and_other_urls_are_left_alone():
    assert redis_url_for_worker("redis://127.0.0.1:6379/5", None) == "redis://127.0.0.1:6379/5"
    assert redis_url_for_worker("filesystem://", 1) == "filesystem://"
    assert redis_url_for_worker("interviewloop", 1) == "interviewloop"  # a local-memory cache's LOCATION


def test_a_database_past_redis_s_sixteen_or_an_unreadable_one_is_refused():
    assert redis_url_for_worker("redis://127.0.0.1:6379/14", 1) == "redis://127.0.0.1:6379/15"
    with pytest.raises(pytest.UsageError, match="Redis database 16"):
        redis_url_for_worker("redis://127.0.0.1:6379/15", 1)
    with pytest.raises(pytest.UsageError, match="database number"):
        redis_url_for_worker("redis://127.0.0.1:6379/queue", 1)


@given(base=st.integers(0, REDIS_DATABASES - 1), workers=st.integers(1, REDIS_DATABASES))
def test_workers_never_share_a_database(base, workers):
    if base + workers > REDIS_DATABASES:
        return  # refused, above
    urls = [redis_url_for_worker(f"redis://127.0.0.1:6379/{base}", index) for index in range(workers)]
    assert len(set(urls)) == workers
    assert urls[0] == f"redis://127.0.0.1:6379/{base}"


def test_a_worker_s_settings_and_environment_name_its_database():
    settings_ = SimpleNamespace(
        CELERY_BROKER_URL="redis://127.0.0.1:6379/5",
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://r:6379/7"}},
    )
    environ = {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/5", "CACHE_URL": "redis://r:6379/7"}
    use_own_redis_database(1, settings_, environ)
    assert settings_.CELERY_BROKER_URL == environ["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/6"
    assert settings_.CACHES["default"]["LOCATION"] == environ["CACHE_URL"] == "redis://r:6379/8"


def test_without_xdist_and_on_the_embedded_stack_nothing_moves():
    for index, broker in ((None, "redis://127.0.0.1:6379/5"), (1, "filesystem://")):
        settings_ = SimpleNamespace(CELERY_BROKER_URL=broker, CACHES={"default": {"LOCATION": "interviewloop"}})
        environ: dict[str, str] = {}
        use_own_redis_database(index, settings_, environ)
        assert (settings_.CELERY_BROKER_URL, settings_.CACHES["default"]["LOCATION"], environ) == (
            broker,
            "interviewloop",
            {},
        )


def test_this_process_s_celery_and_started_workers_use_the_broker_of_the_settings():
    """What conftest's pytest_configure did for this run: Celery's configuration and the environment the tests hand
    to the processes they start (worker_env) name the settings' broker, this xdist worker's own."""
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        assert os.environ["CELERY_BROKER_URL"] == settings.CELERY_BROKER_URL
