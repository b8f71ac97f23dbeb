"""The schedule page offers a position's rounds as rows: one per round, prefilled (rubric, focus, length, counting),
the interviewer to pick; each interview scheduled from its round (DESIGN.md, "Every round of a loop")."""

from __future__ import annotations

import re

import pytest

from interviewloop.models import Loop
from interviewloop.services import position_create
from tests.debriefs.test_pages_schedule import URL, form, panel, times  # noqa: F401 (panel: a fixture)
from tests.factories import make_question, make_rubric

pytestmark = pytest.mark.usefixtures("panel")


@pytest.fixture
def position(rubric):
    coding = make_rubric(name="Coding round")
    return position_create(
        title="GenAI engineer",
        rubric=rubric,
        rounds=[
            {"title": "Coding", "rubric": coding, "duration_minutes": 45, "questions": [make_question().pk]},
            {"title": "Design", "rubric": rubric, "duration_minutes": 30, "focus": ["systems_thinking"]},
            {"title": "Bar raiser", "rubric": rubric, "duration_minutes": 60, "bar_raiser": True},
        ],
    )


@pytest.mark.django_db
def test_a_positions_rounds_are_its_rows_prefilled(client, recruiter, position):
    client.force_login(recruiter)
    html = client.get(f"{URL}?position={position.pk}").content.decode()
    coding, design, raiser = position.rounds.order_by("order")
    assert f'data-rounds="{coding.pk} {design.pk} {raiser.pk}"' in html
    for index, template in enumerate((coding, design, raiser)):
        assert f'<select name="i{index}-round"' in html
        chosen = re.search(rf'<select name="i{index}-round".*?</select>', html, re.S)[0]
        assert f'<option value="{template.pk}" selected data-position="{position.pk}"' in chosen
    assert "Coding · Coding round v1 · 45 min" in html
    assert "Design · Guide rubric v1 · 30 min · focus: systems_thinking" in html
    assert "Bar raiser · Guide rubric v1 · 60 min · bar raiser" in html


@pytest.mark.django_db
def test_each_interview_is_scheduled_from_its_round(client, recruiter, position):
    client.force_login(recruiter)
    coding, design, raiser = position.rounds.order_by("order")
    rows = {
        "i0-interviewer": "ivan", "i0-round": coding.pk, "i0-duration": "45", "i0-counts_toward_decision": "on",
        "i0-scheduled_start": "2030-05-06T10:00",
        "i1-interviewer": "iris", "i1-round": design.pk, "i1-duration": "30", "i1-counts_toward_decision": "on",
        "i2-interviewer": "igor", "i2-round": raiser.pk, "i2-duration": "60", "i2-counts_toward_decision": "on",
    }  # fmt: skip
    response = client.post(URL, form(position, **rows))
    assert response.status_code == 302
    loop = Loop.objects.get()
    assert times(loop) == [("ivan", "10:00", "10:45"), ("iris", "10:45", "11:15"), ("igor", "11:15", "12:15")]
    rows = list(loop.interviews.order_by("scheduled_start").values_list("round", "rubric", "focus", "bar_raiser"))
    assert rows == [
        (coding.pk, coding.rubric_id, [], False),
        (design.pk, design.rubric_id, ["systems_thinking"], False),
        (raiser.pk, raiser.rubric_id, [], True),
    ]
    assert loop.interviews.get(round=coding).questions == coding.questions


@pytest.mark.django_db
def test_a_shadow_bar_raiser_row_is_refused_beside_its_counting_box(client, recruiter, position):
    client.force_login(recruiter)
    raiser = position.rounds.get(title="Bar raiser")
    response = client.post(
        URL,
        form(position, **{"i0-interviewer": "igor", "i0-round": raiser.pk, "i0-scheduled_start": "2030-05-06T10:00"}),
    )
    assert response.status_code == 400
    assert "always counts toward the decision" in response.content.decode()
    assert not Loop.objects.exists()
