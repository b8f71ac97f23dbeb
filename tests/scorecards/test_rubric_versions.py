"""Rubric versions: draft → published → retired, and "new version from this" copies everything into a draft."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from interviewloop.errors import Conflict
from scorecards.models import Dimension, Rubric, RubricNotEditable
from scorecards.rubrics import rubric_new_version, rubric_publish, rubric_retire
from tests.factories import InterviewFactory, make_rubric


def parts(rubric: Rubric) -> dict[str, list[dict]]:
    """Every part of a rubric as plain values, without ids and the rubric link."""
    return {
        name: [
            {k: v for k, v in model_to_dict(part).items() if k not in ("id", "rubric")}
            for part in getattr(rubric, name).order_by("order", "id")
        ]
        for name in ("dimensions", "red_flags", "threads", "phases")
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
    assert [len(v) for v in parts(draft).values()][:3] == [8, 8, 7]


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
    v2 = rubric_publish(rubric=rubric_new_version(rubric=guide_rubric))
    rubric_retire(rubric=guide_rubric)
    interview.refresh_from_db()
    assert interview.rubric_id == guide_rubric.pk != v2.pk
    assert Dimension.objects.filter(rubric=interview.rubric).count() == 8
