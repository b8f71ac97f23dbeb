"""Schemathesis against the OpenAPI schema at /api/schema/: no generated request ever gets a 5xx, and every
answer is exactly what the schema says it is (`response_schema_conformance`: the body of each documented status
matches its schema, as drf-spectacular writes it from the serializer that writes the body).

Every operation in the schema is called with valid and invalid (negative mode: wrong types, missing
fields, unknown keys, malformed values) bodies and parameters, as a recruiter and as an interviewer,
through the real WSGI application. Integer path ids are pointed at real objects (the caller's own
interview, a loop with a debrief, the published rubric) so the generated bodies reach the services
instead of stopping at a 404. Then the stateful phase chains calls along the links schemathesis infers
from the schema (a loop created, then read, moved, given interviews and a decision; a draft saved, then
checked and submitted), with the ids the earlier answers gave.

The number of examples is bounded and the run derandomized, so the suite stays fast (about a minute of
fuzzing) and a failure reproduces. A longer run by hand scales them, and adds the coverage phase:
`SCHEMA_FUZZ_EXAMPLES=500 SCHEMA_FUZZ_STATEFUL_EXAMPLES=300 SCHEMA_FUZZ_COVERAGE=1 pytest tests/test_schema_fuzz.py`.
"""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.generation import GenerationMode

from interviewloop.tokens import ApiToken
from interviewloop.wsgi import application
from scorecards.models import Question, QuestionBank, QuestionTag, Rubric
from tests.factories import InterviewFactory, LoopFactory, NoteFactory, PositionFactory, UserFactory, make_scorecard

EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", "20"))
STATEFUL_EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_STATEFUL_EXAMPLES", "12"))
STATEFUL_STEPS = int(os.environ.get("SCHEMA_FUZZ_STATEFUL_STEPS", "8"))

# Loading the schema is one GET through the app; drf-spectacular builds it without touching the database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES_PER_OPERATION, deterministic=True
)
# The coverage phase enumerates hundreds of boundary bodies per operation (minutes in total); the
# examples and fuzzing phases, positive and negative, give the bounded run the suite can afford.
schema.config.phases.coverage.enabled = bool(os.environ.get("SCHEMA_FUZZ_COVERAGE"))
# Built once: the links between operations are inferred from the schema (dependency analysis).
Workflow = schema.as_state_machine()

CHECKS = [not_a_server_error, response_schema_conformance]

# Every answer's status, by phase and role: written to SCHEMA_FUZZ_REPORT (a file) when set, for a run by hand.
STATUSES: Counter[tuple[str, str, int]] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_statuses():
    yield
    if os.environ.get("SCHEMA_FUZZ_REPORT"):
        with open(os.environ["SCHEMA_FUZZ_REPORT"], "a") as report:
            json.dump({" ".join(map(str, key)): count for key, count in sorted(STATUSES.items())}, report)
            report.write("\n")


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Calls go straight into the WSGI app, not through Django's test client, so do what it does: keep
    `close_old_connections` from closing the connection (and the test's transaction with it) after each
    request. SQLite does not mind; on PostgreSQL every request after the first would fail."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["recruiter", "interviewer"])
def caller(request, db):
    """The role making the calls, its token, and the real ids path parameters are pointed at."""
    cache.clear()  # throttle counters: the token endpoint is called too
    call_command("loaddata", "default_rubric", verbosity=0)
    rubric = Rubric.objects.get(status="published")
    recruiter = UserFactory(username="rita", role="recruiter")
    alice = UserFactory(username="alice", role="interviewer")
    bob = UserFactory(username="bob", role="interviewer")
    loop = LoopFactory(recruiter=recruiter, position=PositionFactory(rubric=rubric))
    ended = InterviewFactory(loop=loop, interviewer=alice, rubric=rubric, ended_at=timezone.now())
    done = InterviewFactory(loop=loop, interviewer=bob, rubric=rubric, ended_at=timezone.now())
    NoteFactory(interview=done)
    make_scorecard(done, vote="yes")
    user = recruiter if request.param == "recruiter" else alice
    ids = {"id": ended.pk, "pk": ended.pk, "loop_id": loop.pk}
    bank = QuestionBank.objects.create(key="llm", name="LLM bank")
    question = Question.objects.create(bank=bank, key="q01", domain_name="RAG", title="Why?", prompt="Tell me why.")
    question.tags.set([QuestionTag.objects.create(slug="rag")])
    yield {
        "role": request.param,
        "token": ApiToken.objects.create(user=user)[1],
        "ids": ids,
        "rubric": rubric.pk,
        "question": question.pk,
    }
    cache.clear()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_generated_request_gets_a_server_error(case, caller):
    if case.path_parameters:
        for name, value in case.path_parameters.items():
            # Keep generated junk (negative mode) as it is; point plausible ids at real objects.
            if name in caller["ids"] and (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
                real = caller["rubric"] if case.path.startswith("/api/rubrics/") else caller["ids"][name]
                real = caller["question"] if case.path.startswith("/api/questions/") else real
                case.path_parameters[name] = real
    response = case.call(headers={"Authorization": f"Token {caller['token']}"})
    STATUSES["fuzzing", caller["role"], response.status_code] += 1
    case.validate_response(response, checks=CHECKS)


def test_no_chain_of_calls_gets_a_server_error(caller):
    token = caller["token"]
    seen: dict[tuple[str, str], set[int]] = {}

    class CallerWorkflow(Workflow):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Token {token}"}}

        def after_call(self, response, case):
            seen.setdefault((case.method, case.path), set()).add(response.status_code)
            STATUSES["stateful", caller["role"], response.status_code] += 1

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    CallerWorkflow.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The chains reached past the permission checks: somewhere a call succeeded on an object an earlier
    # call named (a 2xx on an operation with an id in its path).
    assert any(code < 300 for (_, path), codes in seen.items() if "{" in path for code in codes), seen


# --- targeted bad input on every write operation in the schema -----------------------------------------

# Operations that take a JSON body (POST .../end/ takes none and ignores what it is sent).
WRITE_OPERATIONS = [
    (result.ok().method.upper(), result.ok().path)
    for result in schema.get_all_operations()
    if list(result.ok().body) and result.ok().path != "/api/auth/token/"
]


def _concrete(path: str, caller: dict) -> str:
    return path.replace("{id}", str(caller["ids"]["id"])).replace("{loop_id}", str(caller["ids"]["loop_id"]))


def test_every_write_operation_is_covered():
    assert len(WRITE_OPERATIONS) >= 10, WRITE_OPERATIONS


@pytest.mark.parametrize(("method", "path"), WRITE_OPERATIONS)
def test_malformed_json_is_a_400_with_a_code(caller, method, path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {caller['token']}")
    response = client.generic(method, _concrete(path, caller), '{"vote": "yes",', content_type="application/json")
    # A caller who may not use the endpoint is refused first (403/404); one who may gets the parse error.
    assert response.status_code in (400, 403, 404), response.content
    if response.status_code == 400:
        assert response.json()["code"] == "malformed_request"


@pytest.mark.parametrize(("method", "path"), WRITE_OPERATIONS)
def test_an_oversize_body_is_refused_not_a_500(caller, method, path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {caller['token']}")
    huge = json.dumps({"summary": "x" * 2_000_000, "name": "x" * 2_000_000})
    response = client.generic(method, _concrete(path, caller), huge, content_type="application/json")
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:200])
