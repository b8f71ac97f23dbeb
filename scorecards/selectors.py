"""Reads that the API and the pages share. Each owns its select_related/prefetch_related, or reads plain values."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.db.models.signals import post_delete, post_save

from interviewloop.models import Interview
from interviewloop.roles import is_interviewer, is_recruiter
from scorecards import deadlines, rules
from scorecards.models import (
    Dimension,
    DimensionScore,
    GutCheckQuestion,
    NoteQuestion,
    Phase,
    RedFlag,
    RedFlagMark,
    Rubric,
    Scorecard,
    ScorecardAmendment,
    Thread,
    ThreadPulled,
)

# What an interview page reads with the interview: its loop, candidate, position, interviewer, note and scorecard.
INTERVIEW_ROW_RELATED = ("loop__candidate", "loop__position", "interviewer", "note", "scorecard")
NOT_STARTED = "not_started"  # the scorecard status of an interview without a scorecard row yet


# An interview row's keys and the columns they are read from: one JOIN, exactly what a row shows.
ROW_COLUMNS = {
    "id": "id",
    "loop_id": "loop_id",
    "rubric_id": "rubric_id",
    "scheduled_start": "scheduled_start",
    "scheduled_end": "scheduled_end",
    "ended_at": "ended_at",
    "counts_toward_decision": "counts_toward_decision",
    "candidate": "loop__candidate__name",
    "position": "loop__position__title",
    "interviewer_username": "interviewer__username",
    "note_submitted_at": "note__submitted_at",
    "scorecard_status": "scorecard__status",
}


def rows_of(interviews: QuerySet[Interview, Any]) -> list[dict[str, Any]]:
    """`interviews` (filtered, ordered, even sliced) as interview rows, in one query: plain values, no model built,
    none of the columns a row does not show (`scorecards.serializers.InterviewSerializer`, the my-interviews page).

    Each row has the keys of ROW_COLUMNS, with `scorecard_status` "not_started" when there is no scorecard yet,
    and `note_due_at` (`scorecards.deadlines`). Plain column paths, not F() annotations: Django compiles those
    in a third of the time, which was most of a list page's cost.
    """
    rows = []
    for values in interviews.values_list(*ROW_COLUMNS.values()):
        row = dict(zip(ROW_COLUMNS, values, strict=True))
        row["scorecard_status"] = row["scorecard_status"] or NOT_STARTED
        row["note_due_at"] = deadlines.note_due_at(row["ended_at"])
        rows.append(row)
    return rows


def interview_row(interview_id: int) -> dict[str, Any]:
    """The row of one interview (`rows_of`), for the answer of a write on it."""
    [row] = rows_of(Interview.objects.filter(pk=interview_id))
    return row


def interviews_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Interview]:
    """What `user` may list, as interviews: a recruiter every interview; an interviewer their own but the cancelled
    ones (they were told by email); anyone else nothing."""
    return _visible_to(user, Interview.objects.select_related(*INTERVIEW_ROW_RELATED))


def interview_list(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Interview]:
    """The interviews `user` may list (`interviews_for`) in time order, bare: to filter, count and page; each page
    is read as rows with `rows_of` (counting the bare table joins nothing)."""
    return _visible_to(user, Interview.objects.order_by("scheduled_start", "id"))


class InterviewRows:
    """A selection of interviews as Django's Paginator (and DRF's) takes it: `count()` on the bare selection, and
    each page (a slice) read as rows (`rows_of`), one query each."""

    def __init__(self, interviews: QuerySet[Interview]) -> None:
        self.interviews = interviews

    def count(self) -> int:
        return self.interviews.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return rows_of(self.interviews[page])


def row_note_status(row: dict[str, Any], *, now: datetime) -> str:
    """The five-minute note's state of a row of `rows_of()` at `now`."""
    return rules.note_status(
        ended_at=row["ended_at"], note_due_at=row["note_due_at"], note_submitted_at=row["note_submitted_at"], now=now
    )


def _visible_to(user: AbstractBaseUser | AnonymousUser, rows: QuerySet[Interview, Any]) -> QuerySet[Interview, Any]:
    if is_recruiter(user):
        return rows.all()
    if is_interviewer(user):
        return rows.filter(interviewer_id=user.pk, cancelled_at__isnull=True)
    return rows.none()


def own_interview(*, user: AbstractBaseUser | AnonymousUser, interview_id: int) -> Interview | None:
    """The interview `interview_id` if `user` is its interviewer, else None (the caller answers 404).

    Independence: another interviewer's interview, note and scorecard are "not found", not "forbidden".
    """
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Interview.objects.select_related(*INTERVIEW_ROW_RELATED, "rubric")
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
        Prefetch("gut_checks", queryset=GutCheckQuestion.objects.order_by("order", "id")),
        Prefetch("note_prompts", queryset=NoteQuestion.objects.order_by("order", "id")),
    ]


def rubric_with_parts(rubric_id: int) -> Rubric:
    """A rubric version with its ordered dimensions, red flags, threads and phases (five queries)."""
    return Rubric.objects.prefetch_related(*rubric_parts_prefetch()).get(pk=rubric_id)


# The rubric row's long texts: the scorecard's writes read only its name, version, status and thresholds.
RUBRIC_TEXTS = (
    "rubric__description",
    "rubric__problem_statement",
)


