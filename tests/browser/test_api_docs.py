"""The API docs page (/api/docs/): Swagger UI served from our own static files, under the strict CSP."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_page_lists_the_operations_offline_with_no_csp_violation(page, live_server, screenshot):
    console: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.on(
        "request",
        lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url),
    )
    # when
    page.goto("/api/docs/")
    page.wait_for_selector(".opblock-summary", timeout=15_000)
    page.wait_for_load_state("networkidle")
    screenshot("api_docs")
    # then the operations are listed, the token endpoint among them
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/auth/token/" in [text.replace("\u200b", "") for text in summaries]
    assert len(summaries) >= 20
    assert page.locator(".info .title").inner_text().startswith("interviewloop API")
    # nothing came from anywhere but this server, and the browser refused nothing
    assert outside == []
    assert [line for line in console if "Content Security Policy" in line or "pageerror" in line] == []
    assert [line for line in console if line.startswith("error")] == []
    # and the page is under the same strict policy as every other page
    policy = page.request.get("/api/docs/").headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
