"""Interviews added and changed in Django admin (their own page and the loop's inline) go through the services:
the API's refusals shown on the form with nothing saved, and its effects (invite, notices, stored debrief)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from debriefs.models import DebriefDocument, Reminder
from interviewloop import services
from interviewloop.models import Interview, Loop
from interviewloop.rounds import RoundTemplate
from scorecards.models import Rubric
from tests.factories import InterviewFactory, LoopFactory, PositionFactory, UserFactory, make_question

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ADD = reverse("admin:interviewloop_interview_add")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def tomorrow():
    day = timezone.now().date() + timedelta(days=2)
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


@pytest.fixture
def question(db):
    return make_question()


@pytest.fixture
def loop(rubric, recruiter, interviewer, question, tomorrow):
    """Rita's open loop, its debrief meeting ahead, with alice's interview tomorrow asking `question`."""
    loop = LoopFactory(recruiter=recruiter, position__rubric=rubric)
    services.loop_schedule_debrief(loop=loop, debrief_at=tomorrow + timedelta(days=1))
    services.interview_schedule(loop=loop, interviewer=interviewer, scheduled_start=tomorrow, questions=[question.pk])
    return Loop.objects.get(pk=loop.pk)


def pending(**filters):
    rows = Reminder.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True, **filters)
    return sorted(rows.values_list("kind", "recipient__username"))


def when(moment: datetime, prefix: str) -> dict[str, str]:
    return {f"{prefix}_0": moment.strftime("%Y-%m-%d"), f"{prefix}_1": moment.strftime("%H:%M:%S")}


def add_form(loop, interviewer, start, *, questions=(), allow_repeat=False):
    data = {
        "loop": str(loop.pk),
        "interviewer": str(interviewer.pk),
        "rubric": str(loop.position.rubric_id),
        "counts_toward_decision": "on",
        "round": "",
        "focus": "[]",
        "questions": str(list(questions)),
        "calendar_sequence": "7",  # read-only: what a page that offered it would post is ignored
        **when(start, "scheduled_start"),
        **when(start + timedelta(hours=1), "scheduled_end"),
    }
    if allow_repeat:
        data["allow_repeat"] = "on"
    return data


def form_errors(response) -> dict[str, list[str]]:
    """The page's form errors by field ("__all__": above the form); the page was re-rendered, not saved."""
    assert response.status_code == 200, response
    return {field: list(errors) for field, errors in response.context["adminform"].form.errors.items()}


def saved_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- The interview's own page: add ------------------------------------------------------------------------


@pytest.mark.django_db
def test_adding_an_interview_that_repeats_a_question_of_the_loop_is_refused_and_nothing_is_saved(
    admin_client, loop, other_interviewer, question, tomorrow
):
    before = pending()

    response = admin_client.post(ADD, add_form(loop, other_interviewer, tomorrow, questions=[question.pk]))

    assert form_errors(response) == {
        "questions": [
            f"Question {question.pk} is already asked in this loop, in alice's interview: a candidate is not asked the "
            "same question twice. Send allow_repeat: true to assign it anyway."
        ]
    }
    assert not Interview.objects.filter(interviewer=other_interviewer).exists()
    assert pending() == before  # no invite, no meeting reminder rewritten
    assert not LogEntry.objects.exists()
    assert saved_messages(response) == []
    # what was typed is still on the page
    assert response.context["adminform"].form["questions"].value() == f"[{question.pk}]"


@pytest.mark.django_db
def test_adding_an_interview_that_repeats_a_question_with_allow_repeat_schedules_it(
    admin_client, loop, other_interviewer, question, tomorrow
):
    response = admin_client.post(
        ADD, add_form(loop, other_interviewer, tomorrow, questions=[question.pk], allow_repeat=True)
    )

    assert response.status_code == 302, form_errors(response)
    added = Interview.objects.get(loop=loop, interviewer=other_interviewer)
    assert added.questions == [question.pk]
    assert response["Location"] == reverse("admin:interviewloop_interview_changelist")
    [message] = saved_messages(response)
    assert "was added successfully" in message
    assert LogEntry.objects.get().object_id == str(added.pk)


