"""What the loops list and a loop's debrief show, and who may read them: the reads the API, the pages and the emails
share.

A debrief is read from its stored document (`DebriefDocument`, one primary-key lookup), which the services rewrite
in every transaction that changes what it shows; the clock's parts are added as it is read (`documents.at_time`).
The loops list reads each loop's row with the counts stored beside its document: one query per page, plus the count.
Who may read a debrief is `aggregation.debrief_access`; `visible_loops` is the same rule as a query, for lists.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from debriefs import documents
from debriefs.aggregation import DEBRIEF_OPEN, DEBRIEF_UNKNOWN, debrief_access, group_by_rubric
from debriefs.documents import STAGES
from debriefs.stored import debrief_document_fresh
from interviewloop.errors import Forbidden, NotFound
from interviewloop.models import Decision, Interview, Loop
from interviewloop.roles import is_recruiter
from scorecards.models import Scorecard
from scorecards.rules import VOTE_LABELS

SUBMITTED = Scorecard.Status.SUBMITTED


# --- Who may see what ------------------------------------------------------------------------------


def visible_loops(user: Any) -> QuerySet[Loop]:
    """The loops whose debrief `user` may read, as a query (`aggregation.debrief_access` for each loop): recruiters
    every loop; an interviewer the loops where their scorecard is submitted; anyone else none."""
    if not getattr(user, "is_authenticated", False):
        return Loop.objects.none()
    if is_recruiter(user):
        return Loop.objects.all()
    submitted_here = Scorecard.objects.filter(
        interview__loop=OuterRef("pk"), interview__interviewer=user, status=SUBMITTED
    )
    return Loop.objects.filter(Exists(submitted_here))


def loop_for_debrief(user: Any, loop_id: int) -> None:
    """Raise unless `user` may read the loop's debrief (one query): 404 for a loop they may not know of (or none),
    403 `scorecard_not_submitted` to a panel member whose own scorecard is not in (`aggregation.debrief_access`)."""
    recruiter = is_recruiter(user)
    if recruiter:
        on_panel = own_submitted = False
        if not Loop.objects.filter(pk=loop_id).exists():
            raise NotFound("No such loop.")
    else:
        own = list(
            Interview.objects.filter(loop_id=loop_id, interviewer=user).values_list("scorecard__status", flat=True)
        )
        on_panel, own_submitted = bool(own), own == [SUBMITTED]
    access = debrief_access(recruiter=recruiter, on_panel=on_panel, own_submitted=own_submitted)
    if access == DEBRIEF_UNKNOWN:
        raise NotFound("No such loop.")
    if access != DEBRIEF_OPEN:
        raise Forbidden(
            "Submit your own scorecard first: the debrief opens to you once your vote is in, so it stays your own.",
            code="scorecard_not_submitted",
        )


def debrief_for(user: Any, loop_id: int, *, now: datetime | None = None) -> dict[str, Any]:
    """The debrief `user` may read (`loop_for_debrief`, then `debrief_document`).

    A recruiter's check needs no query of its own: reading the document answers 404 for a missing loop.
    """
    if not is_recruiter(user):
        loop_for_debrief(user, loop_id)
    return debrief_document(loop_id, now=now)


def loop_for_recruiter(user: Any, loop_id: int) -> Loop:
    """The loop, for a recruiter's write. A panel member who may read it gets 403; anyone else 404."""
    loop = Loop.objects.filter(pk=loop_id).first()
    if is_recruiter(user):
        if loop is None:
            raise NotFound("No such loop.")
        return loop
    if loop is not None and visible_loops(user).filter(pk=loop_id).exists():
        raise Forbidden("Only recruiters can do this.", code="permission_denied")
    raise NotFound("No such loop.")


# --- The debrief -----------------------------------------------------------------------------------


