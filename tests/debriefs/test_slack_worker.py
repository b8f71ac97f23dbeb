"""Slack reminders on the real stack: parallel dispatchers on PostgreSQL never post the same message twice, and a
real `celery worker` posts an ended interview's note reminder as a direct message within seconds. Both against the
local Slack Web API server (tests/debriefs/slack_server.py); these tests commit (transaction=True)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from debriefs import reminders as reminders_module
from debriefs.models import Reminder
from interviewloop.profiles import user_set_notify_by
from tests.debriefs.reminder_fixtures import (
    dispatch_in_parallel,
    due_note_now_reminders,
    ended_interview,
    ensure_role_groups,
    free_port,
    make_loop,
    needs_shared_database,
    start_worker,
    wait_for,
    worker_env,
)
from tests.debriefs.slack_server import TOKEN, SlackServer
from tests.factories import UserFactory, make_rubric

pytestmark = [needs_shared_database, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("claim_batch", "rows", "dispatchers"), [(reminders_module.CLAIM_BATCH, 12, 3), (3, 16, 4)])
def test_parallel_dispatchers_post_every_slack_row_exactly_once(
    settings, mailoutbox, monkeypatch, claim_batch, rows, dispatchers
):
    monkeypatch.setattr(reminders_module, "CLAIM_BATCH", claim_batch)
    ensure_role_groups()
    for n in range(rows):
        user_set_notify_by(user=UserFactory(username=f"panel{n}", role="interviewer"), notify_by="slack")
    with SlackServer(users={f"panel{n}@example.com": f"U0PANEL{n}" for n in range(rows)}, delay=0.05) as slack:
        settings.SLACK_BOT_TOKEN, settings.SLACK_API_URL = TOKEN, slack.base_url
        due_note_now_reminders(rows)
        assert set(Reminder.objects.values_list("channel", flat=True)) == {"slack"}

        results = dispatch_in_parallel(dispatchers)

    assert Counter(slack.reminders()) == {f"note_now {pk}": 1 for pk in Reminder.objects.values_list("pk", flat=True)}
    assert set(slack.most_in_flight.values()) == {1}  # never two posts of one reminder at the same moment
    assert sum(result["sent"] for result in results) == rows
    assert Reminder.objects.filter(sent_at__isnull=False, attempts=1, sending_at__isnull=False).count() == rows
    assert sorted(post.channel for post in slack.posts) == sorted(f"U0PANEL{n}" for n in range(rows))
    assert mailoutbox == []


@pytest.mark.celery_worker
def test_a_real_worker_posts_the_note_reminder_on_slack_within_seconds_and_marks_it(processes, tmp_path, settings):
    ensure_role_groups()
    loop = make_loop(make_rubric(), UserFactory(username="rita", role="recruiter"))
    user_set_notify_by(user=UserFactory(username="alice", role="interviewer"), notify_by="slack")
    with SlackServer(users={"alice@example.com": "U0ALICE"}) as slack:
        # this process writes the rows (Slack on), the worker posts them
        settings.SLACK_BOT_TOKEN, settings.SLACK_API_URL = TOKEN, slack.base_url
        env = worker_env(
            broker_url=settings.CELERY_BROKER_URL,
            smtp_port=free_port(),
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_API_URL=slack.base_url,
            SLACK_TIMEOUT_SECONDS=5,
        )
        worker = start_worker("worker", env, tmp_path)
        processes.append(worker)
        wait_for(lambda: " ready." in worker.log(), timeout=30, what="the worker to start")

        interview = ended_interview(loop, "alice", at=timezone.now())

        wait_for(lambda: slack.posts, timeout=15, what=f"the Slack message\n{worker.log()[-3000:]}")
        row = Reminder.objects.get(kind="note_now")
        wait_for(lambda: Reminder.objects.get(pk=row.pk).sent_at, timeout=5, what="the row marked sent")
    (post,) = slack.posts
    assert (post.channel, post.reminder) == ("U0ALICE", f"note_now {row.pk}")
    assert post.button_urls() == [f"{settings.SITE_URL}/interviews/{interview.pk}/note/"]
    assert row.channel == "slack"
    assert TOKEN not in worker.log()
