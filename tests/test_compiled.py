"""interviewloop.compiled: SQL compiled once gives exactly the queryset's rows; and the app's compiled reads.

Every compiled read of the app is checked here against the queryset it was compiled from, on a populated
database (SQLite in `make test`, PostgreSQL with prepared statements in CI).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from debriefs import selectors as debrief_selectors
from interviewloop import roles
from interviewloop.compiled import CompiledQuery
from interviewloop.models import Interview, Loop
from scorecards import selectors as scorecard_selectors
from scorecards.models import Scorecard
from tests.debriefs.conftest import add_interview
from tests.factories import LoopFactory, PositionFactory, UserFactory

ROLE_NAMES = sorted(roles.ROLE_GROUPS)


@pytest.fixture
def company(db, rubric, recruiter):
    """Three loops: a full panel (notes, late and on time, red flags, a draft, one not ended), one of a single
    interview, one empty."""
    position = PositionFactory(rubric=rubric)
    full = LoopFactory(position=position, recruiter=recruiter)
    add_interview(full, "alice", vote="strong_yes", note_vote="yes", scores=5)
    add_interview(full, "bob", vote="no", note_vote="yes", note_late=True, red_flags=("buzzword_soup", "defensive"))
    add_interview(full, "dave", vote="yes", submitted=False)
    add_interview(full, "erin", vote=None, ended=False)
    single = LoopFactory(position=position, recruiter=recruiter)
    add_interview(single, "alice", vote="no", note_vote="no", scores=2)
    empty = LoopFactory(position=position, recruiter=recruiter)
    return {"full": full, "single": single, "empty": empty}


def both(compiled: CompiledQuery, **arguments):
    return compiled(**arguments), list(compiled.queryset(**arguments))


# --- the app's compiled reads equal their querysets -------------------------------------------------


@pytest.mark.django_db
def test_the_debriefs_leniency_read_gives_each_panel_scorecards_sum_and_count(company):
    from debriefs.calibration_selectors import _panel_history

    # alice's two loops: the full one (alice 5s and bob's scores, counting, submitted) and her single one
    assert sorted(_panel_history(["alice"])) == sorted(
        [
            (company["full"].pk, "alice", 40, 8),
            (company["full"].pk, "bob", 32, 8),
            (company["single"].pk, "alice", 16, 8),
        ]
    )
    assert _panel_history(["nobody"]) == []


@pytest.mark.django_db
def test_a_cancelled_interview_reads_the_same_compiled_and_leaves_its_interviewers_pages(company, recruiter):
    from interviewloop.services import interview_cancel

    erin = Interview.objects.get(interviewer__username="erin")
    interview_cancel(interview=erin, reason="Panel is enough.", by=recruiter)
    # The debrief is no longer a compiled read: its stored document shows the cancel (test_debrief_document.py).
    erin.refresh_from_db()
    cancelled = [vote for vote in debrief_selectors.debrief_document(company["full"].pk)["votes"] if vote["cancelled"]]
    assert [(vote["interview"], vote["cancel_reason"]) for vote in cancelled] == [(erin.pk, "Panel is enough.")]
    assert [datetime.fromisoformat(vote["cancelled_at"]) for vote in cancelled] == [erin.cancelled_at]
    pages = scorecard_selectors.InterviewRows(scorecard_selectors.interview_list(erin.interviewer))
    assert pages.count() == 0 and pages[0:50] == [] == list(scorecard_selectors.interviews_for(erin.interviewer))


@pytest.mark.django_db
def test_a_session_users_roles_are_one_compiled_query(db):
    user = UserFactory(username="rita", role="recruiter")
    user.groups.add(Group.objects.create(name="book-club"))  # not a role: not among the roles
    fresh = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        assert roles.role_names(fresh) == {roles.RECRUITERS}
        assert roles.is_recruiter(fresh) and not roles.is_interviewer(fresh)
    assert len(queries) == 1


# --- CompiledQuery itself -----------------------------------------------------------------------------


LOOPS_BY_ID = CompiledQuery(
    lambda loop_ids: Loop.objects.filter(pk__in=loop_ids).order_by("pk").values_list("pk", "status", "created_at")
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(min_value=0, max_value=5), max_size=6))
def test_any_list_of_ids_gives_the_querysets_rows(company, picks):
    ids = [loop.pk for loop in company.values()] + [-1, 10**6, 0]
    loop_ids = [ids[pick] for pick in picks]
    compiled, queryset = both(LOOPS_BY_ID, loop_ids=loop_ids)
    assert compiled == queryset
    assert all(created.tzinfo is not None for _, _, created in compiled)  # the backend's converters applied


@pytest.mark.django_db
def test_an_empty_list_runs_no_query(company):
    with CaptureQueriesContext(connection) as queries:
        assert LOOPS_BY_ID(loop_ids=[]) == []
    assert len(queries) == 0


@pytest.mark.django_db
def test_pages_take_bounds_as_parameters(company):
    everything = list(LOOPS_BY_ID.queryset(loop_ids=[loop.pk for loop in company.values()]))
    ids = [loop.pk for loop in company.values()]
    assert LOOPS_BY_ID.page(offset=1, limit=1, loop_ids=ids) == everything[1:2]
    assert LOOPS_BY_ID.page(offset=0, limit=10, loop_ids=ids) == everything
    with pytest.raises(ValueError):
        LOOPS_BY_ID.page(offset=-1, limit=1, loop_ids=ids)


@pytest.mark.django_db
def test_what_cannot_be_compiled_is_refused_when_first_run(company):
    by_name = CompiledQuery(lambda term: Loop.objects.filter(candidate__name__icontains=term).values_list("pk"))
    with pytest.raises(ValueError, match="did not reach the SQL unchanged"):
        by_name(term="jordan")
    with pytest.raises(TypeError, match="values_list"):
        CompiledQuery(lambda loop_id: Loop.objects.filter(pk=loop_id))(loop_id=1)
    with pytest.raises(TypeError, match="slicing"):
        CompiledQuery(lambda loop_id: Loop.objects.filter(pk=loop_id).values_list("pk")[:1])(loop_id=1)
    with pytest.raises(TypeError, match="only int and str"):
        CompiledQuery(lambda since: Loop.objects.filter(created_at__gte=since).values_list("pk"))(
            since=company["full"].created_at - timedelta(days=1)
        )
    with pytest.raises(TypeError, match="takes loop_id"):
        CompiledQuery(lambda loop_id: Loop.objects.filter(pk=loop_id).values_list("pk"))(pk=1)


def loaded(instance) -> dict:
    """A model instance's loaded column values (deferred ones left out), and whether it is saved."""
    deferred = instance.get_deferred_fields()
    values = {
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname not in deferred
    }
    return {"values": values, "deferred": deferred, "adding": instance._state.adding, "db": instance._state.db}


