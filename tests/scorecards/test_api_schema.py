"""The OpenAPI schema describes the interviewer's endpoints without generator warnings."""

from __future__ import annotations

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

INTERVIEWER_PATHS = {
    "/api/interviews/": {"get"},
    "/api/interviews/{id}/end/": {"post"},
    "/api/interviews/{id}/note/": {"put"},
    "/api/interviews/{id}/scorecard/": {"get", "put"},
    "/api/interviews/{id}/scorecard/check/": {"post"},
    "/api/interviews/{id}/scorecard/submit/": {"post"},
    "/api/interviews/{id}/scorecard/amend/": {"post"},
}


@pytest.fixture
def schema():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        generated = SchemaGenerator().get_schema(request=None, public=True)
    return generated


def test_every_interviewer_endpoint_is_in_the_schema_with_its_answers(schema):
    for path, methods in INTERVIEWER_PATHS.items():
        assert set(schema["paths"][path]) - {"parameters"} == methods, path
    submit = schema["paths"]["/api/interviews/{id}/scorecard/submit/"]["post"]
    assert set(submit["responses"]) == {"200", "400", "403", "404", "409"}
    assert submit["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ScorecardBodyRequest")
    note = schema["paths"]["/api/interviews/{id}/note/"]["put"]
    assert note["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/NoteAnswer")
    vote = schema["components"]["schemas"]["VoteEnum"]
    assert vote["enum"] == ["strong_no", "no", "yes", "strong_yes"]


def test_the_schema_has_no_warnings_about_scorecards_views(schema):
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [m for m in messages if "scorecards/" in m or "Enum" in m or "interviews" in m] == []
