"""Each user's private calendar feed (`/calendar/<secret>.ics`): its secret, made on first use and replaceable.

The secret in the URL is the feed's only key, so it is long and random and can be replaced: a new one makes the
old address answer 404. Calendar apps poll the feed without signing in, which is why it is not behind the login.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    secret = models.CharField(max_length=64, unique=True, default=new_secret)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "interviewloop"

    def __str__(self) -> str:
        return f"calendar feed of {self.user}"


def feed_secret(user: Any) -> str:
    """The user's feed secret, made the first time it is asked for."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed.secret


@transaction.atomic
def feed_renew(user: Any) -> str:
    """Replace the user's feed secret: the old address stops working at once."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.secret = new_secret()
        feed.save(update_fields=["secret"])
    return feed.secret


def feed_url(secret: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("calendar-feed", args=[secret])