def interview_to_score(*, user: AbstractBaseUser | AnonymousUser, interview_id: int) -> Interview | None:
    """`own_interview` for the scorecard's draft and submit: the same interview or None (the caller answers 404),
    with only what they use: its loop and its pinned rubric version (without the rubric's long texts).

    One query: the interview joined to its loop and rubric.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Interview.objects.select_related("loop", "rubric")
        .defer(*RUBRIC_TEXTS)
        .filter(pk=interview_id, interviewer_id=user.pk)  # type: ignore[misc]
        .first()
    )


def scorecard_with_parts(interview: Interview) -> Scorecard | None:
    """The interview's scorecard with its scores, red flags and threads (and their rubric keys), or None.

    Five queries. The parts bring only their rubric part's key, not its long texts, and each amendment only
    its author's username: all that the scorecard document and form read.
    """
    return (
        Scorecard.objects.filter(interview=interview)
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=DimensionScore.objects.select_related("dimension").only(
                    "scorecard_id", "dimension_id", "score", "evidence", "dimension__key"
                ),
            ),
            Prefetch(
                "red_flags",
                queryset=RedFlagMark.objects.select_related("red_flag").only(
                    "scorecard_id", "red_flag_id", "evidence", "red_flag__key"
                ),
            ),
            Prefetch(
                "threads",
                queryset=ThreadPulled.objects.select_related("thread").only(
                    "scorecard_id", "thread_id", "signal", "notes", "thread__key"
                ),
            ),
            Prefetch(
                "amendments",
                queryset=ScorecardAmendment.objects.select_related("amended_by").only(
                    "scorecard_id", "previous", "previous_vote", "reason", "amended_at", "amended_by__username"
                ),
            ),
        )
        .first()
    )


@dataclass(frozen=True)
class PinnedRubric:
    """A rubric version as the rules and forms see it: its parts by key, and the rule inputs.

    The one place that turns a rubric row into `rules.DimensionSpec`s and `rules.Thresholds`.
    """

    rubric: Rubric
    dimensions: dict[str, Dimension]
    red_flags: dict[str, RedFlag]
    threads: dict[str, Thread]
    specs: tuple[rules.DimensionSpec, ...]
    thresholds: rules.Thresholds
    red_flag_names: dict[str, str]
    gut_check_questions: dict[str, str]  # key → wording, in order: what the scorecard's gut check answers

    @property
    def weights_differ(self) -> bool:
        """Whether a scorecard of this rubric has a weighted score beside its plain mean."""
        return rules.weights_differ(self.specs)


# Published and retired versions never change (Rubric.save refuses it, the admin edits drafts only), so their
# parts are read once per process. A draft is read every time. Any save or delete of a rubric or of a part
# empties the cache anyway (a test database reuses ids), and an entry is used only for the same version row.
_PINNED: dict[int, PinnedRubric] = {}
_PINNED_LOCK = threading.Lock()


def _forget_pinned(**_: Any) -> None:
    with _PINNED_LOCK:
        _PINNED.clear()


for _model in (Rubric, Dimension, RedFlag, Thread, GutCheckQuestion):
    post_save.connect(_forget_pinned, sender=_model, dispatch_uid=f"forget-pinned-{_model.__name__}")
    post_delete.connect(_forget_pinned, sender=_model, dispatch_uid=f"forget-pinned-delete-{_model.__name__}")


def _same_version(cached: Rubric, rubric: Rubric) -> bool:
    return (cached.name, cached.version, cached.created_at) == (rubric.name, rubric.version, rubric.created_at)


def pinned_rubric(rubric: Rubric) -> PinnedRubric:
    """The rubric's dimensions, red flags, threads and gut-check questions in order: four queries for a draft, none
    for a published or retired version already read by this process (the returned `rubric` is always the caller's
    row)."""
    # Only a version that can no longer change (rules.rubric_is_editable) may be served from the cache.
    if rubric.is_editable or rubric.pk is None:
        return _read_pinned(rubric)
    cached = _PINNED.get(rubric.pk)
    if cached is None or not _same_version(cached.rubric, rubric):
        cached = _read_pinned(rubric)
        with _PINNED_LOCK:
            _PINNED[rubric.pk] = cached
    return cached if cached.rubric is rubric else replace(cached, rubric=rubric)


def focused(pinned: PinnedRubric, focus: Sequence[str]) -> PinnedRubric:
    """The pinned rubric as an interview with `focus` is scored: its focus dimensions required, the others optional
    (`rules.focus_specs`); no focus: the rubric as it is. The one place completeness learns an interview's focus."""
    if not focus:
        return pinned
    return replace(pinned, specs=rules.focus_specs(pinned.specs, focus))


def _read_pinned(rubric: Rubric) -> PinnedRubric:
    dimensions = {d.key: d for d in Dimension.objects.filter(rubric=rubric).order_by("order", "id")}
    red_flags = {f.key: f for f in RedFlag.objects.filter(rubric=rubric).order_by("order", "id")}
    threads = {t.key: t for t in Thread.objects.filter(rubric=rubric).order_by("order", "id")}
    gut_checks = GutCheckQuestion.objects.filter(rubric=rubric).order_by("order", "id").values_list("key", "text")
    return PinnedRubric(
        rubric=rubric,
        dimensions=dimensions,
        red_flags=red_flags,
        threads=threads,
        specs=tuple(
            rules.DimensionSpec(key=d.key, name=d.name, critical=d.critical, required=d.required, weight=d.weight)
            for d in dimensions.values()
        ),
        thresholds=rules.Thresholds(
            red_flags_for_strong_no=rubric.red_flags_for_strong_no,
            ones_fraction_for_strong_no=rubric.ones_fraction_for_strong_no,
            yes_min_fraction_at_3=rubric.yes_min_fraction_at_3,
            strong_yes_min_fraction_at_4=rubric.strong_yes_min_fraction_at_4,
            strong_yes_critical_min=rubric.strong_yes_critical_min,
            evidence_required_for_extremes=rubric.evidence_required_for_extremes,
        ),
        red_flag_names={key: flag.name for key, flag in red_flags.items()},
        gut_check_questions=dict(gut_checks),
    )
