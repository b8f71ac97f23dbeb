"""Admins edit question banks in Django admin: a bank with its questions inline, each question with its tags."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scorecards.questions import Question, QuestionBank, QuestionTag

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def bank():
    bank = QuestionBank.objects.create(key="llm", name="LLM bank", source="template")
    question = Question.objects.create(
        bank=bank,
        key="chunking",
        order=1,
        domain_name="RAG & Retrieval",
        difficulty="easy",
        title="Chunking?",
        prompt="P",
    )
    question.tags.set([QuestionTag.objects.create(slug="rag")])
    return bank


def test_the_question_pages_open_with_their_filters_and_search(admin_client, bank):
    question = bank.questions.get()
    tag = question.tags.get()
    pages = [
        reverse("admin:scorecards_questionbank_changelist"),
        reverse("admin:scorecards_questionbank_change", args=[bank.pk]),
        reverse("admin:scorecards_questionbank_add"),
        reverse("admin:scorecards_question_changelist") + "?difficulty__exact=easy&q=chunk",
        reverse("admin:scorecards_question_changelist") + f"?bank__id__exact={bank.pk}&tags__id__exact={tag.pk}",
        reverse("admin:scorecards_question_change", args=[question.pk]),
        reverse("admin:scorecards_questiontag_changelist") + "?q=ra",
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
    listing = admin_client.get(reverse("admin:scorecards_question_changelist") + "?q=chunk")
    assert "Chunking?" in listing.content.decode()
    assert "Chunking?" in admin_client.get(pages[1]).content.decode()  # the inline


def test_an_admin_writes_a_question_with_tags_and_its_domain_key_follows_its_name(admin_client, bank):
    tag = QuestionTag.objects.get(slug="rag")
    response = admin_client.post(
        reverse("admin:scorecards_question_add"),
        {
            "bank": bank.pk,
            "key": "reranking",
            "order": 2,
            "domain_name": "Retrieval & Ranking",
            "difficulty": "",
            "tags": [tag.pk],
            "title": "When do you re-rank?",
            "prompt": "Your top-5 is noisy.",
            "strong_answer": "Measures recall first.\nCosts the latency.",
            "pitfalls": "",
            "insight": "Re-rank what retrieval already found.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get(key="reranking")
    assert (question.domain, question.domain_name, question.difficulty) == (
        "retrieval-ranking",
        "Retrieval & Ranking",
        None,
    )
    assert list(question.tags.values_list("slug", flat=True)) == ["rag"]


def test_non_staff_users_cannot_open_the_question_admin(client, interviewer, recruiter, bank):
    for user in (interviewer, recruiter):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        response = client.get(reverse("admin:scorecards_question_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
