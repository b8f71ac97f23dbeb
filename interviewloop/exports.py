"""Reads for the exports: a loop's scorecards in Greenhouse Harvest's shape (`GET /api/loops/{id}/export/`) and the
loops list as CSV rows (`/loops/export.csv`). The words and levels come from `interviewloop.export_rules`.

A loop is Harvest's "application" (one candidate for one job), so `application_id` is the loop's id. One entry per
interview that is not cancelled, shadows included; a scorecard not submitted (a draft, or none yet) is exported as
`no_decision` with no attributes, ratings or answers: a draft is its interviewer's until they submit it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import tzinfo
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from debriefs.documents import STAGES
from debriefs.selectors import loop_stage
from interviewloop.errors import NotFound
from interviewloop.export_rules import overall_recommendation, rating_for_score, ratings_by_level
from interviewloop.models import Interview, Loop
from scorecards.models import DimensionScore, GutCheckQuestion, RedFlagMark, Scorecard
from scorecards.rules import GUT_ANSWER_LABELS

SUBMITTED = Scorecard.Status.SUBMITTED


def harvest_user(user: Any) -> dict[str, Any]:
    """Harvest's user reference. We keep no employee id."""
    return {
        "id": user.pk,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "name": user.get_full_name() or user.username,
        "employee_id": None,
    }


def loop_scorecards_harvest(loop_id: int) -> list[dict[str, Any]]:
    """The loop's scorecards as Harvest lists an application's. Five queries, whatever the panel's size: the loop,
    the interviews with their interviewers, rubrics and scorecards, the scores with their dimensions, the red flags,
    the rubrics' gut-check wording."""
    loop = Loop.objects.filter(pk=loop_id).only("pk", "candidate_id").first()
    if loop is None:
        raise NotFound("No such loop.")
    interviews = list(
        Interview.objects.filter(loop_id=loop_id, cancelled_at__isnull=True)
        .select_related("interviewer", "rubric", "scorecard")
        .prefetch_related(
            Prefetch(
                "scorecard__scores",
                queryset=DimensionScore.objects.select_related("dimension").order_by(
                    "dimension__order", "dimension_id"
                ),
            ),
            Prefetch(
                "scorecard__red_flags",
                queryset=RedFlagMark.objects.select_related("red_flag").order_by("red_flag__order", "red_flag_id"),
            ),
        )
        .order_by("scheduled_start", "pk")
    )
    gut_checks: dict[int, dict[str, str]] = {}  # per rubric: its gut-check questions in order, key → wording
    for rubric_id, key, text in (
        GutCheckQuestion.objects.filter(rubric_id__in={interview.rubric_id for interview in interviews})
        .order_by("order", "id")
        .values_list("rubric_id", "key", "text")
    ):
        gut_checks.setdefault(rubric_id, {})[key] = text
    return [_harvest_scorecard(loop, interview, gut_checks.get(interview.rubric_id, {})) for interview in interviews]


def _harvest_scorecard(loop: Loop, interview: Interview, gut_checks: dict[str, str]) -> dict[str, Any]:
    scorecard: Scorecard | None = getattr(interview, "scorecard", None)
    submitted = scorecard is not None and scorecard.status == SUBMITTED
    interviewer = harvest_user(interview.interviewer)
    attributes: list[dict[str, Any]] = []
    questions: list[dict[str, Any]] = []
    scored: list[tuple[str, int | None]] = []
    if submitted:
        assert scorecard is not None
        for score in scorecard.scores.all():
            name = score.dimension.name
            scored.append((name, score.score))
            attributes.append(
                {
                    "name": name,
                    "type": "Critical dimension" if score.dimension.critical else "Dimension",
                    "note": score.evidence or None,
                    "rating": rating_for_score(score.score),
                }
            )
        questions.append({"id": None, "question": "Key Take-Aways", "answer": scorecard.summary})
        answers = scorecard.gut_check or {}
        for key, question in gut_checks.items():  # the pinned rubric's own questions, in its order
            questions.append(
                {"id": None, "question": question, "answer": GUT_ANSWER_LABELS.get(answers.get(key, ""), "")}
            )
        flags = [mark.red_flag.name for mark in scorecard.red_flags.all()]
        questions.append({"id": None, "question": "Red flags", "answer": ", ".join(flags) or "None"})
    return {
        "id": scorecard.pk if scorecard is not None else None,
        "created_at": None,  # we keep no creation time for a scorecard; updated_at says when it last changed
        "updated_at": scorecard.updated_at if scorecard is not None else None,
        "interview": interview.rubric.name,
        "interview_step": {"id": interview.pk, "name": interview.rubric.name},
        "candidate_id": loop.candidate_id,
        "application_id": loop.pk,
        "interviewed_at": interview.scheduled_start,
        "submitted_by": interviewer if submitted else None,
        "interviewer": interviewer,
        "submitted_at": scorecard.submitted_at if submitted and scorecard is not None else None,
        "overall_recommendation": overall_recommendation(
            submitted=submitted, vote=scorecard.vote if scorecard is not None else ""
        ),
        "attributes": attributes,
        "ratings": ratings_by_level(scored),
        "questions": questions,
    }


LOOP_CSV_HEADER = (
    "loop_id",
    "candidate",
    "position",
    "recruiter",
    "stage",
    "status",
    "decision",
    "outcome",
    "interviews",
    "scorecards_submitted",
    "scorecards_missing",
    "late_notes",
    "debrief_at",
    "created_at",
)


def loop_csv_rows(loops: QuerySet[Loop], *, zone: tzinfo) -> Iterator[tuple[Any, ...]]:
    """The loops list's rows as the CSV has them (times in `zone`, ISO 8601), from `loop_rows`'s annotated queryset,
    read in chunks so a long list is never held whole.

    The zone is passed, not read from the active one: a streamed response is read after the view and its
    middleware (the reader's zone is active only inside them) have returned."""

    def _local(moment: Any) -> str:
        return timezone.localtime(moment, zone).isoformat() if moment is not None else ""

    for loop in loops.iterator(chunk_size=500):
        yield (
            loop.pk,
            loop.candidate.name,
            loop.position.title,
            loop.recruiter.get_full_name() or loop.recruiter.username,
            STAGES[loop_stage(loop)],
            loop.get_status_display(),
            loop.get_decision_display(),
            loop.get_outcome_display() if loop.outcome else "",
            loop.interview_count,  # type: ignore[attr-defined]
            loop.submitted_count,  # type: ignore[attr-defined]
            loop.missing_count,  # type: ignore[attr-defined]
            loop.late_count,  # type: ignore[attr-defined]
            _local(loop.debrief_at),
            _local(loop.created_at),
        )
