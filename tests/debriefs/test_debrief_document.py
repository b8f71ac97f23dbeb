"""The stored debrief (DebriefDocument) always equals one built afresh from the rows, after every kind of write.

Hypothesis draws sequences of writes, each through the real service a page or the API calls (schedule, schedule
with a focus and maybe as the bar raiser, end, note, draft, submit, amend, count or shadow, cancel, reschedule,
reassign, record the outcome, the meeting's time, a candidate erased, an interviewer or a position renamed, and the
admin's loop page ticking "counts" or changing an interviewer); refused writes included. After each one, the stored
document and counts must be exactly what `documents.build` reads from the rows at that moment, and the stored
leniency terms (`LeniencyTerm`) what the debrief's leniency was before they were stored, computed over the whole
history of each interviewer (who also sat on an earlier loop): a service that forgot to rewrite them would leave
them stale, and this would say which write did. Plus the read side: the time-dependent parts (`documents.at_time`) and the one rule of who may read a debrief.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from debriefs.aggregation import DEBRIEF_OPEN, DEBRIEF_UNKNOWN, DEBRIEF_WITHHELD, debrief_access
from debriefs.models import DebriefDocument, LeniencyTerm
from debriefs.selectors import debrief_document
from debriefs.services import debrief_document_fresh, loop_record_decision
from interviewloop import services
from interviewloop.errors import DomainError
from interviewloop.models import Interview, Loop
from interviewloop.privacy import candidate_erase
from scorecards import services as scorecard_services
from scorecards.rules import VOTES
from tests.debriefs.leniency_oracle import assert_stored_leniency_is_the_whole_historys
from tests.factories import (
    CandidateFactory,
    InterviewFactory,
    LoopFactory,
    PositionFactory,
    UserFactory,
    make_scorecard,
)
from tests.scorecards.conftest import typed

PANEL = 3  # interviewer seats an operation can name (a few, so that writes meet on the same interview)
NAMES = itertools.count()

seat = st.integers(0, PANEL - 1)
operations = st.one_of(
    st.tuples(st.just("schedule"), seat, st.booleans()),
    st.tuples(st.just("schedule_round"), seat, st.booleans()),
    st.tuples(st.just("end"), seat),
    st.tuples(st.just("note"), seat, st.sampled_from(VOTES), st.booleans()),
    st.tuples(st.just("draft"), seat),
    st.tuples(st.just("submit"), seat, st.sampled_from(VOTES), st.integers(2, 5)),
    st.tuples(st.just("amend"), seat, st.sampled_from(VOTES), st.integers(2, 5)),
    st.tuples(st.just("counting"), seat, st.booleans()),
    st.tuples(st.just("cancel"), seat),
    st.tuples(st.just("reschedule"), seat, st.integers(1, 48)),
    st.tuples(st.just("reassign"), seat, seat),
    st.tuples(st.just("record"), st.sampled_from(["hire", "no_hire"])),
    st.tuples(st.just("meeting"), st.one_of(st.none(), st.integers(1, 72))),
    st.tuples(st.just("erase")),
    st.tuples(st.just("rename_interviewer"), seat),
    st.tuples(st.just("rename_position")),
    st.tuples(st.just("admin_counting"), seat, st.booleans()),
    st.tuples(st.just("admin_reassign"), seat, seat),
)


def body(rubric, vote: str, first: int = 5) -> dict:
    """A complete scorecard: all 5s (the first dimension `first`) with evidence and a yes gut check allow any vote
    but where `first` lowers the ceiling; a No also carries a red flag and a thread, so the debrief has those to
    show. `first` makes the scorecards' means differ, so their leniency terms do."""
    low = vote in ("no", "strong_no")
    keys = [d.key for d in rubric.dimensions.order_by("order", "id")]
    return {
        "scores": {key: {"score": first if key == keys[0] else 5, "evidence": f"Heard {key}."} for key in keys},
        "red_flags": [{"key": "defensive", "evidence": "Pushed back on every question."}] if low else [],
        "threads": [{"key": "first_two_weeks", "signal": "bad" if low else "great", "notes": "Week one, then two."}],
        "gut_check": {"work_with": "yes", "trust_day_one": "yes", "month_one_success": "yes"},
        "vote": vote,
        "summary": f"Voted {vote}.",
    }


