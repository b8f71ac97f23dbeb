"""PUT /api/interviews/{id}/note/: the five-minute note, written once, after the end; late is accepted and marked."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from scorecards.models import Note
from tests.factories import InterviewFactory
from tests.scorecards.conftest import ENDED, NOTE_DUE, START

pytestmark = pytest.mark.django_db

BODY = {
    "best_thing": "Asked who the users are before writing anything.",
    "biggest_concern": "Never mentioned rollback.",
    "vote": "yes",
    "want_to_work_with": "not_sure",
}


def test_a_note_within_five_minutes_is_201_and_on_time(alice, interview):
    with time_machine.travel(ENDED + timedelta(minutes=4), tick=False):
        response = alice.put(f"/api/interviews/{interview.id}/note/", BODY, format="json")
    assert response.status_code == 201
    assert response.json() == BODY | {"submitted_at": "2026-03-02T15:04:00Z", "on_time": True}
    note = Note.objects.get(interview=interview)
    assert note.due_at == NOTE_DUE


def test_a_late_note_is_accepted_and_marked_late(alice, interview):
    with time_machine.travel(NOTE_DUE + timedelta(minutes=30), tick=False):
        response = alice.put(f"/api/interviews/{interview.id}/note/", BODY, format="json")
        listed = alice.get("/api/interviews/").json()["results"][0]
    assert response.status_code == 201
    assert response.json() == BODY | {"submitted_at": "2026-03-02T15:35:00Z", "on_time": False}
    assert listed["note_status"] == "late"


def test_the_note_is_written_once(alice, interview):
    with time_machine.travel(ENDED + timedelta(minutes=2), tick=False):
        assert alice.put(f"/api/interviews/{interview.id}/note/", BODY, format="json").status_code == 201
        again = alice.put(f"/api/interviews/{interview.id}/note/", BODY | {"vote": "no"}, format="json")
    assert again.status_code == 409
    assert again.json() == {
        "code": "note_already_written",
        "detail": "The five-minute note for this interview is already written; it is written once.",
    }
    assert Note.objects.get(interview=interview).vote == "yes"


def test_no_note_before_the_interview_ends(alice, interviewer, rubric):
    interview = InterviewFactory(interviewer=interviewer, scheduled_start=START, scheduled_end=ENDED)
    with time_machine.travel(START + timedelta(minutes=30), tick=False):
        response = alice.put(f"/api/interviews/{interview.id}/note/", BODY, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "code": "interview_not_ended",
        "detail": "This interview has not ended yet: end it first, then write the five-minute note.",
    }
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"vote": "maybe"}, "vote"),
        ({"want_to_work_with": "perhaps"}, "want_to_work_with"),
        ({"best_thing": ""}, "best_thing"),
        ({"biggest_concern": None}, "biggest_concern"),
    ],
)
def test_a_note_with_a_bad_answer_is_400_naming_the_field(alice, interview, change, field):
    response = alice.put(f"/api/interviews/{interview.id}/note/", BODY | change, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [field]
    assert not Note.objects.exists()


def test_another_interviewers_note_is_not_found(api, api_as, other_interviewer, recruiter, outsider, interview):
    url = f"/api/interviews/{interview.id}/note/"
    assert api.put(url, BODY, format="json").status_code == 401
    response = api_as(other_interviewer).put(url, BODY, format="json")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No interview of yours has this id."}
    for user in (recruiter, outsider):
        assert api_as(user).put(url, BODY, format="json").status_code == 403
    assert not Note.objects.exists()
