"""Rubric versions: draft → published → retired, and "new version from this" copies everything into a draft."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from interviewloop.errors import Conflict
from interviewloop.models import Interview, Position
from interviewloop.services import interview_schedule, loop_create
from scorecards.models import Dimension, Rubric, RubricNotEditable
from scorecards.rubrics import (
    published_positions,
    replaced_version,
    rubric_new_version,
    rubric_publish,
    rubric_retire,
)
from scorecards.selectors import pinned_rubric
from tests.factories import CandidateFactory, InterviewFactory, PositionFactory, make_rubric

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def parts(rubric: Rubric) -> dict[str, list[dict]]:
    """Every part of a rubric as plain values, without ids and the rubric link."""
    return {
        name: [
            {k: v for k, v in model_to_dict(part).items() if k not in ("id", "rubric")}
            for part in getattr(rubric, name).order_by("order", "id")
        ]
        for name in ("dimensions", "red_flags", "threads", "phases", "gut_checks", "note_prompts")
    }


@pytest.fixture
def guide_rubric(db):
    call_command("loaddata", "default_rubric", verbosity=0)
    return Rubric.objects.get(version=1, status="published")


@pytest.mark.django_db
def test_new_version_is_a_complete_draft_copy(guide_rubric):
    draft = rubric_new_version(rubric=guide_rubric)

    assert (draft.name, draft.version, draft.status, draft.based_on_id) == (
        guide_rubric.name, 2, "draft", guide_rubric.pk,
    )  # fmt: skip
    assert draft.published_at is None and draft.retired_at is None
    same_fields = [
        "role", "description", "problem_statement", "gut_check_questions", "note_questions",
        "red_flags_for_strong_no", "ones_fraction_for_strong_no", "yes_min_fraction_at_3",
        "strong_yes_min_fraction_at_4", "strong_yes_critical_min", "evidence_required_for_extremes",
    ]  # fmt: skip
    assert {f: getattr(draft, f) for f in same_fields} == {f: getattr(guide_rubric, f) for f in same_fields}
    assert parts(draft) == parts(guide_rubric)
    assert [len(v) for v in parts(draft).values()] == [8, 8, 7, 3, 3, 4]


@pytest.mark.django_db
def test_new_version_numbers_after_the_latest_of_that_name():
    v1 = make_rubric()
    v2 = rubric_new_version(rubric=v1)
    # "new version from" v1 again: v3, not a clash with v2
    v3 = rubric_new_version(rubric=v1)
    assert (v2.version, v3.version) == (2, 3)
    assert v3.based_on == v1


@pytest.mark.django_db
def test_draft_is_editable_and_the_source_stays_frozen(guide_rubric):
    draft = rubric_new_version(rubric=guide_rubric)
    dimension = draft.dimensions.get(key="experience")
    dimension.anchor_5 = "Changed in the draft"
    dimension.save()
    draft.strong_yes_critical_min = 5
    draft.save()
    assert guide_rubric.dimensions.get(key="experience").anchor_5 != "Changed in the draft"
    guide_rubric.refresh_from_db()
    assert guide_rubric.strong_yes_critical_min == 4
    with pytest.raises(RubricNotEditable):
        source_dimension = guide_rubric.dimensions.get(key="experience")
        source_dimension.anchor_5 = "Changed in the source"
        source_dimension.save()


@pytest.mark.django_db
def test_publish_then_retire(guide_rubric):
    draft = rubric_new_version(rubric=guide_rubric)
    published = rubric_publish(rubric=draft)
    assert published.status == "published" and published.published_at is not None
    retired = rubric_retire(rubric=published)
    assert retired.status == "retired" and retired.retired_at is not None
    # history keeps each step
    assert list(Rubric.history.filter(id=draft.pk).order_by("history_date").values_list("status", flat=True)) == [
        "draft", "published", "retired",
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_retired_version_is_still_frozen_and_can_be_copied():
    retired = rubric_retire(rubric=make_rubric())
    retired.name = "Renamed"
    with pytest.raises(RubricNotEditable):
        retired.save()
    copy = rubric_new_version(rubric=Rubric.objects.get(pk=retired.pk))
    assert copy.status == "draft" and copy.version == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "service", "code"),
    [
        ("published", rubric_publish, "rubric_not_draft"),
        ("retired", rubric_publish, "rubric_not_draft"),
        ("draft", rubric_retire, "rubric_not_published"),
        ("retired", rubric_retire, "rubric_not_published"),
    ],
)
def test_lifecycle_refuses_wrong_steps_with_a_code(status, service, code):
    rubric = make_rubric(status=status)
    with pytest.raises(Conflict) as refused:
        service(rubric=rubric)
    assert refused.value.code == code
    assert refused.value.status == 409
    assert str(rubric) in refused.value.detail
    rubric.refresh_from_db()
    assert rubric.status == status


@pytest.mark.django_db
def test_an_empty_draft_cannot_be_published():
    empty = Rubric.objects.create(name="Empty", version=1)
    with pytest.raises(Conflict) as refused:
        rubric_publish(rubric=empty)
    assert refused.value.code == "rubric_empty"
    empty.refresh_from_db()
    assert empty.status == "draft"


@pytest.mark.django_db
def test_interviews_keep_the_version_they_pinned(guide_rubric):
    interview = InterviewFactory(rubric=guide_rubric)
    v2 = rubric_publish(rubric=rubric_new_version(rubric=guide_rubric))  # retires v1 (see below)
    guide_rubric.refresh_from_db()
    assert guide_rubric.status == "retired"
    interview.refresh_from_db()
    assert interview.rubric_id == guide_rubric.pk != v2.pk
    assert Dimension.objects.filter(rubric=interview.rubric).count() == 8


@pytest.mark.django_db
def test_publishing_a_version_retires_the_previous_one_and_moves_its_positions(recruiter, interviewer):
    # given: v1 published, two positions on it, a position on another rubric, and an interview pinning v1
    v1 = make_rubric(name="Reliability")
    other = make_rubric(name="Support rubric")
    on_v1 = [PositionFactory(title="SRE", rubric=v1), PositionFactory(title="Platform", rubric=v1)]
    elsewhere = PositionFactory(title="Support", rubric=other)
    scheduled = InterviewFactory(rubric=v1, loop__position=on_v1[0])
    assert pinned_rubric(v1).rubric.status == "published"  # read (and cached) while published
    v2 = rubric_new_version(rubric=v1)

    # when
    v2 = rubric_publish(rubric=v2, at=NOW)

    # then: v1 is retired at that moment, the positions that used it are on v2, nothing else moved
    v1.refresh_from_db()
    assert (v1.status, v1.retired_at) == ("retired", NOW)
    assert [p.rubric_id for p in Position.objects.filter(pk__in=[p.pk for p in on_v1])] == [v2.pk, v2.pk]
    assert Position.objects.get(pk=elsewhere.pk).rubric_id == other.pk
    assert Rubric.objects.get(pk=other.pk).status == "published"
    assert published_positions(v2) == sorted(on_v1, key=lambda p: p.title)
    assert replaced_version(v2) == v1
    # interviews already scheduled keep the version they pinned; new loops get the new text
    assert Interview.objects.get(pk=scheduled.pk).rubric_id == v1.pk
    loop = loop_create(candidate=CandidateFactory(), position=Position.objects.get(pk=on_v1[0].pk), recruiter=recruiter)
    start = NOW + timedelta(days=1)
    added = interview_schedule(
        loop=loop, interviewer=interviewer, scheduled_start=start, scheduled_end=start + timedelta(hours=1)
    )
    assert added.rubric_id == v2.pk
    # and the pinned-rubric cache forgot v1 as it was: it reads retired now
    assert pinned_rubric(Rubric.objects.get(pk=v1.pk)).rubric.status == "retired"


@pytest.mark.django_db
def test_publishing_a_first_version_retires_and_moves_nothing():
    draft = make_rubric(name="Brand new", status="draft")
    kept = make_rubric(name="Another")
    draft = rubric_publish(rubric=draft)
    assert Rubric.objects.get(pk=kept.pk).status == "published"
    assert (published_positions(draft), replaced_version(draft)) == ([], None)