class Company:
    """One loop (opened through the service), the interviewers its operations name, and with `history` an earlier
    loop where they all submitted (scores 2 to 5), so that their leniency has a history to sum."""

    def __init__(self, rubric, recruiter, *, history: bool = False) -> None:
        number = next(NAMES)
        self.rubric = rubric
        self.recruiter = recruiter
        self.people = [UserFactory(username=f"seat{number}x{n}", role="interviewer") for n in range(PANEL + 1)]
        if history:
            earlier = LoopFactory(position=PositionFactory(rubric=rubric), recruiter=recruiter)
            for score, person in zip((5, 2, 4, 3), self.people, strict=True):
                interview = InterviewFactory(loop=earlier, interviewer=person, rubric=rubric)
                make_scorecard(interview, vote="yes", scores=score)
        self.admin = UserFactory(username=f"admin{number}", role="admin")
        self.loop = services.loop_create(
            candidate=CandidateFactory(name=f"Candidate {number}"),
            position=PositionFactory(rubric=rubric, title=f"Position {number}"),
            recruiter=recruiter,
        )

    def interview(self, seat: int) -> Interview | None:
        return Interview.objects.filter(loop=self.loop, interviewer=self.people[seat]).first()

    def apply(self, operation: tuple) -> None:
        name, *args = operation
        now = timezone.now()
        interview = self.interview(args[0]) if args and name not in ("record", "meeting") else None
        if name == "schedule":
            start = now + timedelta(hours=args[0] + 1)
            services.interview_schedule(
                loop=self.loop, interviewer=self.people[args[0]], scheduled_start=start,
                scheduled_end=start + timedelta(hours=1), counts_toward_decision=args[1],
            )  # fmt: skip
        elif name == "schedule_round":  # every round of a loop: a focus of one dimension, maybe the bar raiser
            start = now + timedelta(hours=args[0] + 1)
            services.interview_schedule(
                loop=self.loop, interviewer=self.people[args[0]], scheduled_start=start,
                scheduled_end=start + timedelta(hours=1), focus=[self.rubric.dimensions.first().key],
                bar_raiser=args[1],
            )  # fmt: skip
        elif interview is None and name not in ("record", "meeting", "erase", "rename_position"):
            return  # nobody in that seat yet
        elif name == "end":
            services.interview_end(interview=interview)
        elif name == "note":
            scorecard_services.note_write(
                interview=interview, best_thing="Asked who the users are.", biggest_concern="Rollback.",
                vote=args[1], want_to_work_with="yes", at=now + timedelta(minutes=10 if args[2] else 1),
            )  # fmt: skip
        elif name == "draft":
            scorecard_services.scorecard_save_draft(
                interview=interview, data=typed(interview, {"summary": "Half written."})
            )
        elif name == "submit":
            scorecard_services.scorecard_submit(
                interview=interview, data=typed(interview, body(self.rubric, args[1], args[2]))
            )
        elif name == "amend":
            scorecard_services.scorecard_amend(
                interview=interview, data=typed(interview, body(self.rubric, args[1], args[2])),
                reason="Second thoughts.", amended_by=interview.interviewer,
            )  # fmt: skip
        elif name == "counting":
            services.interview_set_counting(interview=interview, counts_toward_decision=args[1])
        elif name == "cancel":
            services.interview_cancel(interview=interview, reason="Not needed.", by=self.recruiter)
        elif name == "reschedule":
            start = interview.scheduled_start + timedelta(hours=args[1])
            services.interview_update(
                interview=interview, scheduled_start=start, scheduled_end=start + timedelta(hours=1)
            )
        elif name == "reassign":
            services.interview_update(
                interview=interview, interviewer=self.people[PANEL if args[1] == args[0] else args[1]]
            )
        elif name == "record":
            loop_record_decision(loop=self.loop, decision=args[0], by=self.recruiter)
        elif name == "meeting":
            at = now + timedelta(hours=args[0]) if args[0] is not None else None
            services.loop_schedule_debrief(loop=self.loop, debrief_at=at)
        elif name == "erase":
            candidate_erase(candidate=self.loop.candidate)
        elif name == "rename_interviewer":
            person = interview.interviewer
            person.first_name, person.last_name = "Renamed", f"Person {person.pk}"
            person.save()
        elif name == "rename_position":
            position = self.loop.position
            position.title += " (renamed)"
            position.save()
        elif name == "admin_counting":
            self.admin_loop_form(interview, counts=args[1])
        elif name == "admin_reassign":
            self.admin_loop_form(interview, interviewer=self.people[PANEL if args[1] == args[0] else args[1]])

    def admin_loop_form(self, changed: Interview, **change) -> None:
        """Post the loop's admin page with its interviews inline as they are, `changed` with `change` applied (its
        interviewer, or whether it counts). A refusal (a closed loop, a repeated interviewer) writes nothing."""
        client = Client()
        client.force_login(self.admin)
        loop = Loop.objects.get(pk=self.loop.pk)
        interviews = list(loop.interviews.order_by("pk"))
        data = {
            "candidate": str(loop.candidate_id), "position": str(loop.position_id),
            "recruiter": str(loop.recruiter_id), "outcome": "",
            "interviews-TOTAL_FORMS": str(len(interviews)), "interviews-INITIAL_FORMS": str(len(interviews)),
            "interviews-MIN_NUM_FORMS": "0", "interviews-MAX_NUM_FORMS": "1000",
        }  # fmt: skip
        if loop.debrief_at is not None:
            at = timezone.localtime(loop.debrief_at)
            data.update({"debrief_at_0": at.strftime("%Y-%m-%d"), "debrief_at_1": at.strftime("%H:%M:%S")})
        for number, interview in enumerate(interviews):
            interviewer = change.get("interviewer", interview.interviewer) if interview == changed else None
            counts = change.get("counts", interview.counts_toward_decision) if interview == changed else None
            start, end = timezone.localtime(interview.scheduled_start), timezone.localtime(interview.scheduled_end)
            prefix = f"interviews-{number}-"
            data.update({
                prefix + "id": str(interview.pk), prefix + "loop": str(loop.pk),
                prefix + "interviewer": str((interviewer or interview.interviewer).pk),
                prefix + "scheduled_start_0": start.strftime("%Y-%m-%d"),
                prefix + "scheduled_start_1": start.strftime("%H:%M:%S"),
                prefix + "scheduled_end_0": end.strftime("%Y-%m-%d"), prefix + "scheduled_end_1": end.strftime("%H:%M:%S"),
            })  # fmt: skip
            if interview.counts_toward_decision if counts is None else counts:
                data[prefix + "counts_toward_decision"] = "on"
        response = client.post(reverse("admin:interviewloop_loop_change", args=[loop.pk]), data)
        assert response.status_code in (200, 302), response.status_code

    def assert_stored_equals_fresh(self, after: tuple) -> None:
        stored = DebriefDocument.objects.get(pk=self.loop.pk)  # written by the services, never lazily here
        fresh = debrief_document_fresh(self.loop.pk)
        assert stored.document == fresh.document, after
        assert stored.row == fresh.row, after
        assert {name: getattr(stored, name) for name in fresh.counts} == fresh.counts, after
        terms = LeniencyTerm.objects.filter(loop=self.loop).values_list("interviewer_id", "difference", "n")
        assert {who: (difference, n) for who, difference, n in terms} == {
            who: tuple(term) for who, term in fresh.leniency_terms.items() if term.n
        }, after
        assert_stored_leniency_is_the_whole_historys([person.username for person in self.people], after)


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(st.booleans(), st.lists(operations, min_size=1, max_size=16))
def test_the_stored_debrief_equals_a_fresh_one_after_every_write(rubric, recruiter, scored, writes):
    company = Company(rubric, recruiter, history=True)
    company.assert_stored_equals_fresh(("loop_create",))
    # Two interviews, one ended: so that short draws reach notes, votes and decisions. Or (`scored`) both ended
    # with their notes and votes in: so that the draws change scorecards compared with each other, and so the
    # loop's leniency terms (amend, cancel, shadow, reassign...).
    start = [("schedule", 0, True), ("schedule", 1, True), ("end", 0)]
    if scored:
        start += [("end", 1), ("note", 0, "yes", False), ("note", 1, "yes", False), ("submit", 0, "yes", 4)]
        start += [("submit", 1, "yes", 2)]
    for write in [*start, *writes]:
        with contextlib.suppress(DomainError):  # refused: nothing was written, and the document must say so too
            company.apply(write)
        company.loop.refresh_from_db()
        company.assert_stored_equals_fresh(write)


