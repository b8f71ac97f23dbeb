"""The rubric admin in a real browser, under the strict CSP: read a published version, copy it, edit, publish."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from scorecards.models import Rubric
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_versions_the_guide_rubric_in_the_browser(page, screenshot):
    call_command("loaddata", "default_rubric", verbosity=0)
    UserFactory(username="ada", role="admin")
    published = Rubric.objects.get(status="published")
    blocked: list[str] = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )

    # sign in through the admin's own form
    page.goto("/admin/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")

    # the published version: read-only, saying why, anchors visible
    page.goto(f"/admin/scorecards/rubric/{published.pk}/change/")
    assert "is published and cannot be changed" in page.inner_text("#content")
    assert page.locator("input[name=_save]").count() == 0
    assert published.dimensions.get(key="systems_thinking").anchor_5.split("\n")[0][:30] in page.inner_text("#content")
    screenshot("admin-rubric-published")

    # "New version from this" → an editable draft, version 2
    page.click("input[value='New version from this']")
    page.wait_for_load_state("networkidle")
    draft = Rubric.objects.get(based_on=published)
    assert page.url.endswith(f"/admin/scorecards/rubric/{draft.pk}/change/")
    assert "Created" in page.inner_text(".messagelist")

    # edit an anchor in the draft and save
    page.fill("#id_dimensions-0-anchor_5", "Maps the whole system before touching it.")
    page.click("input[name=_continue]")
    page.wait_for_load_state("networkidle")
    assert draft.dimensions.order_by("order", "id").first().anchor_5 == "Maps the whole system before touching it."

    # publish it with the button
    page.click("input[value='Publish']")
    page.wait_for_load_state("networkidle")
    draft.refresh_from_db()
    assert draft.status == "published"
    assert "is published and cannot be changed" in page.inner_text("#content")
    screenshot("admin-rubric-new-version-published")
    assert blocked == []