@pytest.mark.django_db
def test_adding_an_interview_for_someone_who_is_not_an_interviewer_is_refused(admin_client, loop, outsider, tomorrow):
    response = admin_client.post(ADD, add_form(loop, outsider, tomorrow))

    assert form_errors(response) == {
        "interviewer": ["charlie is not an interviewer: ask an admin to add them to the interviewers."]
    }
    assert not Interview.objects.filter(interviewer=outsider).exists()


@pytest.mark.django_db
def test_adding_an_interview_invites_the_interviewer_and_rewrites_the_debrief_and_its_meeting_reminder(
    admin_client, loop, other_interviewer, tomorrow
):
    response = admin_client.post(ADD, add_form(loop, other_interviewer, tomorrow + timedelta(hours=2)))

    assert response.status_code == 302, form_errors(response)
    added = Interview.objects.get(loop=loop, interviewer=other_interviewer)
    assert pending(interview=added) == [("interview_assigned", "bob")]
    assert ("debrief_meeting", "bob") in pending(loop=loop, kind="debrief_meeting")
    stored = DebriefDocument.objects.get(pk=loop.pk).document
    assert [vote["interviewer"] for vote in stored["votes"]] == ["alice", "bob"]


@pytest.mark.django_db
def test_a_round_of_another_position_is_refused_on_the_round(admin_client, loop, other_interviewer, rubric, tomorrow):
    elsewhere = RoundTemplate.objects.create(position=PositionFactory(rubric=rubric), title="Coding", rubric=rubric)
    data = add_form(loop, other_interviewer, tomorrow) | {"round": str(elsewhere.pk)}

    response = admin_client.post(ADD, data)

    assert form_errors(response) == {
        "round": [f"Round {elsewhere.pk} (Coding) is not a round of this loop's position."]
    }
    assert not Interview.objects.filter(interviewer=other_interviewer).exists()


# --- The interview's own page: change ---------------------------------------------------------------------


def change_form(interview, *, interviewer=None, start=None, end=None):
    start = start or interview.scheduled_start
    end = end or interview.scheduled_end
    return {
        "interviewer": str((interviewer or interview.interviewer).pk),
        "calendar_sequence": str(interview.calendar_sequence),
        **when(start, "scheduled_start"),
        **when(end, "scheduled_end"),
    }


def change_url(interview) -> str:
    return reverse("admin:interviewloop_interview_change", args=[interview.pk])


@pytest.mark.django_db
def test_rescheduling_in_admin_bumps_the_calendar_sequence_and_tells_the_interviewer(admin_client, loop, tomorrow):
    interview = loop.interviews.get()
    later = tomorrow + timedelta(hours=4)

    response = admin_client.post(
        change_url(interview), change_form(interview, start=later, end=later + timedelta(hours=1))
    )

    assert response.status_code == 302, form_errors(response)
    interview.refresh_from_db()
    assert (interview.scheduled_start, interview.calendar_sequence) == (later, 1)
    assert pending(interview=interview) == [("interview_assigned", "alice"), ("interview_rescheduled", "alice")]
    stored = DebriefDocument.objects.get(pk=loop.pk).document
    assert stored["votes"][0]["scheduled_start"] == later.isoformat().replace("+00:00", "Z")


@pytest.mark.django_db
def test_giving_an_interview_to_another_interviewer_in_admin_tells_both(admin_client, loop, other_interviewer):
    interview = loop.interviews.get()

    response = admin_client.post(change_url(interview), change_form(interview, interviewer=other_interviewer))

    assert response.status_code == 302, form_errors(response)
    interview.refresh_from_db()
    assert (interview.interviewer, interview.calendar_sequence) == (other_interviewer, 1)
    assert pending(interview=interview) == [("interview_assigned", "bob"), ("interview_cancelled", "alice")]


@pytest.mark.django_db
def test_moving_an_ended_interview_in_admin_is_refused(admin_client, loop, tomorrow):
    interview = loop.interviews.get()
    services.interview_end(interview=interview)
    interview.refresh_from_db()
    later = tomorrow + timedelta(hours=4)

    response = admin_client.post(
        change_url(interview), change_form(interview, start=later, end=later + timedelta(hours=1))
    )

    assert form_errors(response) == {
        "__all__": ["This interview has ended: it can no longer be moved or given to another interviewer."]
    }
    stored = Interview.objects.get(pk=interview.pk)
    assert (stored.scheduled_start, stored.calendar_sequence) == (tomorrow, 0)
    assert not Reminder.objects.filter(kind="interview_rescheduled").exists()