@pytest.mark.django_db
def test_every_kind_of_write_rewrites_it(rubric, recruiter):
    """The guide's path through a loop, write by write: each changes the document (none is skipped by luck)."""
    company = Company(rubric, recruiter, history=True)
    writes = [
        ("schedule", 0, True), ("schedule", 1, False), ("meeting", 30), ("end", 0), ("note", 0, "yes", True),
        ("draft", 0), ("submit", 0, "yes", 4), ("counting", 1, True), ("reschedule", 1, 2), ("reassign", 1, 2),
        ("rename_interviewer", 0), ("rename_position",), ("amend", 0, "no", 3), ("admin_counting", 2, False),
        ("admin_counting", 2, True), ("admin_reassign", 2, 1), ("cancel", 1), ("record", "no_hire"), ("erase",),
    ]  # fmt: skip
    before = DebriefDocument.objects.get(pk=company.loop.pk).document
    for write in writes:
        company.apply(write)
        company.loop.refresh_from_db()
        company.assert_stored_equals_fresh(write)
        after = DebriefDocument.objects.get(pk=company.loop.pk).document
        assert after != before, write
        before = after
    assert before["loop"]["outcome"] == "no_hire" and before["loop"]["candidate"]["name"].startswith("Erased")


@pytest.mark.django_db
def test_every_kind_of_write_that_moves_leniency_rewrites_the_terms(rubric, recruiter):
    """Three scorecards compared (5s, 3s, 4s: a history beside them), then each write that changes what leniency
    reads (the admin's page included): the terms change each time, and stay what the whole history's formula
    says."""
    company = Company(rubric, recruiter, history=True)
    for seat, first in ((0, 5), (1, 3), (2, 4)):
        for write in (("schedule", seat, True), ("end", seat), ("note", seat, "yes", False)):
            company.apply(write)
        company.apply(("submit", seat, "yes", first))
    writes = [
        ("amend", 1, "yes", 2), ("counting", 2, False), ("counting", 2, True), ("admin_counting", 0, False),
        ("admin_counting", 0, True),
    ]  # fmt: skip

    def terms():
        return set(LeniencyTerm.objects.filter(loop=company.loop).values_list("interviewer_id", "difference", "n"))

    before = terms()
    assert len(before) == 3
    for write in writes:
        company.apply(write)
        company.loop.refresh_from_db()
        company.assert_stored_equals_fresh(write)
        after = terms()
        assert after != before, write
        before = after
    # a submitted vote is never cancelled, nor moved to another interviewer (the service refuses an ended interview,
    # the admin's page says so beside the field): its terms stay
    for refused in (("cancel", 0), ("reassign", 1, 3)):
        with pytest.raises(DomainError):
            company.apply(refused)
    company.apply(("admin_reassign", 2, 3))
    company.assert_stored_equals_fresh(("admin_reassign", 2, 3))
    assert terms() == before


