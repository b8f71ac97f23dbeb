"""Every browser asks for /favicon.ico: it leads to the icon that every page links."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.templatetags.static import static


def test_favicon_ico_redirects_to_the_icon_every_page_links(client, db):
    # when a browser asks for the conventional path
    response = client.get("/favicon.ico")
    # then it is sent, for good, to the SVG icon that ships with the static files
    assert response.status_code == 301
    assert response["Location"] == static("favicon.svg")
    assert finders.find("favicon.svg") is not None
    # and the pages link the same icon
    login_page = client.get("/accounts/login/").content.decode()
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in login_page
