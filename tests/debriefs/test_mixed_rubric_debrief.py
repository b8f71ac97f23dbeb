"""A loop whose interviews pin different rubrics reads as one debrief (DESIGN.md, "Every round of a loop").

The heat-map groups dimensions by rubric; mean and lowest are per dimension key over the interviews that scored
it; `coverage` names who had each dimension in focus and who scored it, and the gaps; the bar raiser is marked;
the decision rule is unchanged; the query count does not grow with the panel or the number of rubrics.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from debriefs import documents
from scorecards.models import Dimension
from tests.debriefs.conftest import add_interview, recompute
from tests.factories import InterviewFactory, UserFactory, make_rubric, make_scorecard


def leadership_rubric(name: str = "Leadership Principles"):
    """A rubric of three of the fourteen principles, one shared key (`communication`) with the guide's."""
    rubric = make_rubric(name=name, status="draft")
    rubric.dimensions.all().delete()
    for order, (key, label) in enumerate(
        [("ownership", "Ownership"), ("dive_deep", "Dive Deep"), ("communication", "Communication")]
    ):
        Dimension.objects.create(rubric=rubric, order=order, key=key, name=label, required=False)
    rubric.status = "published"
    rubric.save()
    return rubric


def seat(loop, username, rubric, *, scores, vote="yes", focus=(), bar_raiser=False, submitted=True):
    interview = InterviewFactory(
        loop=loop,
        interviewer=UserFactory(username=username, role="interviewer"),
        rubric=rubric,
        focus=list(focus),
        bar_raiser=bar_raiser,
        scheduled_start=timezone.now() - timedelta(hours=3),
        ended_at=timezone.now() - timedelta(hours=2),
    )
    if vote is not None:
        make_scorecard(interview, vote=vote, scores=scores, submitted=submitted)
    return interview


@pytest.mark.django_db
def test_a_mixed_loop_reads_as_one_debrief_with_coverage_gaps_and_the_bar_raiser(loop, recruiter, api_as):
    guide = loop.position.rubric
    principles = leadership_rubric()
    seat(loop, "alice", guide, scores={"systems_thinking": 4, "communication": 2})
    seat(loop, "lena", principles, scores={"ownership": 4, "communication": 4}, focus=["ownership", "communication"])
    seat(loop, "leo", principles, scores={"dive_deep": 5}, vote=None, focus=["dive_deep"])  # not submitted
    seat(loop, "bea", principles, scores={"ownership": 2}, vote="no", bar_raiser=True)
    recompute(loop)

    body = api_as(recruiter).get(f"/api/loops/{loop.pk}/debrief/").json()

    # the decision rule is unchanged: the bar raiser's No decides
    assert (body["decision"], body["deciding"]) == ("no_hire", ["bea"])
    assert [(v["interviewer"], v["bar_raiser"], v["rubric"]) for v in body["votes"]] == [
        ("alice", False, guide.pk), ("lena", False, principles.pk), ("leo", False, principles.pk),
        ("bea", True, principles.pk),
    ]  # fmt: skip
    # grouped by rubric: the position's first, then the principles; a shared key is one row under the first
    assert body["rubrics"] == [
        {"id": guide.pk, "key": "", "name": guide.name, "version": 1},
        {"id": principles.pk, "key": "", "name": "Leadership Principles", "version": 1},
    ]
    rows = {row["key"]: row for row in body["dimensions"]}
    assert [row["key"] for row in body["dimensions"]][-2:] == ["ownership", "dive_deep"]
    assert (rows["communication"]["rubric"], rows["ownership"]["rubric"]) == (guide.pk, principles.pk)
    # mean and lowest per key over the interviews that scored it, across rubrics
    assert (rows["communication"]["mean"], rows["communication"]["min"]) == (3.0, 2)
    assert (rows["ownership"]["mean"], rows["ownership"]["min"]) == (3.0, 2)
    assert (rows["dive_deep"]["mean"], rows["dive_deep"]["scores"]) == (None, [])  # leo's draft is not read
    coverage = {row["key"]: row for row in body["coverage"]["dimensions"]}
    assert coverage["ownership"] == {
        "key": "ownership", "name": "Ownership", "rubric": principles.pk, "focus": ["lena", "bea"],
        "scored": ["lena", "bea"],
    }  # fmt: skip
    assert coverage["dive_deep"]["focus"] == ["leo", "bea"]
    assert coverage["communication"]["focus"] == ["alice", "lena", "bea"]
    assert coverage["communication"]["scored"] == ["alice", "lena"]
    # every guide dimension but two, and dive deep, nobody scored
    assert "dive_deep" in body["coverage"]["gaps"]
    assert "systems_thinking" not in body["coverage"]["gaps"]
    assert body["coverage"]["gaps"] == [
        key for key in rows if key not in ("systems_thinking", "communication", "ownership")
    ]


@pytest.mark.django_db
def test_the_debrief_page_groups_the_heat_map_by_rubric_and_marks_gaps_and_the_bar_raiser(loop, recruiter, client):
    principles = leadership_rubric()
    seat(loop, "alice", loop.position.rubric, scores={"systems_thinking": 4})
    seat(loop, "bea", principles, scores={"ownership": 4}, bar_raiser=True)
    client.force_login(recruiter)
    page = client.get(f"/loops/{loop.pk}/").content.decode()
    assert 'class="rubric-group"' in page and "Leadership Principles v1" in page
    assert "bar-raiser-badge" in page
    assert 'id="coverage-title"' in page and 'class="badge missing gap">Dive Deep' in page


def build_mixed_panel(loop, size: int, rubrics: list) -> None:
    for position in range(size):
        rubric = rubrics[position % len(rubrics)]
        keys = list(rubric.dimensions.values_list("key", flat=True))
        interview = add_interview(loop, f"panelist{position}", vote=None, note_vote="yes")
        interview.rubric = rubric
        interview.focus = keys[:2]
        interview.bar_raiser = position == 0
        interview.save(update_fields=["rubric", "focus", "bar_raiser"])
        make_scorecard(interview, vote="yes", scores={key: 4 for key in keys[:3]})


@pytest.mark.parametrize(("size", "rubric_count"), [(2, 1), (8, 4)])
@pytest.mark.django_db
def test_the_debrief_query_count_does_not_grow_with_panel_or_rubrics(
    size, rubric_count, loop, recruiter, api_as, django_assert_num_queries
):
    rubrics = [loop.position.rubric, *(leadership_rubric(f"Principles {n}") for n in range(rubric_count - 1))]
    build_mixed_panel(loop, size, rubrics)
    # Building the stored document (debriefs.documents.build, on every write): the loop, its interviews (their
    # rubric, focus, bar raiser, scorecard, note), the dimensions of every rubric (with the rubric's name), scores,
    # red flags, threads: six, whatever the panel or the rubrics.
    with django_assert_num_queries(6):
        built = documents.build(loop.pk)
    assert len(built.document["rubrics"]) == rubric_count
    client = api_as(recruiter)
    # the token with its user, the caller's roles, then the loop's stored debrief by its primary key; and the panel's
    # leniency (debriefs.calibration_selectors.with_leniency: one query whatever the panel).
    with django_assert_num_queries(3 + 1):
        response = client.get(f"/api/loops/{loop.pk}/debrief/")
    assert response.status_code == 200
    assert len(response.json()["rubrics"]) == rubric_count
    assert response.json()["votes"][0]["bar_raiser"] is True
