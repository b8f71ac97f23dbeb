"""The interviews list's filters (scorecards.filters.InterviewFilter), shared by GET /api/interviews/ and the
my-interviews page: a bad value is a 400 `invalid_filter` naming the filter on the API, an error beside the field
on the page; never dropped silently, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import InterviewFactory, NoteFactory, make_scorecard
from tests.scorecards.conftest import ENDED, START

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(interviewer, rubric):
    """Alice's three interviews: Dana's with a draft, Sam's submitted, Lee's not started."""
    dana = InterviewFactory(interviewer=interviewer, loop__candidate__name="Dana Reyes", ended_at=ENDED,
                            scheduled_start=START, scheduled_end=ENDED)  # fmt: skip
    NoteFactory(interview=dana)
    make_scorecard(dana, submitted=False)
    sam = InterviewFactory(interviewer=interviewer, loop__candidate__name="Sam Lee", ended_at=ENDED + timedelta(days=1),
                           scheduled_start=START + timedelta(days=1), scheduled_end=ENDED + timedelta(days=1))  # fmt: skip
    NoteFactory(interview=sam)
    make_scorecard(sam, submitted=True)
    lee = InterviewFactory(interviewer=interviewer, loop__candidate__name="Lee Park",
                           scheduled_start=START + timedelta(days=2), scheduled_end=ENDED + timedelta(days=2))  # fmt: skip
    return {"dana": dana, "sam": sam, "lee": lee}


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_api_filters_by_scorecard_status_search_and_loop(alice, three):
    assert ids(alice.get("/api/interviews/?scorecard_status=draft")) == [three["dana"].pk]
    assert ids(alice.get("/api/interviews/?scorecard_status=submitted")) == [three["sam"].pk]
    assert ids(alice.get("/api/interviews/?scorecard_status=not_started")) == [three["lee"].pk]
    assert ids(alice.get("/api/interviews/?q=lee")) == [three["sam"].pk, three["lee"].pk]  # Sam Lee, Lee Park
    assert ids(alice.get(f"/api/interviews/?loop={three['lee'].loop_id}")) == [three["lee"].pk]
    assert ids(alice.get("/api/interviews/?q=lee&scorecard_status=submitted")) == [three["sam"].pk]
    assert ids(alice.get("/api/interviews/?q=nobody")) == []
    response = alice.get("/api/interviews/?scorecard_status=draft")
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("scorecard_status=done", "scorecard_status"),
        ("loop=abc", "loop"),
        ("loop=1.5", "loop"),
        ("loop=0", "loop"),
        ("loop=99999999999999999999999", "loop"),
        ("q=a%00b", "q"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_the_filter(alice, three, query, field):
    response = alice.get(f"/api/interviews/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid_filter", field)
    assert body["detail"].startswith(f"The filter {field}=")


def test_a_recruiter_filters_every_interview_the_same_way(api_as, recruiter, three, other_interviewer):
    InterviewFactory(interviewer=other_interviewer, loop__candidate__name="Lee Chan")
    response = api_as(recruiter).get("/api/interviews/?q=lee&scorecard_status=not_started")
    assert len(ids(response)) == 2
    assert api_as(recruiter).get("/api/interviews/?scorecard_status=nope").status_code == 400


def test_the_page_filters_with_the_same_filterset(client, interviewer, three):
    client.force_login(interviewer)
    response = client.get(reverse("my-interviews"), {"scorecard_status": "submitted"})
    assert response.status_code == 200
    assert [row["candidate"] for name in ("notes_due", "scorecards_due", "upcoming", "done")
            for row in response.context[name]] == ["Sam Lee"]  # fmt: skip
    html = response.content.decode()
    assert "Show all" in html and "Dana Reyes" not in html


def test_the_page_says_a_bad_value_beside_its_field_and_lists_without_it(client, interviewer, three):
    client.force_login(interviewer)
    response = client.get(reverse("my-interviews"), {"scorecard_status": "done", "q": "lee"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_scorecard_status_error"' in html and "Listed without it." in html
    assert 'aria-invalid="true"' in html
    # the valid filter still applies, the refused one is left out (and said so)
    assert [row["candidate"] for name in ("notes_due", "scorecards_due", "upcoming", "done")
            for row in response.context[name]] == ["Lee Park", "Sam Lee"]  # fmt: skip
    assert 'value="lee"' in html  # what was typed stays


def test_a_nul_in_the_pages_search_is_refused_beside_the_box_not_a_500(client, interviewer, three):
    client.force_login(interviewer)
    response = client.get(reverse("my-interviews") + "?q=a%00b")
    assert response.status_code == 200
    assert 'id="id_q_error"' in response.content.decode()
