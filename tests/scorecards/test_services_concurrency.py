"""Submits of one scorecard landing together give exactly one submission and one decision recomputation
(PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from debriefs.models import Reminder
from interviewloop.errors import Conflict
from scorecards import services
from scorecards.models import Scorecard
from tests.factories import NoteFactory
from tests.scorecards.conftest import full_body, typed

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_submits_give_exactly_one_submission_and_one_recomputation(interviewer, rubric, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers on one lock and has no SELECT ... FOR UPDATE; run on PostgreSQL")
    # given a draft ready to submit
    note = NoteFactory(interview__interviewer=interviewer)
    interview = note.interview
    services.scorecard_save_draft(interview=interview, data=typed(interview, full_body()))
    recomputations: list[int] = []
    recompute = services.loop_recompute_decision

    def counting_recompute(*, loop, **options):
        recomputations.append(loop.pk)
        return recompute(loop=loop, **options)

    monkeypatch.setattr(services, "loop_recompute_decision", counting_recompute)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait()
            services.scorecard_submit(interview=interview)
            outcomes.append("submitted")
        except Conflict as refusal:
            outcomes.append(refusal.code)
        finally:
            connections.close_all()

    # when four submits start at once
    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then one goes through and three are told it is already submitted
    assert sorted(outcomes) == ["already_submitted"] * 3 + ["submitted"]
    assert Scorecard.objects.get(interview=interview).status == "submitted"
    # and the loop's decision was recomputed once: the panel of one is a hire, announced once per person
    assert recomputations == [interview.loop_id]
    interview.loop.refresh_from_db()
    assert interview.loop.decision == "hire"
    ready = Reminder.objects.filter(loop=interview.loop, kind="debrief_ready")
    assert sorted(ready.values_list("recipient__username", flat=True)) == sorted(
        {interviewer.username, interview.loop.recruiter.username}
    )
