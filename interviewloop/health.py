"""Health: the database answers (one `SELECT 1`), and the broker's state, cached and time-boxed.

Load balancers poll this often, so the broker probe is cached for HEALTH_BROKER_CACHE_SECONDS and
runs in a thread with HEALTH_BROKER_TIMEOUT_SECONDS to answer: a broker that does not answer is
reported as down within a second and never holds the request.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import connection
from kombu import Connection

_probe_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="broker-probe")
_lock = threading.Lock()
_cache: dict[str, object] = {"at": 0.0, "status": None}


def database_status() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means "down"; the message says which
        return {"ok": False, "error": str(error)[:200]}
    return {"ok": True}


def _probe_broker() -> None:
    with Connection(
        settings.CELERY_BROKER_URL,
        transport_options={**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "max_retries": 0},
        connect_timeout=settings.HEALTH_BROKER_TIMEOUT_SECONDS,
    ) as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.HEALTH_BROKER_TIMEOUT_SECONDS)
        channel = conn.default_channel
        if hasattr(channel, "client") and hasattr(channel.client, "ping"):
            channel.client.ping()  # Redis: a round trip, not just a socket


def broker_status() -> dict[str, object]:
    now = time.monotonic()
    cached = _cache["status"]
    if cached is not None and now - float(_cache["at"]) < settings.HEALTH_BROKER_CACHE_SECONDS:  # type: ignore[arg-type]
        return {**cached, "cached": True}  # type: ignore[dict-item]
    with _lock:
        future = _probe_pool.submit(_probe_broker)
        try:
            future.result(timeout=settings.HEALTH_BROKER_TIMEOUT_SECONDS + 0.3)
            status: dict[str, object] = {"ok": True}
        except FutureTimeout:
            status = {"ok": False, "error": "The broker did not answer in time."}
        except Exception as error:  # connection refused, DNS, auth: reported, never fatal
            status = {"ok": False, "error": str(error)[:200] or error.__class__.__name__}
        _cache.update(at=time.monotonic(), status=status)
    return {**status, "cached": False}


def reset_broker_cache() -> None:
    _cache.update(at=0.0, status=None)
