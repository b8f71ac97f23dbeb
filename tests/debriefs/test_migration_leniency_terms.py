"""Migration 0007 stores every existing loop's leniency terms: the same as the debrief's write computes afresh, so
the overlay reads what the whole history gave before the table existed."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from debriefs.models import LeniencyTerm
from debriefs.stored import debrief_document_fresh
from interviewloop.models import Interview, Loop
from tests.debriefs.conftest import add_interview
from tests.debriefs.leniency_oracle import assert_stored_leniency_is_the_whole_historys
from tests.factories import LoopFactory, PositionFactory

BEFORE = [("debriefs", "0006_reminder_channel_and_slack_users")]
AFTER = [("debriefs", "0007_leniency_terms")]


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def back_to_the_latest():
    yield
    MigrationExecutor(connection).migrate(latest())


def loops_of_every_kind(rubric, recruiter) -> list[str]:
    """Loops of several panels: scores that differ, a shadow, a cancelled interview, a draft, a scorecard without
    scores, one alone in its loop, an empty loop. The interviewers' usernames."""
    position = PositionFactory(rubric=rubric)
    shapes = [
        [("alice", 5, {}), ("bob", 3, {}), ("carol", 4, {})],
        [("alice", 4, {}), ("bob", 2, {}), ("dave", 5, {"counts": False})],
        [("alice", 3, {}), ("carol", 5, {}), ("erin", 1, {"submitted": False})],
        [("bob", 4, {}), ("carol", None, {}), ("dave", 2, {})],
        [("alice", 2, {})],
        [],
        [("bob", 5, {}), ("erin", 3, {}), ("dave", 4, {})],
    ]
    for shape in shapes:
        loop = LoopFactory(position=position, recruiter=recruiter)
        for username, score, options in shape:
            add_interview(loop, username, scores=score, **options)
    cancelled = LoopFactory(position=position, recruiter=recruiter)
    add_interview(cancelled, "alice", scores=5)
    erin = add_interview(cancelled, "erin", scores=1)
    # cancelled after its vote (written before the rule refused it): its scorecard never counts
    Interview.objects.filter(pk=erin.pk).update(cancelled_at=timezone.now())
    return ["alice", "bob", "carol", "dave", "erin"]


@pytest.mark.django_db(transaction=True)
def test_the_backfill_stores_each_loops_fresh_terms_in_chunks(rubric, recruiter, back_to_the_latest, monkeypatch):
    people = loops_of_every_kind(rubric, recruiter)
    fresh = {
        (loop_id, interviewer, *term)
        for loop_id in Loop.objects.values_list("pk", flat=True)
        for interviewer, term in debrief_document_fresh(loop_id).leniency_terms.items()
        if term.n
    }
    # 3 + 2 (not the shadow) + 2 (not the draft) + 2 (not the scoreless) + 3; none from the lone card, the empty
    # loop, or alice's alone once erin's is cancelled
    assert len(fresh) == 12
    monkeypatch.setattr(importlib.import_module("debriefs.migrations.0007_leniency_terms"), "CHUNK", 3)

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # the table is gone, and with it every stored term
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    stored = set(LeniencyTerm.objects.values_list("loop_id", "interviewer_id", "difference", "n"))
    assert stored == fresh
    assert_stored_leniency_is_the_whole_historys(people)
