"""A loop's debrief and loops-list row in their stored form: built from its rows (`documents.build`) and written in
the API's words by the serializers that describe them (`debriefs.serializers`). `debriefs.services` stores it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.utils import timezone

from debriefs import documents
from debriefs.calibration import Term
from debriefs.serializers import DebriefSerializer, LoopSerializer


@dataclass(frozen=True)
class StoredDebrief:
    """A loop's debrief and list row as stored: the API's JSON, and the counts beside it."""

    document: dict[str, Any]
    row: dict[str, Any]
    counts: dict[str, Any]
    leniency_terms: dict[int, Term]  # by interviewer id (`documents.leniency_terms`), stored as `LeniencyTerm` rows


def debrief_document_fresh(loop_id: int) -> StoredDebrief:
    """What `debrief_document_write` stores for the loop, built now from its rows (`documents.build`) and written
    in the API's words by the serializers that describe it (`debriefs.serializers`). Raises Loop.DoesNotExist."""
    built = documents.build(loop_id)
    loop, counts = built.loop, built.counts
    loop.interview_count, loop.submitted_count = counts.interview_count, counts.submitted_count  # type: ignore[attr-defined]
    loop.missing_count, loop.late_count = counts.missing_count, counts.late_note_count  # type: ignore[attr-defined]
    loop.stage = documents.stage(  # type: ignore[attr-defined]
        status=loop.status, decision=loop.decision, interview_count=counts.interview_count,
        ended_count=counts.ended_count, submitted_count=counts.submitted_count,
    )  # fmt: skip
    # Times as the API has always given them whoever wrote the change: the debrief's in UTC, a loop row's in
    # TIME_ZONE (the writer's own zone may be active on a page).
    with timezone.override(UTC):
        document = DebriefSerializer(built.document).data
    with timezone.override(timezone.get_default_timezone()):
        row = LoopSerializer(loop).data
    stored_counts = {**vars(counts), "open_note_deadlines": [due.isoformat() for due in counts.open_note_deadlines]}
    return StoredDebrief(document=document, row=row, counts=stored_counts, leniency_terms=built.leniency_terms)