def debrief_document(loop_id: int, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything the debrief shows, as plain data, at `now` (default: now): the API's body, the page's and the
    emails' source. No permission check: see `debrief_for`. One query; a loop whose document was never written (one
    made before them: `manage.py rebuild_debriefs --missing` writes those) is built for this read."""
    stored = _stored_document(loop_id)
    if stored is None:
        try:
            stored = debrief_document_fresh(loop_id).document
        except Loop.DoesNotExist:
            raise NotFound("No such loop.") from None
    return documents.at_time(stored, now or timezone.now())


def _stored_document(loop_id: int) -> dict[str, Any] | None:
    """The loop's stored document, or None, in SQL: the read every debrief is (0.16 ms of CPU against 0.39 for the
    same query built by `DebriefDocument.objects.values_list("document").get(pk=...)`, in-process on the bench
    database; `make bench`: see the commit)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT document FROM debriefs_debriefdocument WHERE loop_id = %s", [loop_id])
        row = cursor.fetchone()
    if row is None:
        return None
    document = row[0]
    return json.loads(document) if isinstance(document, str) else document  # JSON text on SQLite and psycopg


def heatmap(debrief: dict[str, Any]) -> list[dict[str, Any]]:
    """The dimension matrix pivoted for the page: one row per interviewer with a submitted scorecard.

    Each cell also carries what the page prints, flat (`css`, `label`, and for a scored cell `title`, `who`,
    `dimension_name`, `evidence`): the heat-map is most of the page's cells, and each lookup costs.
    """
    submitted = [vote for vote in debrief["votes"] if vote["scorecard_status"] == SUBMITTED]
    by_interviewer = [
        (dimension, {entry["interviewer"]: entry for entry in dimension["scores"]})
        for dimension in debrief["dimensions"]
    ]
    rows = []
    for vote in submitted:
        who = vote["name"]
        cells = []
        for dimension, entries in by_interviewer:
            entry = entries.get(vote["interviewer"])
            score = entry["score"] if entry else None
            cell = {
                "dimension": dimension,
                "score": score,
                "entry": entry,
                "css": f"s{score}" if score else "s0",
                "label": score if score else "\N{EN DASH}",  # as the page prints an empty cell
            }
            if entry:
                cell.update(
                    title=f"{who} · {dimension['name']}: {score}. {entry['evidence']}",
                    who=who,
                    dimension_name=dimension["name"],
                    evidence=entry["evidence"],
                )
            cells.append(cell)
        rows.append({"vote": vote, "cells": cells})
    return rows


def heatmap_groups(debrief: dict[str, Any]) -> list[dict[str, Any]]:
    """The heat-map's rubric header: one group per rubric over its dimension columns (none for a one-rubric loop)."""
    names = {rubric["id"]: f"{rubric['name']} v{rubric['version']}" for rubric in debrief["rubrics"]}
    groups = group_by_rubric(debrief["dimensions"], names)
    return groups if len(groups) > 1 else []


def vote_label(vote: str | None) -> str:
    return VOTE_LABELS.get(vote or "", "")


# --- The loops list --------------------------------------------------------------------------------


def loop_rows(user: Any, *, with_locked: bool = False) -> QuerySet[Loop]:
    """The loops `user` may see, newest first; filter them with `filters.LoopFilter`, then read the page's stored
    rows (`stored_rows`, one query) and give them the clock's late count (`list_rows`).

    `with_locked` (the loops page): an interviewer's list also has the loops they are on but whose debrief is not
    theirs to read yet, each marked `locked` with `own_interview_id`; the page shows of those only the candidate,
    the position and the way to their scorecard.
    """
    loops = visible_loops(user)
    if with_locked and getattr(user, "is_authenticated", False) and not is_recruiter(user):
        own = Interview.objects.filter(loop=OuterRef("pk"), interviewer=user)
        submitted_here = own.filter(scorecard__status=SUBMITTED)
        loops = Loop.objects.filter(Exists(own)).annotate(
            locked=~Exists(submitted_here), own_interview_id=Subquery(own.values("pk")[:1])
        )
    return loops.order_by("-created_at", "-id")


STORED_ROW = ("pk", "debrief_document__row", "debrief_document__open_note_deadlines")


def stored_rows(loops: QuerySet[Loop]) -> QuerySet[Loop, tuple[Any, ...]]:
    """The loops' stored list rows, in order: (id, row, open note deadlines), then any annotations (`locked`,
    `own_interview_id`). The row is None for a loop made before the stored debriefs (`list_rows` writes it)."""
    return loops.values_list(*STORED_ROW, *loops.query.annotations)


