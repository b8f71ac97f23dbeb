"""`GET /api/questions/` and `GET /api/questions/{id}/`: any signed-in user; filters that refuse what cannot be
right; whole payloads; the same number of queries for 3 questions as for 40."""

from __future__ import annotations

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from scorecards.questions import Question, QuestionBank, QuestionTag

pytestmark = pytest.mark.django_db


def make_bank(key: str = "llm", name: str = "LLM bank") -> QuestionBank:
    return QuestionBank.objects.create(key=key, name=name, source="template")


def make_question(bank: QuestionBank, number: int, *, tags: tuple[str, ...] = (), **fields) -> Question:
    values = {
        "key": f"question-{number}",
        "order": number,
        "domain_name": "RAG & Retrieval",
        "difficulty": "medium",
        "title": f"Question {number}?",
        "prompt": f"Walk me through case {number}.",
        "strong_answer": "Frames the problem.\nNames a tradeoff.",
        "pitfalls": "Stays generic.",
        "insight": "",
        **fields,
    }
    question = Question.objects.create(bank=bank, **values)
    question.tags.set([QuestionTag.objects.get_or_create(slug=tag)[0] for tag in tags])
    return question


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# --- who may read -------------------------------------------------------------------------------------------


def test_anonymous_callers_are_refused(api):
    question = make_question(make_bank(), 1)
    for path in ("/api/questions/", f"/api/questions/{question.pk}/"):
        response = api.get(path)
        assert response.status_code == 401
        assert response.json() == {
            "code": "not_authenticated",
            "detail": "Authentication credentials were not provided.",
        }


def test_every_signed_in_role_reads_questions(api_as, interviewer, recruiter, admin, outsider):
    question = make_question(make_bank(), 1)
    for user in (interviewer, recruiter, admin, outsider):
        client = api_as(user)
        assert client.get("/api/questions/").status_code == 200
        assert client.get(f"/api/questions/{question.pk}/").status_code == 200


def test_questions_are_read_only(api_as, admin):
    question = make_question(make_bank(), 1)
    client = api_as(admin)
    assert client.post("/api/questions/", {"title": "x"}, format="json").status_code == 405
    assert client.put(f"/api/questions/{question.pk}/", {"title": "x"}, format="json").status_code == 405
    assert client.delete(f"/api/questions/{question.pk}/").status_code == 405
    assert Question.objects.get(pk=question.pk).title == "Question 1?"


# --- payloads -----------------------------------------------------------------------------------------------


def test_the_list_is_paginated_with_whole_questions(api_as, interviewer):
    bank = make_bank()
    first = make_question(bank, 1, tags=("rag", "evaluation"), insight="Measure retrieval apart from generation.")
    handbook = make_bank("handbook", "A handbook")
    bare = make_question(
        handbook, 1, key="q01", difficulty=None, strong_answer="", pitfalls="", domain_name="Architecture"
    )
    response = api_as(interviewer).get("/api/questions/")
    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": bare.pk,
                "bank": "handbook",
                "key": "q01",
                "domain": "architecture",
                "domain_name": "Architecture",
                "difficulty": None,
                "tags": [],
                "title": "Question 1?",
                "prompt": "Walk me through case 1.",
                "strong_answer": [],
                "pitfalls": [],
                "insight": "",
            },
            {
                "id": first.pk,
                "bank": "llm",
                "key": "question-1",
                "domain": "rag-retrieval",
                "domain_name": "RAG & Retrieval",
                "difficulty": "medium",
                "tags": ["evaluation", "rag"],
                "title": "Question 1?",
                "prompt": "Walk me through case 1.",
                "strong_answer": ["Frames the problem.", "Names a tradeoff."],
                "pitfalls": ["Stays generic."],
                "insight": "Measure retrieval apart from generation.",
            },
        ],
    }


def test_one_question_by_id(api_as, recruiter):
    question = make_question(make_bank(), 7, tags=("agents",))
    response = api_as(recruiter).get(f"/api/questions/{question.pk}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": question.pk,
        "bank": "llm",
        "key": "question-7",
        "domain": "rag-retrieval",
        "domain_name": "RAG & Retrieval",
        "difficulty": "medium",
        "tags": ["agents"],
        "title": "Question 7?",
        "prompt": "Walk me through case 7.",
        "strong_answer": ["Frames the problem.", "Names a tradeoff."],
        "pitfalls": ["Stays generic."],
        "insight": "",
    }