@pytest.mark.django_db
def test_the_scorecard_writes_reads_build_the_instances_the_orm_builds(company, interviewer, other_interviewer):
    from django.db import transaction

    from scorecards import services
    from scorecards.models import DimensionScore, Note, RedFlagMark, ThreadPulled
    from scorecards.selectors import RUBRIC_TEXTS, pinned_rubric

    for interview in Interview.objects.filter(interviewer=interviewer):
        orm = Interview.objects.select_related("loop", "rubric").defer(*RUBRIC_TEXTS).get(pk=interview.pk)
        compiled = scorecard_selectors.interview_to_score(user=interviewer, interview_id=interview.pk)
        assert compiled is not None
        for read in (lambda i: i, lambda i: i.loop, lambda i: i.rubric):
            assert loaded(read(compiled)) == loaded(read(orm))
        assert compiled.rubric.get_deferred_fields() == {text.removeprefix("rubric__") for text in RUBRIC_TEXTS}
        assert scorecard_selectors.interview_to_score(user=other_interviewer, interview_id=interview.pk) is None

        with transaction.atomic(), CaptureQueriesContext(connection) as locks:
            locked, scorecard = services._lock(compiled, note=True)
            assert len(locks.captured_queries) == 2  # the interview (with has_note), its scorecard: nothing else
            assert loaded(locked) == loaded(Interview.objects.get(pk=interview.pk))
            assert locked.has_note == Note.objects.filter(interview=interview).exists()
            # the services score against the caller's rubric (pinned for good) and lock the loop on their own
            assert (locked.loop_id, locked.rubric_id) == (compiled.loop_id, compiled.rubric_id)
            expected = Scorecard.objects.filter(interview=interview).first()
            assert (loaded(scorecard) if scorecard else None) == (loaded(expected) if expected else None)
            _, parts = services._stored(scorecard, pinned_rubric(compiled.rubric))
            if scorecard is not None:
                for stored, model, key in (
                    (parts.scores, DimensionScore, "dimension_id"),
                    (parts.red_flags, RedFlagMark, "red_flag_id"),
                    (parts.threads, ThreadPulled, "thread_id"),
                ):
                    rows = model.objects.filter(scorecard=scorecard)
                    assert {k: loaded(v) for k, v in stored.items()} == {getattr(r, key): loaded(r) for r in rows}


@pytest.mark.django_db(transaction=True)
def test_a_compiled_lock_outside_a_transaction_is_refused_as_djangos(interviewer):
    from django.db.transaction import TransactionManagementError

    from scorecards import services
    from tests.factories import InterviewFactory

    interview = InterviewFactory(interviewer=interviewer)
    with pytest.raises(TransactionManagementError, match="outside of a transaction"):
        services._lock(interview)
