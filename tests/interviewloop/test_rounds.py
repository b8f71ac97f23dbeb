"""Round templates, focus, questions and the bar raiser through the API, the services and the admin's check.

DESIGN.md, "Every round of a loop": a position's rounds fill the interviews scheduled from them; focus keys are
the pinned rubric's; a question is not assigned twice in a loop (409 `question_repeated` unless `allow_repeat`);
a bar raiser always counts (400 `bar_raiser_must_count`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from interviewloop.errors import DomainError
from interviewloop.models import Interview
from interviewloop.rounds import RoundTemplate
from interviewloop.services import interview_set_counting, position_create
from scorecards.rubrics import rubric_new_version, rubric_publish
from tests.factories import LoopFactory, PositionFactory, UserFactory, make_question, make_rubric

START = "2026-03-03T10:00:00Z"


@pytest.fixture
def coding(db):
    return make_rubric(name="Coding round")


@pytest.fixture
def questions(db):
    return [make_question(key=f"q{n:02}", title=f"Question {n}") for n in range(1, 5)]


@pytest.fixture
def position(rubric, coding, questions):
    return position_create(
        title="GenAI engineer",
        rubric=rubric,
        rounds=[
            {"title": "Coding", "rubric": coding, "duration_minutes": 45, "focus": ["systems_thinking"],
             "questions": [questions[0].pk, questions[1].pk]},
            {"title": "Bar raiser", "rubric": rubric, "duration_minutes": 60, "bar_raiser": True,
             "questions": [questions[2].pk]},
        ],
    )  # fmt: skip


@pytest.fixture
def open_loop(position, recruiter):
    return LoopFactory(position=position, recruiter=recruiter, candidate__name="Jordan Rivera")


@pytest.fixture
def panel(db):
    return [UserFactory(username=name, role="interviewer") for name in ("alice", "bob", "carol")]


def schedule(api_as, recruiter, loop, **body):
    return api_as(recruiter).post(
        f"/api/loops/{loop.pk}/interviews/", {"scheduled_start": START, **body}, format="json"
    )


@pytest.mark.django_db
def test_positions_list_their_rounds_in_order(api_as, recruiter, position, coding, rubric, questions):
    response = api_as(recruiter).get("/api/positions/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    first, second = position.rounds.order_by("order")
    assert row["rounds"] == [
        {"id": first.pk, "order": 0, "title": "Coding", "rubric": coding.pk, "duration_minutes": 45,
         "focus": ["systems_thinking"], "questions": [questions[0].pk, questions[1].pk],
         "counts_toward_decision": True, "bar_raiser": False},
        {"id": second.pk, "order": 1, "title": "Bar raiser", "rubric": rubric.pk, "duration_minutes": 60,
         "focus": [], "questions": [questions[2].pk], "counts_toward_decision": True, "bar_raiser": True},
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_recruiter_opens_a_position_with_rounds(api_as, recruiter, rubric, coding):
    response = api_as(recruiter).post(
        "/api/positions/",
        {
            "title": "PM",
            "rubric": rubric.pk,
            "rounds": [{"title": "Coding", "rubric": coding.pk, "focus": ["humility"]}],
        },
        format="json",
    )
    assert response.status_code == 201
    assert [(r["title"], r["rubric"], r["duration_minutes"], r["focus"]) for r in response.json()["rounds"]] == [
        ("Coding", coding.pk, 60, ["humility"])
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("round_body", "code", "field"),
    [
        ({"focus": ["frugality"]}, "unknown_dimension", "rounds[0].focus"),
        ({"questions": [999999]}, "unknown_question", "rounds[0].questions"),
        (
            {"bar_raiser": True, "counts_toward_decision": False},
            "bar_raiser_must_count",
            "rounds[0].counts_toward_decision",
        ),
    ],
)
def test_a_bad_round_is_refused_with_its_code_and_nothing_is_created(
    api_as, recruiter, rubric, round_body, code, field
):
    response = api_as(recruiter).post(
        "/api/positions/",
        {"title": "PM", "rubric": rubric.pk, "rounds": [{"title": "One", "rubric": rubric.pk, **round_body}]},
        format="json",
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not RoundTemplate.objects.exists()


@pytest.mark.django_db
def test_an_interviewer_may_not_open_a_position(api_as, interviewer, rubric):
    response = api_as(interviewer).post("/api/positions/", {"title": "PM", "rubric": rubric.pk}, format="json")
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_round_fills_rubric_focus_questions_length_and_counting(
    api_as, recruiter, open_loop, panel, coding, questions
):
    coding_round = open_loop.position.rounds.get(title="Coding")
    response = schedule(api_as, recruiter, open_loop, interviewer="alice", round=coding_round.pk)
    assert response.status_code == 201
    body = response.json()
    assert (body["rubric"], body["round"], body["focus"], body["questions"], body["bar_raiser"]) == (
        coding.pk, coding_round.pk, ["systems_thinking"], [questions[0].pk, questions[1].pk], False
    )  # fmt: skip
    assert (body["scheduled_end"], body["counts_toward_decision"]) == ("2026-03-03T10:45:00Z", True)


@pytest.mark.django_db
def test_the_body_overrides_the_round(api_as, recruiter, open_loop, panel, rubric, questions):
    coding_round = open_loop.position.rounds.get(title="Coding")
    response = schedule(
        api_as, recruiter, open_loop, interviewer="alice", round=coding_round.pk, rubric=rubric.pk,
        focus=["humility"], questions=[questions[3].pk], scheduled_end="2026-03-03T10:30:00Z",
        counts_toward_decision=False,
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert (body["rubric"], body["focus"], body["questions"], body["scheduled_end"], body["counts_toward_decision"]) == (
        rubric.pk, ["humility"], [questions[3].pk], "2026-03-03T10:30:00Z", False
    )  # fmt: skip


@pytest.mark.django_db
def test_a_round_of_another_position_is_refused(api_as, recruiter, open_loop, panel, rubric):
    other = position_create(title="Other", rubric=rubric, rounds=[{"title": "Elsewhere", "rubric": rubric}])
    response = schedule(api_as, recruiter, open_loop, interviewer="alice", round=other.rounds.get().pk)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("round_not_in_position", "round")
    response = schedule(api_as, recruiter, open_loop, interviewer="alice", round=987654)
    assert response.json()["code"] == "round_not_in_position"
    assert not Interview.objects.exists()


@pytest.mark.django_db
def test_focus_keys_must_be_dimensions_of_the_pinned_rubric(api_as, recruiter, open_loop, panel):
    response = schedule(api_as, recruiter, open_loop, interviewer="alice", focus=["systems_thinking", "frugality"])
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("unknown_dimension", "focus")
    assert "frugality" in response.json()["detail"]


@pytest.mark.django_db
def test_an_unknown_question_is_refused(api_as, recruiter, open_loop, panel):
    response = schedule(api_as, recruiter, open_loop, interviewer="alice", questions=[424242])
    assert (response.status_code, response.json()["code"]) == (400, "unknown_question")


@pytest.mark.django_db
def test_a_question_already_assigned_in_the_loop_is_409_naming_who_has_it(
    api_as, recruiter, open_loop, panel, questions
):
    first = schedule(api_as, recruiter, open_loop, interviewer="alice", questions=[questions[0].pk])
    assert first.status_code == 201
    again = schedule(api_as, recruiter, open_loop, interviewer="bob", questions=[questions[1].pk, questions[0].pk])
    assert again.status_code == 409
    body = again.json()
    assert (body["code"], body["question"], body["interview"], body["interviewer"]) == (
        "question_repeated", questions[0].pk, first.json()["id"], "alice"
    )  # fmt: skip
    assert body["repeated"] == [{"question": questions[0].pk, "interview": first.json()["id"]}]
    assert Interview.objects.count() == 1
    # allow_repeat: the recruiter says so on purpose.
    allowed = schedule(api_as, recruiter, open_loop, interviewer="bob", questions=[questions[0].pk], allow_repeat=True)
    assert (allowed.status_code, allowed.json()["questions"]) == (201, [questions[0].pk])


@pytest.mark.django_db
def test_a_round_with_a_question_already_asked_is_409_too(api_as, recruiter, open_loop, panel, questions):
    schedule(api_as, recruiter, open_loop, interviewer="alice", questions=[questions[2].pk])
    raiser = open_loop.position.rounds.get(title="Bar raiser")
    response = schedule(api_as, recruiter, open_loop, interviewer="bob", round=raiser.pk)
    assert (response.status_code, response.json()["code"]) == (409, "question_repeated")


@pytest.mark.django_db
def test_a_bar_raiser_always_counts(api_as, recruiter, open_loop, panel):
    refused = schedule(api_as, recruiter, open_loop, interviewer="alice", bar_raiser=True, counts_toward_decision=False)
    assert (refused.status_code, refused.json()["code"]) == (400, "bar_raiser_must_count")
    raiser = open_loop.position.rounds.get(title="Bar raiser")
    refused = schedule(api_as, recruiter, open_loop, interviewer="alice", round=raiser.pk, counts_toward_decision=False)
    assert (refused.status_code, refused.json()["code"]) == (400, "bar_raiser_must_count")
    made = schedule(api_as, recruiter, open_loop, interviewer="alice", round=raiser.pk)
    assert (made.status_code, made.json()["bar_raiser"], made.json()["counts_toward_decision"]) == (201, True, True)
    # Nor can it be made a shadow afterwards.
    with pytest.raises(DomainError) as refusal:
        interview_set_counting(interview=Interview.objects.get(), counts_toward_decision=False)
    assert refusal.value.code == "bar_raiser_must_count"
    assert Interview.objects.get().counts_toward_decision is True


@pytest.mark.django_db
def test_the_admins_check_refuses_a_shadow_bar_raiser_and_an_unknown_focus(rubric):
    position = PositionFactory(rubric=rubric)
    template = RoundTemplate(
        position=position, title="BR", rubric=rubric, bar_raiser=True, counts_toward_decision=False
    )
    with pytest.raises(ValidationError) as refused:
        template.full_clean()
    assert "counts_toward_decision" in refused.value.error_dict
    template = RoundTemplate(position=position, title="LP", rubric=rubric, focus=["frugality"])
    with pytest.raises(ValidationError) as refused:
        template.full_clean()
    assert refused.value.error_dict["focus"][0].code == "unknown_dimension"


@pytest.mark.django_db
def test_publishing_a_rubric_moves_the_round_templates_that_used_the_old_version(position, coding):
    coding_round = position.rounds.get(title="Coding")
    draft = rubric_new_version(rubric=coding)
    draft.dimensions.filter(key="systems_thinking").delete()  # the focus key leaves the new version
    rubric_publish(rubric=draft, at=datetime(2026, 3, 1, tzinfo=UTC))
    coding_round.refresh_from_db()
    assert (coding_round.rubric_id, coding_round.focus) == (draft.pk, [])
    # The other round, on another rubric, stays.
    assert position.rounds.get(title="Bar raiser").rubric_id == position.rubric_id


def position_form(position, rows: list[dict]) -> dict:
    data = {
        "title": position.title, "rubric": str(position.rubric_id),
        "rounds-TOTAL_FORMS": str(len(rows)), "rounds-INITIAL_FORMS": "0",
        "rounds-MIN_NUM_FORMS": "0", "rounds-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for index, row in enumerate(rows):
        data.update({f"rounds-{index}-{name}": value for name, value in row.items()})
    return data


@pytest.mark.django_db
def test_admins_edit_a_positions_rounds_inline_and_a_shadow_bar_raiser_is_refused(client, admin, rubric):
    client.force_login(admin)
    position = PositionFactory(rubric=rubric, title="PM")
    url = f"/admin/interviewloop/position/{position.pk}/change/"
    assert 'id="rounds-group"' in client.get(url).content.decode()
    row = {"order": "0", "title": "Bar raiser", "rubric": str(rubric.pk), "duration_minutes": "60", "focus": "[]",
           "questions": "[]", "bar_raiser": "on"}  # fmt: skip
    refused = client.post(url, position_form(position, [row]))  # counts_toward_decision left unticked
    assert refused.status_code == 200
    assert "always counts toward the decision" in refused.content.decode()
    assert not RoundTemplate.objects.exists()
    saved = client.post(url, position_form(position, [row | {"counts_toward_decision": "on", "focus": '["humility"]'}]))
    assert saved.status_code == 302
    assert list(position.rounds.values_list("title", "bar_raiser", "focus")) == [("Bar raiser", True, ["humility"])]


@pytest.mark.parametrize("count", [1, 6])
@pytest.mark.django_db
def test_the_positions_list_reads_rounds_in_one_query_whatever_their_number(
    count, api_as, recruiter, rubric, django_assert_num_queries
):
    for n in range(count):
        position_create(title=f"P{n}", rubric=rubric, rounds=[{"title": f"R{r}", "rubric": rubric} for r in range(3)])
    client = api_as(recruiter)
    # the token with its user, the caller's roles, the page's count, the positions, their rounds
    with django_assert_num_queries(5):
        response = client.get("/api/positions/")
    assert [len(row["rounds"]) for row in response.json()["results"]] == [3] * count
