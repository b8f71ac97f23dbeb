"""Rubrics (versioned) and what interviewers write against them: the note and the scorecard."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from simple_history.models import HistoricalRecords

from scorecards.rules import rubric_is_editable


class Vote(models.TextChoices):
    """Lowest to highest. There is no neutral vote: "If you're not sure, it's a No"."""

    STRONG_NO = "strong_no", "Strong No"
    NO = "no", "No"
    YES = "yes", "Yes"
    STRONG_YES = "strong_yes", "Strong Yes"


class GutAnswer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "Not sure"


class Signal(models.TextChoices):
    GREAT = "great", "Great"
    OKAY = "okay", "Okay"
    BAD = "bad", "Bad"


class RubricNotEditable(ValidationError):
    """Raised when anything of a published or retired rubric version would change."""


class RubricManager(models.Manager["Rubric"]):
    def get_by_natural_key(self, name: str, version: int) -> Rubric:
        """A rubric version is its name and version: fixtures name it so, never by id (see `natural_key`)."""
        return self.get(name=name, version=version)


class Rubric(models.Model):
    """One version of a rubric. Published versions are immutable: editing means "new version from this"."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    role = models.CharField(max_length=200, blank=True, help_text="The position the guide was written for.")
    description = models.TextField(blank=True)
    problem_statement = models.TextField(blank=True)
    key = models.SlugField(
        max_length=60,
        blank=True,
        help_text="The rubric template this is (e.g. default_rubric, coding_round); the same for every version.",
    )
    # Rule thresholds (Scoring Framework / Red Flags). Defaults are the guide's.
    red_flags_for_strong_no = models.PositiveSmallIntegerField(
        default=2, help_text='Red Flags: "If you hear 2+ of these, it\'s a Strong No regardless of other signals."'
    )
    ones_fraction_for_strong_no = models.FloatField(
        default=0.5, help_text='"1\'s across board": at least this share of scored dimensions at 1 is a Strong No.'
    )
    yes_min_fraction_at_3 = models.FloatField(
        default=0.5, help_text='"Yes: mostly 3-4\'s": at least this share of scored dimensions at 3 or more.'
    )
    strong_yes_min_fraction_at_4 = models.FloatField(
        default=0.5, help_text='"Strong Yes: 4-5 on most": more than this share of scored dimensions at 4 or more.'
    )
    strong_yes_critical_min = models.PositiveSmallIntegerField(
        default=4, help_text='"especially Systems + Risk + Execution": every critical dimension at least this.'
    )
    evidence_required_for_extremes = models.BooleanField(
        default=True, help_text="A score of 1 or 5 must carry written evidence."
    )
    based_on = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = RubricManager()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="rubric_name_version_unique"),
            models.CheckConstraint(
                condition=Q(ones_fraction_for_strong_no__gt=0, ones_fraction_for_strong_no__lte=1),
                name="rubric_ones_fraction_range",
            ),
            models.CheckConstraint(
                condition=Q(yes_min_fraction_at_3__gte=0, yes_min_fraction_at_3__lte=1),
                name="rubric_yes_fraction_range",
            ),
            models.CheckConstraint(
                condition=Q(strong_yes_min_fraction_at_4__gte=0, strong_yes_min_fraction_at_4__lt=1),
                name="rubric_strong_yes_fraction_range",
            ),
            models.CheckConstraint(
                condition=Q(strong_yes_critical_min__gte=1, strong_yes_critical_min__lte=5),
                name="rubric_critical_min_range",
            ),
            models.CheckConstraint(condition=Q(red_flags_for_strong_no__gte=1), name="rubric_red_flags_min"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.status})"

    def natural_key(self) -> tuple[str, int]:
        # Fixtures without ids (fixtures/rubric_templates.json) find an already-loaded version by this, so
        # loading twice changes nothing and never overwrites whatever row holds the same id in someone's database.
        return (self.name, self.version)

    @property
    def is_editable(self) -> bool:
        return rubric_is_editable(self.status)

    @property
    def gut_check_questions(self) -> dict[str, str]:
        """The gut-check questions in order, key → wording (`prefetch_related("gut_checks")` saves the query)."""
        return {question.key: question.text for question in self.gut_checks.all()}

    @property
    def note_questions(self) -> dict[str, str]:
        """How this rubric words the note's questions, field → wording; a field it leaves out keeps the default."""
        return {prompt.field: prompt.text for prompt in self.note_prompts.all()}

    def save(self, *args, **kwargs):
        # Only the status (publish, retire) may change on a version that left draft.
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).first()
            if stored is not None and not stored.is_editable:
                frozen = [
                    f.attname
                    for f in self._meta.concrete_fields
                    if f.attname not in ("status", "published_at", "retired_at")
                    and getattr(self, f.attname) != getattr(stored, f.attname)
                ]
                if frozen:
                    raise RubricNotEditable(
                        f"{stored} is {stored.status} and cannot be changed ({', '.join(frozen)}); "
                        "create a new version from it instead."
                    )
        super().save(*args, **kwargs)


