"""Reads that the API and the pages share. Each owns its select_related/prefetch_related."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, QuerySet

from interviewloop.models import Interview
from interviewloop.roles import is_interviewer, is_recruiter
from scorecards.models import Dimension, DimensionScore, Phase, RedFlag, RedFlagMark, Scorecard, Thread, ThreadPulled

# One JOIN brings everything an interview row shows: loop, candidate, position, interviewer, note, scorecard.
INTERVIEW_ROW_RELATED = ("loop__candidate", "loop__position", "interviewer", "note", "scorecard")


def interview_rows() -> QuerySet[Interview]:
    """Interviews with everything their row shows, in one query (a list costs the same at any size)."""
    return Interview.objects.select_related(*INTERVIEW_ROW_RELATED).order_by("scheduled_start", "id")


def interviews_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Interview]:
    """What `user` may list: a recruiter every interview; an interviewer their own; anyone else nothing."""
    rows = interview_rows()
    if is_recruiter(user):
        return rows
    if is_interviewer(user):
        return rows.filter(interviewer_id=user.pk)
    return rows.none()


def own_interview(*, user: AbstractBaseUser | AnonymousUser, interview_id: int) -> Interview | None:
    """The interview `interview_id` if `user` is its interviewer, else None (the caller answers 404).

    Independence: another interviewer's interview, note and scorecard are "not found", not "forbidden".
    """
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        interview_rows()
        .select_related("rubric")
        .filter(pk=interview_id, interviewer_id=user.pk)  # type: ignore[misc]
        .first()
    )


def rubric_parts_prefetch() -> list[Prefetch]:
    """The ordered parts of a rubric, for `rubric__...` or a Rubric queryset."""
    return [
        Prefetch("dimensions", queryset=Dimension.objects.order_by("order", "id")),
        Prefetch("red_flags", queryset=RedFlag.objects.order_by("order", "id")),
        Prefetch("threads", queryset=Thread.objects.order_by("order", "id")),
        Prefetch("phases", queryset=Phase.objects.order_by("order", "id")),
    ]


def scorecard_with_parts(interview: Interview) -> Scorecard | None:
    """The interview's scorecard with its scores, red flags and threads (and their rubric keys), or None."""
    return (
        Scorecard.objects.filter(interview=interview)
        .prefetch_related(
            Prefetch("scores", queryset=DimensionScore.objects.select_related("dimension")),
            Prefetch("red_flags", queryset=RedFlagMark.objects.select_related("red_flag")),
            Prefetch("threads", queryset=ThreadPulled.objects.select_related("thread")),
        )
        .first()
    )
