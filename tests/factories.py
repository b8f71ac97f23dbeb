"""factory_boy factories. The rubric factory builds the guide's shape (8 dimensions, 8 red flags, 7 threads)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from debriefs.services import debrief_documents_refresh
from interviewloop.models import Candidate, Interview, Loop, Position
from scorecards.models import (
    Dimension,
    DimensionScore,
    GutCheckQuestion,
    Note,
    Phase,
    Question,
    QuestionBank,
    RedFlag,
    RedFlagMark,
    Rubric,
    Scorecard,
    Thread,
)

# The guide's "Final Gut Check" questions, as its rubric (fixtures/default_rubric) words them.
GUT_CHECK_QUESTIONS: dict[str, str] = {
    "work_with": "Would I want to work with this person?",
    "trust_day_one": "Would I trust them to own LLM reliability on Day 1?",
    "month_one_success": "Do I believe they'll hit Month 1 success criteria?",
}
GUT_CHECK_KEYS: tuple[str, ...] = tuple(GUT_CHECK_QUESTIONS)

DIMENSIONS = [
    # key, name, critical, required
    ("systems_thinking", "Systems Thinking", True, True),
    ("customer_empathy", "Customer Empathy", False, True),
    ("measurement", "Measurement", False, True),
    ("risk_management", "Risk Management", True, True),
    ("execution_bias", "Execution Bias", True, True),
    ("communication", "Communication", False, True),
    ("humility", "Humility", False, True),
    ("experience", "Experience", False, False),
]
RED_FLAGS = [
    "buzzword_soup", "no_curiosity", "overconfident", "no_failure_mode",
    "production_blindness", "defensive", "name_dropping", "analysis_paralysis",
]  # fmt: skip
THREADS = [
    "defining_the_problem", "metrics_and_measurement", "prevention_vs_reaction", "blast_radius_and_rollout_safety",
    "ownership_and_continuous_improvement", "customer_segmentation", "first_two_weeks",
]  # fmt: skip


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.LazyAttribute(lambda u: u.username.capitalize())
    password = factory.django.Password("pw-for-tests-only")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        if extracted == "admin":
            self.is_staff = self.is_superuser = True
            self.save(update_fields=["is_staff", "is_superuser"])
        else:
            # get_or_create: a transactional test's flush removes the groups the migration created.
            group, _ = Group.objects.get_or_create(
                name={"interviewer": "interviewers", "recruiter": "recruiters"}[extracted]
            )
            self.groups.add(group)


def iso(moment) -> str:
    """A datetime as the API writes it: ISO 8601, UTC as "Z"."""
    return moment.isoformat().replace("+00:00", "Z")


def make_rubric(
    *, status: str = Rubric.Status.PUBLISHED, name: str = "Guide rubric", version: int = 1, **fields
) -> Rubric:
    """A rubric of the guide's shape, built as a draft and then given `status`."""
    rubric = Rubric.objects.create(name=name, version=version, status=Rubric.Status.DRAFT, **fields)
    for order, (key, label, critical, required) in enumerate(DIMENSIONS):
        Dimension.objects.create(
            rubric=rubric, order=order, key=key, name=label, critical=critical, required=required,
            anchor_5=f"{label}: exceptional", anchor_3=f"{label}: solid", anchor_1=f"{label}: weak",
        )  # fmt: skip
    for order, key in enumerate(RED_FLAGS):
        RedFlag.objects.create(rubric=rubric, order=order, key=key, name=key.replace("_", " ").capitalize())
    for order, key in enumerate(THREADS):
        Thread.objects.create(rubric=rubric, order=order, key=key, title=key.replace("_", " ").capitalize())
    Phase.objects.create(rubric=rubric, order=0, name="Setup", minutes_min=5, minutes_max=5)
    for order, (key, text) in enumerate(GUT_CHECK_QUESTIONS.items()):
        GutCheckQuestion.objects.create(rubric=rubric, order=order, key=key, text=text)
    if status != Rubric.Status.DRAFT:
        rubric.status = status
        rubric.published_at = timezone.now()
        rubric.save()
    return rubric


# A coding round as seed 002 weighs it, with gut-check questions of its own (not the guide's keys).
CODING_DIMENSIONS = [
    # key, name, critical, weight
    ("technical_skills", "Technical Skills", True, 40),
    ("engineering_practices", "Engineering Practices", False, 30),
    ("problem_solving", "Problem Solving", False, 20),
    ("communication", "Communication", False, 10),
]
CODING_GUT_CHECK = {
    "ship_their_code": "Would I ship their code on Friday?",
    "pair_again": "Would I pair with them again?",
}