def test_a_missing_question_is_a_404(api_as, interviewer):
    response = api_as(interviewer).get("/api/questions/987654/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_pages_link_to_each_other(api_as, interviewer):
    bank = make_bank()
    for number in range(1, 53):
        make_question(bank, number)
    client = api_as(interviewer)
    first = client.get("/api/questions/").json()
    assert (first["count"], len(first["results"]), first["previous"]) == (52, 50, None)
    assert first["next"] == "http://testserver/api/questions/?page=2"
    second = client.get("/api/questions/?page=2").json()
    assert (len(second["results"]), second["next"], second["previous"]) == (2, None, "http://testserver/api/questions/")


# --- filters ------------------------------------------------------------------------------------------------


@pytest.fixture
def catalogue():
    llm, other = make_bank(), make_bank("other", "Other bank")
    return {
        "easy_rag": make_question(llm, 1, difficulty="easy", tags=("rag",), title="Chunking documents?"),
        "hard_agents": make_question(
            llm, 2, difficulty="hard", domain_name="Agents", tags=("agents", "tool-use"), prompt="A tool call loops."
        ),
        "medium_rag": make_question(llm, 3, tags=("rag", "evaluation")),
        "other": make_question(other, 1, key="scaling-laws", difficulty="hard", domain_name="Foundations"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bank=llm", ["easy_rag", "hard_agents", "medium_rag"]),
        ("bank=other", ["other"]),
        ("domain=rag-retrieval", ["easy_rag", "medium_rag"]),
        ("domain=RAG-Retrieval", ["easy_rag", "medium_rag"]),
        ("bank=llm&domain=agents", ["hard_agents"]),
        ("bank=other&domain=agents", []),
        ("difficulty=hard", ["hard_agents", "other"]),
        ("tag=rag", ["easy_rag", "medium_rag"]),
        ("tag=tool-use", ["hard_agents"]),
        ("tag=unused", []),
        ("tag=rag&difficulty=easy", ["easy_rag"]),
        ("q=chunking", ["easy_rag"]),  # the title
        ("q=TOOL CALL", ["hard_agents"]),  # the prompt, whatever the case
        ("q=scaling", ["other"]),  # the key
        ("q=evaluat", ["medium_rag"]),  # a tag
        ("q=rag", ["easy_rag", "medium_rag"]),  # tags, each question once
        ("q=%20%20", ["other", "easy_rag", "hard_agents", "medium_rag"]),  # blank: no search
    ],
)
def test_filters(api_as, interviewer, catalogue, query, expected):
    response = api_as(interviewer).get(f"/api/questions/?{query}")
    assert response.status_code == 200, response.json()
    # banks by name ("LLM bank", "Other bank"), then in file order
    order = ["easy_rag", "hard_agents", "medium_rag", "other"]
    assert ids(response) == [catalogue[name].pk for name in sorted(expected, key=order.index)]


@pytest.mark.parametrize(
    ("query", "field", "detail"),
    [
        ("bank=nope", "bank", "The filter bank='nope' is not valid: There is no question bank with that key."),
        (
            "difficulty=extreme",
            "difficulty",
            "The filter difficulty='extreme' is not valid: It must be one of easy, medium, hard.",
        ),
        (
            "tag=two%20words",
            "tag",
            "The filter tag='two words' is not valid: It must be letters, digits and single hyphens.",
        ),
        (
            "domain=a_b",
            "domain",
            "The filter domain='a_b' is not valid: It must be letters, digits and single hyphens.",
        ),
        (
            "q=" + "x" * 201,
            "q",
            "The filter q='" + "x" * 40 + "…' is not valid: Ensure this value has at most 200 characters (it has 201).",
        ),
        ("q=a%00b", "q", "The filter q='a\\x00b' is not valid: Null characters are not allowed."),
    ],
)
def test_a_filter_value_that_cannot_be_right_is_a_400(api_as, interviewer, catalogue, query, field, detail):
    response = api_as(interviewer).get(f"/api/questions/?{query}")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_filter", "detail": detail, "field": field}


# --- queries ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 40])
def test_the_list_costs_the_same_queries_at_any_size(api_as, interviewer, django_assert_num_queries, size):
    bank = make_bank()
    for number in range(1, size + 1):
        make_question(bank, number, tags=("rag", f"tag-{number}"))
    client = api_as(interviewer)
    # the token with its user (the list asks no role); the count; the page's questions with their banks; the page's tags
    with django_assert_num_queries(4):
        response = client.get("/api/questions/")
    assert response.json()["count"] == size
    # the same, plus the bank looked up by its key
    with django_assert_num_queries(5):
        response = client.get("/api/questions/?bank=llm&domain=rag-retrieval&difficulty=medium&tag=rag&q=case")
    assert response.json()["count"] == size
    # one question: token; the question with its bank; its tags
    path = f"/api/questions/{bank.questions.first().pk}/"
    with django_assert_num_queries(3):
        assert client.get(path).status_code == 200


# --- the schema ---------------------------------------------------------------------------------------------


def test_the_schema_describes_the_question_endpoints_and_their_filters():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    listing = schema["paths"]["/api/questions/"]["get"]
    assert set(schema["paths"]["/api/questions/"]) == {"get"}
    assert set(schema["paths"]["/api/questions/{id}/"]) == {"get"}
    parameters = {p["name"]: p["schema"] for p in listing["parameters"]}
    assert set(parameters) == {"bank", "domain", "difficulty", "tag", "q", "page"}
    assert parameters["difficulty"]["enum"] == ["easy", "hard", "medium"]
    assert set(listing["responses"]) == {"200", "400", "401"}
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page.endswith("/PaginatedQuestionList")
    paginated = schema["components"]["schemas"]["PaginatedQuestionList"]
    assert set(paginated["properties"]) == {"count", "next", "previous", "results"}
    question = schema["components"]["schemas"]["Question"]
    assert list(question["properties"]) == [
        "id",
        "bank",
        "key",
        "domain",
        "domain_name",
        "difficulty",
        "tags",
        "title",
        "prompt",
        "strong_answer",
        "pitfalls",
        "insight",
    ]
    assert question["properties"]["tags"] == {"type": "array", "items": {"type": "string"}, "readOnly": True}
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [m for m in messages if "question" in m.lower()] == []
