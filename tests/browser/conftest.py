"""Headless Chromium (Debian's) driven by Playwright against pytest-django's live server.

Screenshots go to test-artifacts/screenshots/ (not committed). Without /usr/bin/chromium the
browser tests skip, saying why; CI installs it (.ci/run).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: install Debian's chromium to run the browser tests")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server):
    """`open_page(width, height)`: a page in a fresh context (its own cookies) of that window size."""
    contexts = []

    def open_one(width: int = 1366, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_one
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()


def alice_interviews_dana(*, started_minutes_ago: int, ended: bool = False):
    """Alice's hour-long call with Dana, scored against the guide's default rubric, started that long ago (ended at
    its scheduled end when `ended`)."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from scorecards.models import Rubric
    from tests.factories import InterviewFactory, PositionFactory, UserFactory

    call_command("loaddata", "default_rubric", verbosity=0)
    rubric = Rubric.objects.get(status="published")
    alice = UserFactory(username="alice", first_name="Alice", role="interviewer")
    start = timezone.now() - timedelta(minutes=started_minutes_ago)
    return InterviewFactory(
        interviewer=alice,
        loop__candidate__name="Dana Reyes",
        loop__position=PositionFactory(rubric=rubric),
        scheduled_start=start,
        scheduled_end=start + timedelta(minutes=60),
        ended_at=start + timedelta(minutes=60) if ended else None,
    )


@pytest.fixture
def screenshot(page):
    """`screenshot("name")` saves a full-page PNG under test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(page):
    """Sign in through the real login form."""

    def sign_in(username: str, password: str = "pw-for-tests-only") -> None:
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")

    return sign_in