@pytest.mark.django_db
def test_giving_an_interview_to_someone_on_the_panel_is_refused_by_the_service(admin_client, loop, tomorrow):
    interview = loop.interviews.get()
    carol = UserFactory(username="carol", role="interviewer")
    services.interview_schedule(loop=loop, interviewer=carol, scheduled_start=tomorrow + timedelta(hours=2))

    response = admin_client.post(change_url(interview), change_form(interview, interviewer=carol))

    assert form_errors(response) == {
        "interviewer": ["carol already interviews in this loop: one interview per interviewer."]
    }
    assert Interview.objects.get(pk=interview.pk).interviewer.username == "alice"


@pytest.mark.django_db
def test_the_calendar_sequence_is_not_typed_in_admin(admin_client, loop):
    interview = loop.interviews.get()
    for url in (ADD, change_url(interview)):
        assert "calendar_sequence" not in admin_client.get(url).context["adminform"].form.fields
    assert "allow_repeat" in admin_client.get(ADD).context["adminform"].form.fields
    assert "allow_repeat" not in admin_client.get(change_url(interview)).context["adminform"].form.fields


# --- The loop's inline ------------------------------------------------------------------------------------


def loop_form(loop, *, rows=(), new=(), recruiter=None):
    """The loop's change form as the admin posts it: its interviews as stored (or as `rows` changes them, by
    interview), then a `new` row per (interviewer, start)."""
    interviews = list(loop.interviews.order_by("scheduled_start", "id"))
    changes = dict(rows)
    data = {
        "candidate": str(loop.candidate_id),
        "position": str(loop.position_id),
        "recruiter": str((recruiter or loop.recruiter).pk),
        "debrief_at_0": loop.debrief_at.strftime("%Y-%m-%d"),
        "debrief_at_1": loop.debrief_at.strftime("%H:%M:%S"),
        "interviews-TOTAL_FORMS": str(len(interviews) + len(new)),
        "interviews-INITIAL_FORMS": str(len(interviews)),
        "interviews-MIN_NUM_FORMS": "0",
        "interviews-MAX_NUM_FORMS": "1000",
    }
    for index, interview in enumerate(interviews):
        start = changes.get(interview.pk, interview.scheduled_start)
        data |= {
            f"interviews-{index}-id": str(interview.pk),
            f"interviews-{index}-loop": str(loop.pk),
            f"interviews-{index}-interviewer": str(interview.interviewer_id),
            f"interviews-{index}-counts_toward_decision": "on",
            **when(start, f"interviews-{index}-scheduled_start"),
            **when(start + (interview.scheduled_end - interview.scheduled_start), f"interviews-{index}-scheduled_end"),
        }
    for offset, (user, start) in enumerate(new):
        index = len(interviews) + offset
        data |= {
            f"interviews-{index}-loop": str(loop.pk),
            f"interviews-{index}-interviewer": str(user.pk),
            f"interviews-{index}-counts_toward_decision": "on",
            **when(start, f"interviews-{index}-scheduled_start"),
            **when(start + timedelta(hours=1), f"interviews-{index}-scheduled_end"),
        }
    return data


def loop_url(loop) -> str:
    return reverse("admin:interviewloop_loop_change", args=[loop.pk])


def row_errors(response) -> list[dict[str, list[str]]]:
    assert response.status_code == 200, response
    [interviews] = response.context["inline_admin_formsets"]
    return [{field: list(errors) for field, errors in form.errors.items()} for form in interviews.formset.forms]


