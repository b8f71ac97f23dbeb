"""Which shared service each pytest-xdist worker uses, so parallel workers never touch each other's state.

pytest-django already gives every worker its own test database (test_<name>_gw0, _gw1, ...). Redis is the other
shared service: a Celery worker started by one test would take the tasks another test's worker is waiting for, and
`cache.clear()` (every test's first step) is a FLUSHDB. So worker gwN uses the configured Redis database number
plus N: gw0 keeps the configured one (a run without xdist uses that one too), gw1 the next, and so on.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

# Redis's default `databases 16`: numbers 0 to 15.
REDIS_DATABASES = 16


def worker_index(worker: str | None) -> int | None:
    """`gw3` → 3: the PYTEST_XDIST_WORKER value as a number; None outside xdist (the variable is unset)."""
    if not worker:
        return None
    found = re.fullmatch(r"gw(\d+)", worker)
    if found is None:
        raise pytest.UsageError(f"PYTEST_XDIST_WORKER is {worker!r}, not gw<number>")
    return int(found.group(1))


def redis_url_for_worker(url: str, index: int | None) -> str:
    """`url` with its Redis database number moved up by `index` (redis://host:6379/5 for gw1 → .../6); any other URL
    (the filesystem broker, a local-memory cache) and a run without xdist (`index` None) keep `url` as it is."""
    parts = urlsplit(url)
    if index is None or parts.scheme not in ("redis", "rediss"):
        return url
    path = parts.path.strip("/")
    if not path.isdigit() and path != "":
        raise pytest.UsageError(f"cannot read a Redis database number from {url!r}")
    database = int(path or 0) + index
    if database >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"xdist worker gw{index} would use Redis database {database} of {url!r}, past Redis's {REDIS_DATABASES}: "
            "configure a lower database number or run fewer workers (-n)"
        )
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def use_own_redis_database(index: int | None, settings: Any, environ: MutableMapping[str, str]) -> None:
    """Move the broker and (when it is Redis) the cache to worker `index`'s database, in Django's `settings` and in
    `environ`: Celery reads CELERY_BROKER_URL from the environment before its own configuration, and the processes
    the tests start (worker_env) inherit it. Before any test runs (pytest_configure), so nothing has connected yet."""
    broker = redis_url_for_worker(settings.CELERY_BROKER_URL, index)
    if broker != settings.CELERY_BROKER_URL:
        settings.CELERY_BROKER_URL = environ["CELERY_BROKER_URL"] = broker
    if environ.get("CACHE_URL"):
        environ["CACHE_URL"] = redis_url_for_worker(environ["CACHE_URL"], index)
    cache = settings.CACHES["default"]
    if isinstance(cache.get("LOCATION"), str):  # RedisCache takes several servers, comma-separated
        cache["LOCATION"] = ",".join(redis_url_for_worker(url, index) for url in cache["LOCATION"].split(","))
