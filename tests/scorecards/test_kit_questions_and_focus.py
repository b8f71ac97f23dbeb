"""The kit's questions and the interview's focus, on the scorecard (API and pages).

DESIGN.md, "Every round of a loop": the scorecard body takes `questions: [{id, asked, signal, notes}]` for the
interview's own questions; focus dimensions are required on its scorecard, the others optional.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from scorecards.models import Scorecard
from tests.factories import make_question
from tests.scorecards.conftest import full_body, scores_body


def url(interview, action: str = "") -> str:
    return f"/api/interviews/{interview.pk}/scorecard/{action}"


@pytest.fixture
def kit(db):
    return [
        make_question(bank="handbook", key="q01", title="Design a rollout", insight="Blast radius first."),
        make_question(bank="llm_bank", key="rag", title="Evaluate a RAG system", pitfalls="Only offline evals."),
    ]


@pytest.fixture
def with_kit(noted_interview, kit):
    noted_interview.questions = [kit[1].pk, kit[0].pk]
    noted_interview.save(update_fields=["questions"])
    return noted_interview


@pytest.mark.django_db
def test_the_draft_keeps_how_each_kit_question_went_in_the_kits_order(alice, with_kit, kit):
    body = full_body() | {
        "questions": [
            {"id": kit[0].pk, "asked": True, "signal": "okay", "notes": "Canary, no rollback."},
            {"id": kit[1].pk, "signal": "great"},
        ]
    }
    response = alice.put(url(with_kit), body, format="json")
    assert response.status_code == 200
    assert response.json()["questions"] == [
        {"id": kit[1].pk, "asked": True, "signal": "great", "notes": ""},  # a signal means it was asked
        {"id": kit[0].pk, "asked": True, "signal": "okay", "notes": "Canary, no rollback."},
    ]
    assert alice.get(url(with_kit)).json()["questions"] == response.json()["questions"]
    assert Scorecard.objects.get().questions == response.json()["questions"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entry", "code", "where"),
    [
        ({"id": 0}, "unknown_question", "questions[0].id"),
        ({"id": "x"}, "invalid", "questions: 0: id"),
        ({"signal": "superb"}, "invalid", "questions: 0: signal"),
    ],
)
def test_a_question_outside_the_kit_or_a_bad_signal_is_refused(alice, with_kit, kit, entry, code, where):
    response = alice.put(url(with_kit), {"questions": [{"id": kit[0].pk} | entry]}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert where in (response.json().get("field") or response.json()["detail"])
    assert not Scorecard.objects.exists()


@pytest.mark.django_db
def test_another_interviews_question_is_not_this_ones(alice, noted_interview, kit):
    # noted_interview has no questions: every id is outside its kit
    response = alice.put(url(noted_interview), {"questions": [{"id": kit[0].pk, "asked": True}]}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "unknown_question")


@pytest.mark.django_db
def test_a_question_listed_twice_is_refused(alice, with_kit, kit):
    response = alice.put(url(with_kit), {"questions": [{"id": kit[0].pk}, {"id": kit[0].pk}]}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "duplicate_question")


@pytest.mark.django_db
def test_with_a_focus_only_the_focus_dimensions_must_be_scored(alice, noted_interview):
    noted_interview.focus = ["measurement", "humility"]
    noted_interview.save(update_fields=["focus"])
    body = full_body() | {"scores": scores_body({"measurement": 4})}
    refused = alice.post(url(noted_interview, "submit/"), body, format="json")
    assert refused.status_code == 400
    assert [p["field"] for p in refused.json()["problems"]] == ["scores.humility"]
    body["scores"] = scores_body({"measurement": 4, "humility": 4})
    submitted = alice.post(url(noted_interview, "submit/"), body, format="json")
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")


@pytest.mark.django_db
def test_without_a_focus_every_required_dimension_must_be_scored(alice, noted_interview):
    body = full_body() | {"scores": scores_body({"measurement": 4, "humility": 4})}
    refused = alice.post(url(noted_interview, "submit/"), body, format="json")
    assert refused.status_code == 400
    assert "scores.systems_thinking" in [p["field"] for p in refused.json()["problems"]]


@pytest.mark.django_db
def test_the_kit_shows_the_questions_with_their_guidance_folded(client, interviewer, with_kit, kit):
    with_kit.focus = ["measurement"]
    with_kit.save(update_fields=["focus"])
    client.force_login(interviewer)
    page = client.get(reverse("interview-kit", args=[with_kit.pk])).content.decode()
    assert page.index("Evaluate a RAG system") < page.index("Design a rollout")  # the kit's order
    assert "What to listen for" in page and "Blast radius first." in page and "Only offline evals." in page
    assert 'id="focus-h"' in page and "Measurement" in page


@pytest.mark.django_db
def test_the_scorecard_page_saves_how_the_questions_went(client, interviewer, with_kit, kit):
    client.force_login(interviewer)
    page_url = reverse("interview-scorecard", args=[with_kit.pk])
    assert "Questions from your kit" in client.get(page_url).content.decode()
    response = client.post(
        page_url,
        {
            "action": "save",
            "question": [str(kit[0].pk), str(kit[1].pk)],
            f"question-asked-{kit[0].pk}": "on",
            f"question-signal-{kit[0].pk}": "bad",
            f"question-notes-{kit[0].pk}": "No rollback plan.",
        },
    )
    assert response.status_code == 302
    assert Scorecard.objects.get().questions == [
        {"id": kit[0].pk, "asked": True, "signal": "bad", "notes": "No rollback plan."}
    ]
    page = client.get(page_url).content.decode()
    assert 'value="No rollback plan."' in page
