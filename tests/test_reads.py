"""The app's hand-tuned reads, on a populated database: each gives what the plain ORM gives, in the queries it claims.

(They were SQL compiled once through Django's private internals, interviewloop.compiled; they are plain querysets
now, and these tests keep them honest.)
"""

from __future__ import annotations

from datetime import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from debriefs import selectors as debrief_selectors
from interviewloop import roles
from interviewloop.models import Interview
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


# --- the app's reads -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_debriefs_leniency_read_sums_the_stored_terms_in_one_query(company, django_assert_num_queries):
    from debriefs.calibration import Leniency
    from debriefs.calibration_selectors import panel_leniency
    from debriefs.models import LeniencyTerm
    from tests.debriefs.leniency_oracle import whole_history_leniency, whole_history_rows

    # the full loop compares alice's 5s with bob's 4s (dave's draft and erin's missing card do not count); her
    # single loop has nothing to compare with: no term
    assert sorted(whole_history_rows(["alice"])) == sorted(
        [
            (company["full"].pk, "alice", 40, 8),
            (company["full"].pk, "bob", 32, 8),
            (company["single"].pk, "alice", 16, 8),
        ]
    )
    assert sorted(LeniencyTerm.objects.values_list("loop_id", "interviewer__username", "difference", "n")) == sorted(
        [(company["full"].pk, "alice", 1.0, 1), (company["full"].pk, "bob", -1.0, 1)]
    )
    people = ["alice", "bob", "dave", "nobody"]
    with django_assert_num_queries(1):
        standing = panel_leniency(people)
    assert standing == whole_history_leniency(people)
    assert standing == {
        "alice": Leniency(1.0, 1), "bob": Leniency(-1.0, 1), "dave": Leniency(None, 0), "nobody": Leniency(None, 0),
    }  # fmt: skip


@pytest.mark.django_db
def test_a_cancelled_interview_shows_on_the_debrief_and_leaves_its_interviewers_pages(company, recruiter):
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
def test_a_session_users_roles_are_one_query(db):
    user = UserFactory(username="rita", role="recruiter")
    user.groups.add(Group.objects.create(name="book-club"))  # not a role: not among the roles
    fresh = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        assert roles.role_names(fresh) == {roles.RECRUITERS}
        assert roles.is_recruiter(fresh) and not roles.is_interviewer(fresh)
    assert len(queries) == 1


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


@pytest.mark.skipif(
    not connection.features.has_select_for_update,
    reason="needs a database with SELECT ... FOR UPDATE (PostgreSQL): SQLite has no row locks, so Django refuses nothing",
)
@pytest.mark.django_db(transaction=True)
def test_a_lock_outside_a_transaction_is_refused_as_djangos(interviewer):
    from django.db.transaction import TransactionManagementError

    from scorecards import services
    from tests.factories import InterviewFactory

    interview = InterviewFactory(interviewer=interviewer)
    with pytest.raises(TransactionManagementError, match="outside of a transaction"):
        services._lock(interview)