class RubricPartManager(models.Manager[Any]):
    def get_by_natural_key(self, rubric_name: str, rubric_version: int, part: Any) -> Any:
        return self.get(
            rubric__name=rubric_name, rubric__version=rubric_version, **{self.model.natural_key_field: part}
        )


class RubricPart(models.Model):
    """An ordered part of a rubric version; frozen with the version."""

    order = models.PositiveSmallIntegerField(default=0)

    # What names the part within its version: its key (a phase: its place; a note question: its field).
    natural_key_field: ClassVar[str] = "key"

    objects = RubricPartManager()

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def natural_key(self) -> tuple[Any, ...]:
        """The rubric version's natural key and the part's own (`natural_key_field`), as fixtures name it."""
        return (*self.rubric.natural_key(), getattr(self, self.natural_key_field))  # type: ignore[attr-defined]

    natural_key.dependencies = ["scorecards.rubric"]  # type: ignore[attr-defined]

    def _check_editable(self) -> None:
        rubric = Rubric.objects.only("status", "name", "version").get(pk=self.rubric_id)  # type: ignore[attr-defined]
        if not rubric.is_editable:
            raise RubricNotEditable(
                f"{rubric} is {rubric.status}: its {self._meta.verbose_name_plural} cannot be changed; "
                "create a new version from it instead."
            )

    def save(self, *args, **kwargs):
        self._check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_editable()
        return super().delete(*args, **kwargs)


class Dimension(RubricPart):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    anchor_5 = models.TextField("5 (Exceptional)", blank=True)
    anchor_3 = models.TextField("3 (Solid)", blank=True)
    anchor_1 = models.TextField("1 (Weak)", blank=True)
    critical = models.BooleanField(default=False)
    required = models.BooleanField(default=True)
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=1)

    class Meta(RubricPart.Meta):
        constraints = [models.UniqueConstraint(fields=["rubric", "key"], name="dimension_key_unique_in_rubric")]

    def __str__(self) -> str:
        return self.name


class RedFlag(RubricPart):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="red_flags")
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    sounds_like = models.TextField("what it sounds like", blank=True)
    why_dangerous = models.TextField("why it's dangerous", blank=True)

    class Meta(RubricPart.Meta):
        constraints = [models.UniqueConstraint(fields=["rubric", "key"], name="red_flag_key_unique_in_rubric")]

    def __str__(self) -> str:
        return self.name


class Thread(RubricPart):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="threads")
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    when_to_pull = models.TextField(blank=True)
    what_to_ask = models.TextField(blank=True)
    why_it_matters = models.TextField(blank=True)
    great_example = models.TextField(blank=True)
    great_signals = models.TextField(blank=True, help_text="One signal a line.")
    okay_example = models.TextField(blank=True)
    bad_example = models.TextField(blank=True)
    follow_up = models.TextField(blank=True)

    class Meta(RubricPart.Meta):
        constraints = [models.UniqueConstraint(fields=["rubric", "key"], name="thread_key_unique_in_rubric")]

    def __str__(self) -> str:
        return self.title


class Phase(RubricPart):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="phases")
    natural_key_field = "order"
    name = models.CharField(max_length=120)
    minutes_min = models.PositiveSmallIntegerField()
    minutes_max = models.PositiveSmallIntegerField()
    guidance = models.TextField(blank=True)

    class Meta(RubricPart.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(minutes_max__gte=models.F("minutes_min")), name="phase_timebox_order")
        ]

    def __str__(self) -> str:
        return self.name


class GutCheckQuestion(RubricPart):
    """A gut-check question, answered yes / no / not sure: any doubt caps the vote at No ("your vote is No")."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="gut_checks")
    key = models.SlugField(max_length=60)
    text = models.CharField(max_length=300)

    class Meta(RubricPart.Meta):
        verbose_name = "gut-check question"
        constraints = [models.UniqueConstraint(fields=["rubric", "key"], name="gut_check_key_unique_in_rubric")]

    def __str__(self) -> str:
        return self.text


# What may differ between a fixture and a loaded version without it being another text: where it is in its life.
_LIFECYCLE_FIELDS = ("status", "published_at", "retired_at")


def _frozen_on_load(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """`loaddata` saves raw, past `Rubric.save`'s guard; this keeps a version that left draft as it is.

    Loading the same text again changes nothing, even after the version was retired (it is not published again).
    A fixture row that would change a published or retired row (another text, or someone else's rubric at the id
    the fixture names) is refused: the load stops, and its transaction writes nothing.
    """
    if not raw or instance.pk is None:
        return
    stored: Any
    owner: Rubric | None
    if sender is Rubric:
        stored = owner = Rubric.objects.filter(pk=instance.pk).first()
    else:
        stored = sender.objects.filter(pk=instance.pk).select_related("rubric").first()
        owner = stored.rubric if stored is not None else None
    if owner is None or owner.is_editable:
        return
    changed = [
        field.attname
        for field in sender._meta.concrete_fields
        if field.attname not in _LIFECYCLE_FIELDS and getattr(instance, field.attname) != getattr(stored, field.attname)
    ]
    if changed:
        raise RubricNotEditable(
            f"Loading would change {sender._meta.verbose_name} {instance.pk} of {owner}, which is {owner.status} "
            f"({', '.join(changed)}); nothing was loaded. Load a fixture of a new version instead."
        )
    for name in _LIFECYCLE_FIELDS:
        if hasattr(stored, name):
            setattr(instance, name, getattr(stored, name))


for _frozen_model in (Rubric, Dimension, RedFlag, Thread, Phase, GutCheckQuestion):
    pre_save.connect(_frozen_on_load, sender=_frozen_model, dispatch_uid=f"frozen-on-load-{_frozen_model.__name__}")


class NoteField(models.TextChoices):
    """The five-minute note's four questions (Post-Interview: Immediate Debrief); a rubric words them."""

    BEST_THING = "best_thing", "Best thing they said"
    BIGGEST_CONCERN = "biggest_concern", "Biggest concern"
    VOTE = "vote", "Your vote"
    WANT_TO_WORK_WITH = "want_to_work_with", "Would you want to work with them?"


