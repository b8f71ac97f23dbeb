"""factory_boy factories. The rubric factory builds the guide's shape (8 dimensions, 8 red flags, 7 threads)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from interviewloop.models import Candidate, Interview, Loop, Position
from scorecards.models import Dimension, Phase, RedFlag, Rubric, Thread

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
            self.groups.add(
                Group.objects.get(name={"interviewer": "interviewers", "recruiter": "recruiters"}[extracted])
            )


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
        model = Loop

    candidate = factory.SubFactory(CandidateFactory)
    position = factory.SubFactory(PositionFactory)
    recruiter = factory.SubFactory(UserFactory, role="recruiter")


class InterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interview

    loop = factory.SubFactory(LoopFactory)
    interviewer = factory.SubFactory(UserFactory, role="interviewer")
    rubric = factory.LazyAttribute(lambda i: i.loop.position.rubric)
    scheduled_start = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    scheduled_end = factory.LazyAttribute(lambda i: i.scheduled_start + timedelta(minutes=60))
    counts_toward_decision = True
