"""Question banks (DESIGN.md, "Every round of a loop": Question banks): the questions an interview kit can carry.

Banks come from files (`manage.py import_questions`, parsed by `scorecards.questions_parser`) and admins edit them
in Django admin. A question keeps its `id` for good: a later `Interview.questions` refers to questions by id, and
the "not asked twice in a loop" rule (409 `question_repeated`) will be a row per (loop, question) pair in a through
table beside it. So an import never deletes a question that left its file; it only reports it.

Imported here from `scorecards.models`, which is where Django looks for the app's models.
"""

from __future__ import annotations

from django.db import models

from scorecards.questions_parser import (
    MAX_BANK_KEY,
    MAX_BANK_NAME,
    MAX_DOMAIN_NAME,
    MAX_QUESTION_KEY,
    MAX_TAG,
    MAX_TITLE,
    SHAPE_HANDBOOK,
    SHAPE_TEMPLATE,
    slug,
)


class Difficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


class QuestionBank(models.Model):
    class Source(models.TextChoices):
        TEMPLATE = SHAPE_TEMPLATE, "Markdown template (### Q:, Difficulty, Tags, …)"
        HANDBOOK = SHAPE_HANDBOOK, "Handbook (Q01 markers, domains in the contents)"
        ADMIN = "admin", "Written in admin"

    key = models.SlugField(max_length=MAX_BANK_KEY, unique=True, help_text="Stable: the slug of the bank's name.")
    name = models.CharField(max_length=MAX_BANK_NAME)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ADMIN)
    imported_at = models.DateTimeField(null=True, blank=True, help_text="When a file last changed it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class QuestionTag(models.Model):
    """A tag, once: questions share tag rows, so `?tag=` is an indexed join on every database."""

    slug = models.SlugField(max_length=MAX_TAG, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Question(models.Model):
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(
        max_length=MAX_QUESTION_KEY, help_text="Stable within the bank: `q01`… (handbook) or the slug of the title."
    )
    order = models.PositiveIntegerField(default=0, help_text="Position in the bank's file.")
    domain = models.SlugField(max_length=MAX_QUESTION_KEY, editable=False, help_text="The slug of the domain's name.")
    domain_name = models.CharField("domain", max_length=MAX_DOMAIN_NAME, help_text="The section of the bank.")
    difficulty = models.CharField(max_length=10, choices=Difficulty.choices, null=True, blank=True)
    tags = models.ManyToManyField(QuestionTag, related_name="questions", blank=True)
    title = models.CharField(max_length=MAX_TITLE)
    prompt = models.TextField(help_text="What the interviewer asks.")
    strong_answer = models.TextField(blank=True, help_text="What a strong answer includes: one point a line.")
    pitfalls = models.TextField(blank=True, help_text="Common pitfalls: one a line.")
    insight = models.TextField(blank=True, help_text="The key insight, in the team's own words.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bank_id", "order", "id"]
        constraints = [
            # The import finds a question again by its key: `import_questions` is idempotent.
            models.UniqueConstraint(fields=["bank", "key"], name="question_key_unique_in_bank"),
        ]
        indexes = [
            # GET /api/questions/?bank=&domain= (the bank alone uses the index's first column).
            models.Index(fields=["bank", "domain"], name="question_bank_domain_idx"),
            # GET /api/questions/?difficulty=
            models.Index(fields=["difficulty"], name="question_difficulty_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # The filterable key of the domain follows its name (the import computes it the same way).
        self.domain = slug(self.domain_name, MAX_QUESTION_KEY)
        super().save(*args, **kwargs)


def lines_of(text: str) -> list[str]:
    """A one-point-a-line field as the API's list."""
    return [line.strip() for line in text.splitlines() if line.strip()]