class NoteQuestion(RubricPart):
    """How a rubric words one of the note's four fixed questions."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="note_prompts")
    field = models.CharField(max_length=20, choices=NoteField.choices)
    natural_key_field = "field"
    text = models.CharField(max_length=300)

    class Meta(RubricPart.Meta):
        verbose_name = "note question"
        constraints = [models.UniqueConstraint(fields=["rubric", "field"], name="note_field_unique_in_rubric")]

    def __str__(self) -> str:
        return self.text


pre_save.connect(_frozen_on_load, sender=NoteQuestion, dispatch_uid="frozen-on-load-NoteQuestion")


class Note(models.Model):
    """The five-minute note (Post-Interview: Immediate Debrief). Written once."""

    interview = models.OneToOneField("interviewloop.Interview", on_delete=models.CASCADE, related_name="note")
    best_thing = models.TextField()
    biggest_concern = models.TextField()
    vote = models.CharField(max_length=12, choices=Vote.choices)
    want_to_work_with = models.CharField(max_length=10, choices=GutAnswer.choices)
    submitted_at = models.DateTimeField()
    due_at = models.DateTimeField()
    history = HistoricalRecords()

    @property
    def on_time(self) -> bool:
        return self.submitted_at <= self.due_at

    def __str__(self) -> str:
        return f"Note on {self.interview_id}"


class Scorecard(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    interview = models.OneToOneField("interviewloop.Interview", on_delete=models.CASCADE, related_name="scorecard")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    vote = models.CharField(max_length=12, choices=Vote.choices, blank=True)
    summary = models.TextField(blank=True)
    gut_check = models.JSONField(
        default=dict,
        blank=True,
        help_text="The gut-check answers, {question key: yes / no / not_sure}, keyed by the pinned rubric's questions.",
    )
    # The kit's bank questions as answered: [{id, asked, signal, notes}] for the interview's own questions only
    # (scorecards.question_answers checks them).
    questions = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    amended_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False, vote__gt=""),
                name="submitted_scorecard_has_vote_and_time",
            )
        ]
        indexes = [
            # "Scorecards to finish" and the overdue reminders look for drafts.
            models.Index(fields=["status"], name="scorecard_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Scorecard on {self.interview_id} ({self.status})"


class DimensionScore(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="scores")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["dimension__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "dimension"], name="one_score_per_dimension"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5), name="score_between_1_and_5"
            ),
        ]

    def __str__(self) -> str:
        return f"Dimension {self.dimension_id} = {self.score} on scorecard {self.scorecard_id}"


class RedFlagMark(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="red_flags")
    red_flag = models.ForeignKey(RedFlag, on_delete=models.PROTECT, related_name="+")
    evidence = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["red_flag__order", "id"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "red_flag"], name="one_mark_per_red_flag")]

    def __str__(self) -> str:
        return f"Red flag {self.red_flag_id} on scorecard {self.scorecard_id}"


class ThreadPulled(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="threads")
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="+")
    signal = models.CharField(max_length=8, choices=Signal.choices, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "threads pulled"
        ordering = ["thread__order", "id"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "thread"], name="one_entry_per_thread")]

    def __str__(self) -> str:
        return f"Thread {self.thread_id} on scorecard {self.scorecard_id}: {self.signal or 'no signal'}"


class ScorecardAmendment(models.Model):
    """A change to a submitted scorecard: the previous version as it was, and why it changed."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="amendments")
    previous = models.JSONField(help_text="The submitted scorecard before this amendment, in the API's body shape.")
    previous_vote = models.CharField(max_length=12, choices=Vote.choices)
    reason = models.TextField()
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amended_at = models.DateTimeField()

    class Meta:
        ordering = ["amended_at", "id"]

    def __str__(self) -> str:
        return f"Amendment of scorecard {self.scorecard_id} at {self.amended_at:%Y-%m-%d %H:%M}"


# --- Question banks -----------------------------------------------------------------------------------
# Defined in their own module; imported here because Django registers an app's models from `<app>.models`.
from scorecards.questions import Question, QuestionBank, QuestionTag  # noqa: E402, F401
