"""The Celery app. Broker from CELERY_BROKER_URL (Redis in production, kombu's filesystem transport by default)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewloop.settings")

app = Celery("interviewloop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