def make_weighted_rubric(*, name: str = "Coding round", status: str = Rubric.Status.PUBLISHED) -> Rubric:
    """A rubric weighted 40/30/20/10 with one red flag, one thread and two gut-check questions of its own."""
    rubric = Rubric.objects.create(name=name, key="coding_round", status=Rubric.Status.DRAFT)
    for order, (key, label, critical, weight) in enumerate(CODING_DIMENSIONS):
        Dimension.objects.create(
            rubric=rubric, order=order, key=key, name=label, critical=critical, weight=weight,
            anchor_5=f"{label}: exceptional", anchor_3=f"{label}: solid", anchor_1=f"{label}: weak",
        )  # fmt: skip
    RedFlag.objects.create(rubric=rubric, order=0, key="copy_paste", name="Copy-paste without understanding")
    Thread.objects.create(rubric=rubric, order=0, key="testing", title="How would you test it?")
    for order, (key, text) in enumerate(CODING_GUT_CHECK.items()):
        GutCheckQuestion.objects.create(rubric=rubric, order=order, key=key, text=text)
    if status != Rubric.Status.DRAFT:
        rubric.status = status
        rubric.published_at = timezone.now()
        rubric.save()
    return rubric


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    name = factory.Faker("name")
    email = factory.Faker("email")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    title = "Senior Pam Core Engineer (LLM Reliability)"
    rubric = factory.LazyFunction(lambda: Rubric.objects.filter(status="published").first() or make_rubric())


class LoopFactory(factory.django.DjangoModelFactory):
    class Meta:
        skip_postgeneration_save = True
        model = Loop

    candidate = factory.SubFactory(CandidateFactory)
    position = factory.SubFactory(PositionFactory)
    recruiter = factory.SubFactory(UserFactory, role="recruiter")

    @factory.post_generation
    def debrief(self, create, extracted, **kwargs):
        # Written straight to the database, so the stored debrief is rewritten here, as the services rewrite it.
        if create:
            debrief_documents_refresh(loop_ids=[self.pk])


class InterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        skip_postgeneration_save = True
        model = Interview

    loop = factory.SubFactory(LoopFactory)
    interviewer = factory.SubFactory(UserFactory, role="interviewer")
    rubric = factory.LazyAttribute(lambda i: i.loop.position.rubric)
    scheduled_start = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    scheduled_end = factory.LazyAttribute(lambda i: i.scheduled_start + timedelta(minutes=60))
    counts_toward_decision = True

    @factory.post_generation
    def debrief(self, create, extracted, **kwargs):
        # Written straight to the database, so the stored debrief is rewritten here, as the services rewrite it.
        if create:
            debrief_documents_refresh(loop_ids=[self.loop_id])


class NoteFactory(factory.django.DjangoModelFactory):
    """A five-minute note written on time (the interview must have ended)."""

    class Meta:
        model = Note
        skip_postgeneration_save = True

    interview = factory.SubFactory(InterviewFactory, ended_at=factory.LazyFunction(timezone.now))
    best_thing = "Asked who the users are before proposing anything."
    biggest_concern = "Vague on rollout safety."
    vote = "yes"
    want_to_work_with = "yes"
    due_at = factory.LazyAttribute(lambda n: n.interview.note_due_at or timezone.now())
    submitted_at = factory.LazyAttribute(lambda n: n.due_at - timedelta(minutes=1))

    @factory.post_generation
    def debrief(self, create, extracted, **kwargs):
        # Written straight to the database, so the stored debrief is rewritten here, as the services rewrite it.
        if create:
            debrief_documents_refresh(loop_ids=[self.interview.loop_id])


def make_scorecard(
    interview: Interview,
    *,
    vote: str = "yes",
    scores: dict[str, int] | int | None = 4,
    red_flags: tuple[str, ...] = (),
    submitted: bool = True,
    gut: str = "yes",
    at=None,
) -> Scorecard:
    """A scorecard on `interview` written straight to the database (no rule checks: for debrief and list tests).

    `scores` is one score for every dimension, or a mapping key → score. Services and API tests
    should go through `scorecards.services` instead, which enforce the rules.
    """
    rubric_dimensions = list(interview.rubric.dimensions.all())
    if isinstance(scores, int):
        scores = {dimension.key: scores for dimension in rubric_dimensions}
    scores = scores or {}
    when = at or timezone.now()
    scorecard = Scorecard.objects.create(
        interview=interview,
        status=Scorecard.Status.SUBMITTED if submitted else Scorecard.Status.DRAFT,
        vote=vote,
        summary=f"{interview.interviewer.username} says {vote}.",
        gut_check=dict.fromkeys(interview.rubric.gut_check_questions, gut) if gut else {},
        submitted_at=when if submitted else None,
    )
    DimensionScore.objects.bulk_create(
        DimensionScore(scorecard=scorecard, dimension=dimension, score=scores[dimension.key], evidence="Evidence.")
        for dimension in rubric_dimensions
        if dimension.key in scores
    )
    flags = {flag.key: flag for flag in interview.rubric.red_flags.all()}
    RedFlagMark.objects.bulk_create(
        RedFlagMark(scorecard=scorecard, red_flag=flags[key], evidence=f"Heard {key}.") for key in red_flags
    )
    debrief_documents_refresh(loop_ids=[interview.loop_id])  # as the services would
    return scorecard


def make_question(*, bank: str = "handbook", key: str = "q01", title: str = "Design a rollout", **fields) -> Question:
    """A bank question (the bank is made once per key)."""
    question_bank, _ = QuestionBank.objects.get_or_create(key=bank, defaults={"name": bank.replace("_", " ").title()})
    defaults = {"domain_name": "Reliability", "prompt": f"{title}?", "strong_answer": "Names a canary.\nRolls back."}
    return Question.objects.create(bank=question_bank, key=key, title=title, **(defaults | fields))
