"""Round templates: the ordered rounds a position's loop is made of (DESIGN.md, "Every round of a loop").

A round carries what an interview scheduled from it starts with: its rubric, length, focus dimensions, bank
questions, whether it counts, and whether it is the independent bar raiser. `POST /api/loops/{id}/interviews/`
with `round` fills the interview from it (`interviewloop.services.interview_schedule`); the schedule page offers a
position's rounds as rows. Publishing a rubric moves the rounds that used its previous version
(`scorecards.rubrics.rubric_publish`). The model's `clean()` is the admin's check; the services run the same rules.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from interviewloop import interview_rules
from scorecards.models import Dimension, Question


class RoundTemplate(models.Model):
    position = models.ForeignKey("interviewloop.Position", on_delete=models.CASCADE, related_name="rounds")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    rubric = models.ForeignKey("scorecards.Rubric", on_delete=models.PROTECT, related_name="round_templates")
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    focus = models.JSONField(
        default=list, blank=True, help_text='Dimension keys of the rubric, e.g. ["ownership", "dive_deep"]; empty: all.'
    )
    questions = models.JSONField(default=list, blank=True, help_text="Ids of bank questions, e.g. [12, 40].")
    counts_toward_decision = models.BooleanField(default=True)
    bar_raiser = models.BooleanField(default=False, help_text="The independent bar raiser: always counts.")

    class Meta:
        ordering = ["position_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(bar_raiser=False) | Q(counts_toward_decision=True), name="round_bar_raiser_counts"
            ),
            models.CheckConstraint(condition=Q(duration_minutes__gte=5), name="round_duration_min"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        refusal = interview_rules.bar_raiser_refusal(
            bar_raiser=self.bar_raiser, counts_toward_decision=self.counts_toward_decision
        )
        if refusal is not None:
            errors["counts_toward_decision"] = ValidationError(refusal.detail, code=refusal.code)
        problem = round_problem(
            rubric=self.rubric if self.rubric_id else None, focus=self.focus, questions=self.questions
        )
        if problem is not None:
            errors[problem[0]] = ValidationError(problem[2], code=problem[1])
        if errors:
            raise ValidationError(errors)


def round_problem(*, rubric: Any, focus: Any, questions: Any) -> tuple[str, str, str] | None:
    """What is wrong with a round's (or an interview's) focus and questions, as (field, code, detail), or None:
    focus keys that are not dimensions of `rubric` (`unknown_dimension`), question ids no bank has
    (`unknown_question`), or a value that is not a list of keys / ids (`invalid`)."""
    if not isinstance(focus, list) or not all(isinstance(key, str) for key in focus):
        return ("focus", "invalid", "focus must be a list of dimension keys.")
    if not isinstance(questions, list) or not all(isinstance(pk, int) and not isinstance(pk, bool) for pk in questions):
        return ("questions", "invalid", "questions must be a list of question ids.")
    if rubric is not None and focus:
        keys = set(Dimension.objects.filter(rubric=rubric).values_list("key", flat=True))
        unknown = interview_rules.unknown_focus(focus, keys)
        if unknown:
            return (
                "focus",
                "unknown_dimension",
                f"{', '.join(unknown)}: not a dimension of {rubric}, the rubric this round is scored against.",
            )
    if questions:
        known = set(Question.objects.filter(pk__in=questions).values_list("pk", flat=True))
        missing = [pk for pk in questions if pk not in known]
        if missing:
            return ("questions", "unknown_question", f"No question bank has the question(s) {missing}.")
    return None