@pytest.mark.django_db
def test_a_row_added_in_the_loops_inline_invites_its_interviewer_and_rewrites_the_debrief(
    admin_client, loop, other_interviewer, tomorrow
):
    response = admin_client.post(loop_url(loop), loop_form(loop, new=[(other_interviewer, tomorrow)]))

    assert response.status_code == 302, row_errors(response)
    added = Interview.objects.get(loop=loop, interviewer=other_interviewer)
    assert pending(interview=added) == [("interview_assigned", "bob")]
    assert ("debrief_meeting", "bob") in pending(loop=loop, kind="debrief_meeting")
    assert [vote["interviewer"] for vote in DebriefDocument.objects.get(pk=loop.pk).document["votes"]] == [
        "alice", "bob",
    ]  # fmt: skip
    log = LogEntry.objects.get()
    assert "Added interview" in log.get_change_message()


@pytest.mark.django_db
def test_a_row_for_someone_who_is_not_an_interviewer_is_refused_and_nothing_of_the_page_is_saved(
    admin_client, loop, outsider, other_interviewer, tomorrow
):
    response = admin_client.post(
        loop_url(loop), loop_form(loop, new=[(outsider, tomorrow)], recruiter=other_interviewer)
    )

    assert row_errors(response) == [
        {},
        {"interviewer": ["charlie is not an interviewer: ask an admin to add them to the interviewers."]},
    ]
    assert not Interview.objects.filter(interviewer=outsider).exists()
    assert Loop.objects.get(pk=loop.pk).recruiter == loop.recruiter


@pytest.mark.django_db
def test_a_row_the_service_refuses_is_shown_on_its_row_and_the_loops_change_is_rolled_back(
    admin_client, loop, other_interviewer, tomorrow
):
    # given: the position's rubric retired since the page loaded (only interview_schedule sees it)
    Rubric.objects.filter(pk=loop.position.rubric_id).update(status=Rubric.Status.RETIRED)

    # when: the admin adds bob and changes the loop's recruiter in the same save
    response = admin_client.post(
        loop_url(loop), loop_form(loop, new=[(other_interviewer, tomorrow)], recruiter=other_interviewer)
    )

    # then: the row says why, and nothing of the page was written
    [unchanged, refused] = row_errors(response)
    assert unchanged == {}
    assert list(refused) == ["__all__"] and "is not a published rubric version" in refused["__all__"][0]
    assert not Interview.objects.filter(interviewer=other_interviewer).exists()
    assert Loop.objects.get(pk=loop.pk).recruiter == loop.recruiter
    assert not LogEntry.objects.exists()
    assert saved_messages(response) == []


@pytest.mark.django_db
def test_moving_a_row_in_the_loops_inline_bumps_the_calendar_sequence_and_tells_the_interviewer(
    admin_client, loop, tomorrow
):
    interview = loop.interviews.get()
    later = tomorrow + timedelta(hours=5)

    response = admin_client.post(loop_url(loop), loop_form(loop, rows={interview.pk: later}))

    assert response.status_code == 302, row_errors(response)
    interview.refresh_from_db()
    assert (interview.scheduled_start, interview.calendar_sequence) == (later, 1)
    assert ("interview_rescheduled", "alice") in pending(interview=interview)


@pytest.mark.django_db
def test_moving_an_ended_row_in_the_loops_inline_is_refused(admin_client, loop, tomorrow):
    interview = loop.interviews.get()
    services.interview_end(interview=interview)
    loop = Loop.objects.get(pk=loop.pk)

    response = admin_client.post(loop_url(loop), loop_form(loop, rows={interview.pk: tomorrow + timedelta(hours=5)}))

    assert row_errors(response) == [
        {"__all__": ["This interview has ended: it can no longer be moved or given to another interviewer."]}
    ]
    stored = Interview.objects.get(pk=interview.pk)
    assert (stored.scheduled_start, stored.calendar_sequence) == (tomorrow, 0)


@pytest.mark.django_db
def test_an_unchanged_ended_row_is_saved_with_the_loop(admin_client, rubric, recruiter, other_interviewer):
    # An ended interview whose row is posted back as shown does not stop the loop's own change.
    loop = LoopFactory(recruiter=recruiter, position__rubric=rubric, debrief_at=timezone.now() + timedelta(days=1))
    InterviewFactory(loop=loop, ended_at=timezone.now())

    response = admin_client.post(loop_url(loop), loop_form(loop, recruiter=other_interviewer))

    assert response.status_code == 302, row_errors(response)
    assert Loop.objects.get(pk=loop.pk).recruiter == other_interviewer
