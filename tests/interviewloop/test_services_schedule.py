"""`loop_schedule_with_interviews`: a loop with its interviews all or nothing, every refusal naming its field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from interviewloop.errors import Conflict, Invalid
from interviewloop.models import Candidate, Interview, Loop, Position
from interviewloop.scheduling import InterviewPlan
from interviewloop.services import loop_schedule_with_interviews
from scorecards.models import Rubric
from tests.factories import CandidateFactory, PositionFactory, UserFactory, make_rubric

T = datetime(2030, 5, 6, 10, 0, tzinfo=UTC)


def at(hours: float, who, length: float = 1.0) -> InterviewPlan:
    start = T + timedelta(hours=hours)
    return InterviewPlan(interviewer=who, scheduled_start=start, scheduled_end=start + timedelta(hours=length))


@pytest.mark.django_db
def test_a_new_candidate_and_a_new_position_and_three_interviews_in_one_call(recruiter, rubric):
    panel = [UserFactory(username=name, role="interviewer") for name in ("ivan", "iris", "igor")]

    loop = loop_schedule_with_interviews(
        recruiter=recruiter,
        candidate_name=" Sam Lee ",
        candidate_email="sam@example.com",
        position_title="Site Reliability",
        position_rubric=rubric,
        debrief_at=T + timedelta(days=1),
        interviews=[at(0, panel[0]), at(1, panel[1]), at(2, panel[2])],
    )

    assert (loop.candidate.name, loop.position.title, loop.position.rubric, loop.recruiter) == (
        "Sam Lee", "Site Reliability", rubric, recruiter,
    )  # fmt: skip
    rows = list(loop.interviews.order_by("scheduled_start").values_list("interviewer__username", "scheduled_start"))
    assert rows == [("ivan", T), ("iris", T + timedelta(hours=1)), ("igor", T + timedelta(hours=2))]


@pytest.mark.django_db
def test_every_problem_is_raised_at_once_naming_its_field_and_nothing_is_written(recruiter, interviewer):
    outsider = UserFactory(username="olga")  # no role
    draft = make_rubric(status=Rubric.Status.DRAFT, name="Draft")

    with pytest.raises(Invalid) as refused:
        loop_schedule_with_interviews(
            recruiter=recruiter,
            candidate_name="  ",
            position_title="Support",
            position_rubric=draft,
            interviews=[at(0, interviewer), at(1, interviewer), at(2, outsider, length=-1)],
        )

    assert refused.value.as_dict() == {
        "code": "candidate_required",
        "detail": "Pick a candidate or give a new one's name.",
        "field": "candidate",
        "errors": [
            {"code": "candidate_required", "detail": "Pick a candidate or give a new one's name.", "field": "candidate"},
            {"code": "rubric_not_published", "detail": "Draft v1 (draft) is not a published version.",
             "field": "position.rubric"},
            {"code": "already_on_panel", "field": "interviews[1].interviewer",
             "detail": "Already interviewing in this loop (interview 1): one interview per interviewer."},
            {"code": "end_before_start", "detail": "The interview must end after it starts.",
             "field": "interviews[2].scheduled_end"},
            {"code": "not_an_interviewer", "field": "interviews[2].interviewer",
             "detail": "olga is not an interviewer: ask an admin to add them to the interviewers."},
        ],
    }  # fmt: skip
    assert not (Loop.objects.exists() or Candidate.objects.exists() or Position.objects.exists())


@pytest.mark.django_db
def test_a_loop_without_interviews_is_refused(recruiter, rubric):
    with pytest.raises(Invalid) as refused:
        loop_schedule_with_interviews(
            recruiter=recruiter, candidate=CandidateFactory(), position=PositionFactory(rubric=rubric), interviews=[]
        )
    assert (refused.value.code, refused.value.extra["field"]) == ("no_interviews", "interviews")
    assert not Loop.objects.exists()


@pytest.mark.django_db
def test_a_refusal_from_a_service_names_the_row_and_field_and_undoes_the_loop(
    recruiter, rubric, interviewer, other_interviewer, monkeypatch
):
    from interviewloop import services

    # given a refusal only the interview service sees (a race: the panel changed after the checks)
    original = services.interview_schedule

    def refuse_bob(**kwargs):
        if kwargs["interviewer"] == other_interviewer:
            raise Conflict(
                "bob already interviews in this loop: one interview per interviewer.", code="already_on_panel"
            )
        return original(**kwargs)

    monkeypatch.setattr(services, "interview_schedule", refuse_bob)

    with pytest.raises(Conflict) as refused:
        loop_schedule_with_interviews(
            recruiter=recruiter,
            candidate_name="Sam Lee",
            position=PositionFactory(rubric=rubric),
            interviews=[at(0, interviewer), at(1, other_interviewer)],
        )

    assert refused.value.status == 409
    assert refused.value.as_dict() == {
        "code": "already_on_panel",
        "detail": "bob already interviews in this loop: one interview per interviewer.",
        "field": "interviews[1].interviewer",
        "errors": [
            {"code": "already_on_panel", "field": "interviews[1].interviewer",
             "detail": "bob already interviews in this loop: one interview per interviewer."},
        ],
    }  # fmt: skip
    assert not (Loop.objects.exists() or Interview.objects.exists() or Candidate.objects.exists())


@pytest.mark.django_db
def test_an_erased_candidate_is_refused_on_the_candidate_field(recruiter, rubric, interviewer):
    erased = CandidateFactory()
    erased.erased_at = T
    erased.save()
    with pytest.raises(Invalid) as refused:
        loop_schedule_with_interviews(
            recruiter=recruiter,
            candidate=erased,
            position=PositionFactory(rubric=rubric),
            interviews=[at(0, interviewer)],
        )
    assert (refused.value.code, refused.value.extra["field"]) == ("candidate_erased", "candidate")
