"""Webhooks through the real stack: an interview ends in this process, a real Celery worker with beat (on the
test's broker) delivers the signed event to a real HTTP receiver on loopback within seconds, and marks it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from debriefs.models import WebhookDelivery, WebhookEndpoint
from tests.debriefs.reminder_fixtures import (
    ended_interview,
    ensure_role_groups,
    free_port,
    make_loop,
    needs_shared_database,
    start_worker,
    wait_for,
    worker_env,
)
from tests.debriefs.webhook_receiver import Receiver
from tests.factories import UserFactory, make_rubric

pytestmark = [needs_shared_database, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

SECRET = "worker-test-secret-0123456789"


def test_a_real_worker_and_beat_deliver_the_event_signed_and_mark_it(processes, tmp_path):
    ensure_role_groups()
    loop = make_loop(make_rubric(), UserFactory(username="rita", role="recruiter"))
    with Receiver(secret=SECRET) as receiver:
        WebhookEndpoint.objects.create(url=receiver.url, secret=SECRET, events=["interview.ended"])
        env = worker_env(broker_url=settings.CELERY_BROKER_URL, smtp_port=free_port(), WEBHOOK_DISPATCH_SECONDS=0.5)
        worker = start_worker("worker", env, tmp_path, beat=True)
        processes.append(worker)
        wait_for(lambda: " ready." in worker.log(), timeout=30, what="the worker to start")

        interview = ended_interview(loop, "alice", at=timezone.now())

        wait_for(lambda: receiver.received, timeout=20, what=f"the webhook\n{worker.log()[-3000:]}")
        wait_for(
            lambda: WebhookDelivery.objects.filter(status="delivered").exists(), timeout=10, what="marked delivered"
        )
    (item,) = receiver.received
    assert item.signature_ok
    assert item.body["type"] == "interview.ended"
    assert item.body["data"]["interview"]["id"] == interview.pk
    assert str(WebhookDelivery.objects.get().event_id) == item.event_id