class StoredRows:
    """A selection of loops as Django's Paginator (and DRF's) takes it: `count()` on the loops alone (joining their
    stored rows only to count them was most of the count's cost), each page (a slice) read as `stored_rows`."""

    def __init__(self, loops: QuerySet[Loop]) -> None:
        self.loops = loops

    def count(self) -> int:
        return self.loops.count()

    def __getitem__(self, page: slice) -> list[tuple[Any, ...]]:
        return list(stored_rows(self.loops)[page])


def list_rows(page: Sequence[tuple[Any, ...]], *, now: datetime | None = None) -> list[dict[str, Any]]:
    """A page of `stored_rows` as the API gives them: each loop's row with `late_count` at `now`. A loop made before
    the stored debriefs (`manage.py rebuild_debriefs --missing` writes those) has its row built for this read."""
    now = now or timezone.now()
    rows = []
    for pk, row, deadlines, *_ in page:
        if row is None:
            fresh = debrief_document_fresh(pk)
            row, deadlines = fresh.row, fresh.counts["open_note_deadlines"]
        rows.append(documents.row_at_time(row, deadlines, now))
    return rows


def loop_row(user: Any, loop_id: int) -> dict[str, Any]:
    """One loop's row of the list, as `user` reads it (the answer to a write on the loop)."""
    (row,) = list_rows([stored_rows(loop_rows(user).filter(pk=loop_id)).get()])
    return row


class PageRow(dict[str, Any]):
    """A loops-page row: the stored row's keys, and `pk` as a Loop has it."""

    @property
    def pk(self) -> int:
        return int(self["id"])


def page_rows(page: Sequence[tuple[Any, ...]], *, now: datetime | None = None) -> list[PageRow]:
    """`list_rows` for the loops page: with the labels it prints, its times as datetimes, and for an interviewer's
    loop still closed to them, `locked` and `own_interview_id`."""
    rows = []
    for stored, row in zip(page, list_rows(page, now=now), strict=True):
        extra = dict(zip(("locked", "own_interview_id"), stored[len(STORED_ROW) :], strict=False))
        rows.append(
            PageRow(
                documents.with_times(row),
                **extra,
                stage_label=STAGES[row["stage"]],
                decision_label=Decision(row["decision"]).label,
                outcome_label=Decision(row["outcome"]).label if row["outcome"] else "",
            )
        )
    return rows


def with_counted(loops: QuerySet[Loop], *, now: datetime | None = None) -> QuerySet[Loop]:
    """The loops with the list's counts computed in SQL from their interviews, as attributes (`interview_count`,
    `ended_count`, `submitted_count`, `missing_count`, `late_count`): for the CSV download, which streams every
    loop of the filter in chunks rather than a page of stored rows. See `documents.counts` for each."""
    deadline_passed = (now or timezone.now()) - timedelta(minutes=settings.NOTE_WINDOW_MINUTES)
    submitted = Q(interviews__scorecard__status=SUBMITTED)
    return loops.annotate(
        interview_count=Count("interviews"),
        ended_count=Count("interviews", filter=Q(interviews__ended_at__isnull=False)),
        submitted_count=Count("interviews", filter=submitted),
        counting_count=Count("interviews", filter=Q(interviews__counts_toward_decision=True)),
        counting_submitted_count=Count("interviews", filter=Q(interviews__counts_toward_decision=True) & submitted),
        late_count=Count(
            "interviews",
            filter=Q(interviews__note__submitted_at__gt=F("interviews__note__due_at"))
            | Q(interviews__note__isnull=True, interviews__ended_at__lt=deadline_passed),
        ),
    ).annotate(missing_count=F("counting_count") - F("counting_submitted_count"))


def loop_stage(loop: Any) -> str:
    """Where the loop stands, from its counts (see `documents.stage`)."""
    return documents.stage(
        status=loop.status,
        decision=loop.decision,
        interview_count=getattr(loop, "interview_count", 0),
        ended_count=getattr(loop, "ended_count", 0),
        submitted_count=getattr(loop, "submitted_count", 0),
    )