@pytest.mark.django_db
def test_reading_a_debrief_is_the_stored_document_at_the_readers_time(rubric, recruiter):
    company = Company(rubric, recruiter)
    company.apply(("schedule", 0, True))
    company.apply(("end", 0))
    interview = company.interview(0)
    assert interview is not None and interview.note_due_at is not None
    ended = interview.ended_at
    stored = DebriefDocument.objects.get(pk=company.loop.pk).document

    def note_status(at):
        return debrief_document(company.loop.pk, now=at)["votes"][0]["note"]["status"]

    assert note_status(ended - timedelta(seconds=1)) == "not_due"
    assert note_status(ended + timedelta(minutes=1)) == "due"
    assert note_status(interview.note_due_at + timedelta(seconds=1)) == "missing"
    missing = debrief_document(company.loop.pk, now=ended + timedelta(hours=25))["missing"]
    assert [row["overdue_seconds"] for row in missing] == [3600]
    assert DebriefDocument.objects.get(pk=company.loop.pk).document == stored  # reading never writes it


@pytest.mark.django_db
def test_a_loop_made_before_the_documents_is_built_for_its_read_and_written_by_the_command(
    rubric, recruiter, django_assert_num_queries
):
    company = Company(rubric, recruiter)
    company.apply(("schedule", 0, True))
    DebriefDocument.objects.filter(pk=company.loop.pk).delete()
    first = debrief_document(company.loop.pk)  # built for the read, not written (a read never writes)
    assert not DebriefDocument.objects.filter(pk=company.loop.pk).exists()
    call_command("rebuild_debriefs", "--missing", verbosity=0)
    with django_assert_num_queries(1):  # once written, the primary-key lookup alone
        assert debrief_document(company.loop.pk)["votes"] == first["votes"]


