"""The core of a hiring loop: who is interviewed, for what, by whom, and when."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from interviewloop import interview_rules
from scorecards import deadlines


class Decision(models.TextChoices):
    PENDING = "pending", "Pending"
    HIRE = "hire", "Hire"
    NO_HIRE = "no_hire", "No hire"


class Candidate(models.Model):
    """A person being interviewed. Name, email and phone are personal data: `erase_candidate` blanks them."""

    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    title = models.CharField(max_length=200)
    rubric = models.ForeignKey(
        "scorecards.Rubric",
        on_delete=models.PROTECT,
        related_name="positions",
        help_text="The default rubric for this position's interviews (a published version).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class Loop(models.Model):
    """One candidate's interviews for one position, owned by a recruiter.

    `decision` is what the rule ("One No = No Hire") says now, recomputed whenever a scorecard is
    submitted or amended; `outcome` is what the recruiter recorded, and closes the loop.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="loops")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="loops")
    recruiter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_loops")
    debrief_at = models.DateTimeField(null=True, blank=True, help_text="When the debrief meeting is held.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decision_changed_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The loops page: newest first, filtered by status and decision.
            models.Index(fields=["status", "decision", "-created_at"], name="loop_status_decision_idx"),
            # The loops list unfiltered (the recruiter's home): its page is the first rows of this index, joined to
            # their stored rows, whatever the number of loops.
            models.Index(fields=["-created_at", "-id"], name="loop_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} — {self.position}"


class Interview(models.Model):
    """A session of a loop. It pins the rubric version it is scored against, for good."""

    loop = models.ForeignKey(Loop, on_delete=models.CASCADE, related_name="interviews")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interviews")
    rubric = models.ForeignKey("scorecards.Rubric", on_delete=models.PROTECT, related_name="interviews")
    scheduled_start = models.DateTimeField()
    scheduled_end = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    counts_toward_decision = models.BooleanField(
        default=True, help_text="Off for a shadowing interviewer: their vote is shown but does not decide."
    )
    # DESIGN.md, "Every round of a loop": the round it was scheduled from, its focus dimensions (keys of the pinned
    # rubric; empty: all), the bank questions it asks (ids), and whether it is the independent bar raiser.
    round = models.ForeignKey(
        "interviewloop.RoundTemplate", on_delete=models.SET_NULL, null=True, blank=True, related_name="interviews"
    )
    focus = models.JSONField(
        default=list, blank=True, help_text="Dimension keys of its rubric required on its scorecard (empty: all)."
    )
    questions = models.JSONField(default=list, blank=True, help_text="Ids of the bank questions in its kit.")
    bar_raiser = models.BooleanField(default=False, help_text="The independent bar raiser: always counts.")
    # Cancelled by the recruiter (interviewloop.services.interview_cancel): it stays on the debrief, marked,
    # and no longer counts, waits for a scorecard, or reminds anyone.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=2000, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # RFC 5545 SEQUENCE of its calendar event: up on every reschedule, change of interviewer and cancel, so a
    # calendar replaces the event it has (interviewloop.calendar).
    calendar_sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheduled_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scheduled_end__gt=models.F("scheduled_start")), name="interview_end_after_start"
            ),
            models.UniqueConstraint(fields=["loop", "interviewer"], name="one_interview_per_interviewer_per_loop"),
            # "Bar raiser: always counts toward the decision" (a cancel stops any interview counting).
            models.CheckConstraint(
                condition=Q(bar_raiser=False) | Q(counts_toward_decision=True) | Q(cancelled_at__isnull=False),
                name="interview_bar_raiser_counts",
            ),
        ]
        indexes = [
            # My interviews: an interviewer's sessions by time.
            models.Index(fields=["interviewer", "scheduled_start"], name="interview_by_interviewer_idx"),
            # The periodic sweep: sessions past their scheduled end that nobody ended.
            models.Index(fields=["scheduled_end"], condition=Q(ended_at__isnull=True), name="interview_not_ended_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.loop} with {self.interviewer}"

    @property
    def note_due_at(self) -> datetime | None:
        return deadlines.note_due_at(self.ended_at)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.ended_at is not None and self.ended_at <= (now or timezone.now())

    def clean(self) -> None:
        """The admin's check of what `interview_schedule` refuses too: a bar raiser that would not count, focus keys
        its rubric does not have, unknown questions."""
        refusal = interview_rules.bar_raiser_refusal(
            bar_raiser=self.bar_raiser, counts_toward_decision=self.counts_toward_decision or self.cancelled
        )
        if refusal is not None:
            raise ValidationError({"counts_toward_decision": ValidationError(refusal.detail, code=refusal.code)})
        problem = round_problem(
            rubric=self.rubric if self.rubric_id else None, focus=self.focus, questions=self.questions
        )
        if problem is not None:
            raise ValidationError({problem[0]: ValidationError(problem[2], code=problem[1])})


# API tokens and profiles live beside the code that issues, checks and reads them; imported here so Django
# registers the models.
from interviewloop.calendar_feeds import CalendarFeed  # noqa: E402, F401
from interviewloop.profiles import Profile  # noqa: E402, F401
from interviewloop.rounds import RoundTemplate, round_problem  # noqa: E402, F401
from interviewloop.tokens import ApiToken  # noqa: E402, F401