@pytest.mark.django_db
def test_a_missing_loop_has_no_debrief(db):
    from interviewloop.errors import NotFound

    with pytest.raises(NotFound):
        debrief_document(987654321)
    assert not Loop.objects.filter(pk=987654321).exists()


@given(st.booleans(), st.booleans(), st.booleans())
def test_who_may_read_a_debrief(recruiter, on_panel, own_submitted):
    access = debrief_access(recruiter=recruiter, on_panel=on_panel, own_submitted=own_submitted)
    if recruiter:
        assert access == DEBRIEF_OPEN  # "Recruiters see all loops."
    elif not on_panel:
        assert access == DEBRIEF_UNKNOWN
    else:  # "...until they have submitted their scorecard; then they may see the loop's debrief."
        assert access == (DEBRIEF_OPEN if own_submitted else DEBRIEF_WITHHELD)


# --- The loops list: stored rows, one FilterSet ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_loops_list_rows_are_the_stored_ones_with_the_clocks_late_count(rubric, recruiter, api_as):
    company = Company(rubric, recruiter)
    company.apply(("schedule", 0, True))
    company.apply(("end", 0))
    interview = company.interview(0)
    assert interview is not None and interview.note_due_at is not None
    stored = DebriefDocument.objects.get(pk=company.loop.pk)
    (row,) = api_as(recruiter).get("/api/loops/").json()["results"]
    assert {**row, "late_count": 0} == {**stored.row, "late_count": 0}
    assert row["late_count"] == (1 if timezone.now() > interview.note_due_at else 0)
    from debriefs.selectors import list_rows

    later = interview.note_due_at + timedelta(seconds=1)
    page = [(company.loop.pk, stored.row, stored.open_note_deadlines)]
    assert list_rows(page, now=later)[0]["late_count"] == 1  # the note unwritten past its deadline
    assert list_rows(page, now=interview.note_due_at - timedelta(seconds=1))[0]["late_count"] == 0


@pytest.mark.django_db
def test_a_bad_filter_is_a_400_naming_it_on_the_api_and_said_beside_the_field_on_the_page(rubric, recruiter, api_as):
    from django.test import Client

    company = Company(rubric, recruiter)
    answer = api_as(recruiter).get("/api/loops/?status=bogus")
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "invalid_filter",
        "detail": "status must be one of open, closed.",
        "field": "status",
    }
    client = Client()
    client.force_login(recruiter)
    page = client.get("/loops/?status=bogus&decision=hire")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="status-error"' in html and "status must be one of open, closed." in html
    assert company.loop.candidate.name not in html  # the valid filter (decision=hire) still applies
    assert company.loop.candidate.name in client.get("/loops/?status=bogus").content.decode()  # the bad one does not


@pytest.mark.django_db
def test_loops_made_before_the_stored_rows_are_built_for_the_list(rubric, recruiter, api_as):
    company = Company(rubric, recruiter)
    company.apply(("schedule", 0, True))
    DebriefDocument.objects.all().delete()
    (row,) = api_as(recruiter).get("/api/loops/").json()["results"]
    assert row["id"] == company.loop.pk and row["interview_count"] == 1
