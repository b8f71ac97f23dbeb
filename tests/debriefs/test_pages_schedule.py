"""The schedule page (`/loops/new/`): defaults, every error beside its field at once, full names, new positions."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from interviewloop.models import Candidate, Interview, Loop, Position
from scorecards.models import Phase
from tests.factories import PositionFactory, UserFactory, make_rubric

URL = "/loops/new/"


def form(position, **fields):
    data = {
        "candidate": "",
        "candidate_name": "Sam Lee",
        "candidate_email": "sam@example.com",
        "position": position.pk if position else "",
        "debrief_at": "2030-05-07T16:00",
    }
    data.update(fields)
    return data


def error_beside(html: str, field_id: str) -> list[str]:
    """The errors Django renders beside the field `field_id` (its `<ul id="…_error">`), which the input names."""
    assert f'aria-describedby="{field_id}_error"' in html or f'{field_id}_error"' in html
    found = re.search(rf'<ul class="errorlist" id="{re.escape(field_id)}_error">(.*?)</ul>', html, re.S)
    assert found, f"no error beside {field_id}"
    return re.findall(r"<li>(.*?)</li>", found[1])


def times(loop):
    return [
        (username, start.strftime("%H:%M"), end.strftime("%H:%M"))
        for username, start, end in loop.interviews.order_by("scheduled_start").values_list(
            "interviewer__username", "scheduled_start", "scheduled_end"
        )
    ]


@pytest.fixture
def panel(db):
    return [
        UserFactory(username="ivan", role="interviewer", first_name="Ivan", last_name="Petrov"),
        UserFactory(username="iris", role="interviewer", first_name="Iris", last_name="Zhou"),
        UserFactory(username="igor", role="interviewer", first_name="", last_name=""),
    ]


@pytest.mark.django_db
def test_three_interviews_back_to_back_from_one_start_and_the_default_length(client, recruiter, rubric, panel):
    client.force_login(recruiter)
    position = PositionFactory(rubric=rubric)

    response = client.post(
        URL,
        form(
            position,
            **{"i0-interviewer": "ivan", "i0-scheduled_start": "2030-05-06T10:00", "i0-duration": "60",
               "i1-interviewer": "iris", "i1-duration": "45",
               "i2-interviewer": "igor", "i2-duration": "90", "i2-counts_toward_decision": "on"},
        ),
    )  # fmt: skip

    loop = Loop.objects.get()
    assert (response.status_code, response["Location"]) == (302, reverse("loop-debrief", kwargs={"loop_id": loop.pk}))
    assert times(loop) == [("ivan", "10:00", "11:00"), ("iris", "11:00", "11:45"), ("igor", "11:45", "13:15")]


@pytest.mark.django_db
def test_a_typed_end_wins_over_the_length_and_the_next_start_follows_it(client, recruiter, rubric, panel):
    client.force_login(recruiter)
    response = client.post(
        URL,
        form(
            PositionFactory(rubric=rubric),
            **{"i0-interviewer": "ivan", "i0-scheduled_start": "2030-05-06T10:00",
               "i0-scheduled_end": "2030-05-06T10:20", "i0-duration": "90",
               "i1-interviewer": "iris", "i1-scheduled_start": "2030-05-06T14:00", "i1-duration": "30",
               "i2-interviewer": "igor"},
        ),
    )  # fmt: skip
    assert response.status_code == 302
    # igor's row posted no length: his is the position's (its rubric's single 5-minute phase gives the default, 60)
    assert times(Loop.objects.get()) == [("ivan", "10:00", "10:20"), ("iris", "14:00", "14:30"),
                                         ("igor", "14:30", "15:30")]  # fmt: skip


@pytest.mark.django_db
def test_every_error_is_beside_its_field_at_once_and_nothing_typed_is_lost(client, recruiter, rubric, panel):
    client.force_login(recruiter)
    data = form(
        PositionFactory(rubric=rubric),
        candidate_name="",
        candidate_email="sam@example.com",
        debrief_at="2030-05-07T16:00",
        **{"i0-interviewer": "ivan", "i0-scheduled_start": "2030-05-06T10:00", "i0-scheduled_end": "2030-05-06T09:00",
           "i1-interviewer": "ivan", "i1-scheduled_start": "2030-05-06T12:00", "i1-duration": "45",
           "i2-interviewer": "", "i2-scheduled_start": "2030-05-06T15:00",
           "i3-interviewer": "iris", "i3-scheduled_start": "0001-01-01T00:00"},
    )  # fmt: skip

    response = client.post(URL, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "id_candidate_name") == ["Pick a candidate or give a new one&#x27;s name."]
    assert error_beside(html, "id_i0-scheduled_end") == ["The interview must end after it starts."]
    assert error_beside(html, "id_i1-interviewer") == [
        "Already interviewing in this loop (interview 1): one interview per interviewer."
    ]
    assert error_beside(html, "id_i2-interviewer") == ["Pick the interviewer, or clear this interview&#x27;s times."]
    assert error_beside(html, "id_i3-scheduled_start") == [
        "This date and time must be between 1970-01-01 and 2999-12-31 23:59:59 UTC."
    ]
    # the summary lists the same five, each linking to its field
    summary = re.search(r'id="schedule-errors">(.*?)</div>', html, re.S)[1]
    assert re.findall(r'<a href="#([^"]+)">', summary) == [
        "id_candidate_name", "id_i0-scheduled_end", "id_i1-interviewer", "id_i2-interviewer", "id_i3-scheduled_start",
    ]  # fmt: skip
    # nothing typed is lost
    for value in ('value="sam@example.com"', 'value="2030-05-07T16:00"', 'value="2030-05-06T09:00"',
                  'value="2030-05-06T12:00"', 'value="2030-05-06T15:00"', '<option value="45" selected>'):  # fmt: skip
        assert value in html, value
    assert html.count('<option value="ivan" selected>') == 2
    assert not (Loop.objects.exists() or Candidate.objects.exists() or Interview.objects.exists())


@pytest.mark.django_db
def test_a_loop_without_interviews_is_refused_on_the_interviews_section(client, recruiter, rubric, panel):
    client.force_login(recruiter)

    response = client.post(URL, form(PositionFactory(rubric=rubric)))

    assert response.status_code == 400
    html = response.content.decode()
    assert (
        '<p class="form-error" id="interviews-error">Add at least one interviewer: a loop needs an interview.</p>'
        in html
    )
    assert '<a href="#interviews">Interviews</a>: Add at least one interviewer' in html
    assert 'value="Sam Lee"' in html
    assert not Loop.objects.exists() and not Candidate.objects.exists()


@pytest.mark.django_db
def test_a_refusal_from_the_service_is_beside_the_row_it_concerns(client, recruiter, rubric, panel, monkeypatch):
    from interviewloop import roles

    # iris leaves the interviewers between the page's check of the choice and the service's
    real = roles.is_interviewer
    monkeypatch.setattr("interviewloop.services.is_interviewer", lambda user: user.username != "iris" and real(user))
    client.force_login(recruiter)

    response = client.post(
        URL,
        form(
            PositionFactory(rubric=rubric),
            **{"i0-interviewer": "ivan", "i0-scheduled_start": "2030-05-06T10:00", "i1-interviewer": "iris"},
        ),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "id_i1-interviewer") == [
        "iris is not an interviewer: ask an admin to add them to the interviewers."
    ]
    assert not Loop.objects.exists()


@pytest.mark.django_db
def test_the_interviewer_choices_show_full_names_sorted_and_post_the_username(client, recruiter, panel):
    client.force_login(recruiter)
    html = client.get(URL).content.decode()
    row = re.search(r'<select name="i0-interviewer"[^>]*>(.*?)</select>', html, re.S)[1]
    assert re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', row) == [
        ("", "---------"), ("igor", "igor"), ("iris", "Iris Zhou (iris)"), ("ivan", "Ivan Petrov (ivan)"),
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_debrief_pages_add_interviewer_choices_show_full_names(client, recruiter, loop, panel):
    client.force_login(recruiter)
    html = client.get(reverse("loop-debrief", kwargs={"loop_id": loop.pk})).content.decode()
    assert '<option value="ivan">Ivan Petrov (ivan)</option>' in html


@pytest.mark.django_db
def test_a_new_position_is_created_in_the_same_submission(client, recruiter, rubric, panel):
    client.force_login(recruiter)
    assert f'<option value="{rubric.pk}" selected>' in client.get(URL).content.decode()  # the only published one

    response = client.post(
        URL,
        form(
            None,
            position_title="Site Reliability Engineer",
            position_rubric=rubric.pk,
            **{"i0-interviewer": "ivan", "i0-scheduled_start": "2030-05-06T10:00"},
        ),
    )

    assert response.status_code == 302
    loop = Loop.objects.get()
    assert (loop.position.title, loop.position.rubric) == ("Site Reliability Engineer", rubric)
    assert loop.interviews.get().rubric == rubric


@pytest.mark.django_db
def test_a_new_position_needs_a_title_and_a_published_rubric(client, recruiter, rubric, panel):
    draft = make_rubric(status="draft", name="Draft rubric")
    client.force_login(recruiter)

    response = client.post(
        URL,
        form(None, position_rubric=draft.pk, **{"i0-interviewer": "ivan", "i0-scheduled_start": "2030-05-06T10:00"}),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert error_beside(html, "id_position_title") == ["Pick a position or give a new one&#x27;s title."]
    assert error_beside(html, "id_position_rubric") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Position.objects.exists()


@pytest.mark.django_db
def test_a_position_given_in_the_address_is_chosen_and_sets_the_rows_length(client, recruiter, panel):
    rubric = make_rubric(status="draft")
    Phase.objects.create(rubric=rubric, order=1, name="Lead", minutes_min=10, minutes_max=15)
    Phase.objects.create(rubric=rubric, order=2, name="Threads", minutes_min=20, minutes_max=20)  # 5 + 15 + 20
    rubric.status = "published"
    rubric.save()
    position = PositionFactory(rubric=rubric, title="Support")
    client.force_login(recruiter)

    html = client.get(f"{URL}?position={position.pk}").content.decode()

    assert f'<option value="{position.pk}" selected data-minutes="45">Support</option>' in html
    assert html.count('<option value="45" selected>45 min</option>') == 4
    # posted without a length (no script, an old form), a row gets the position's
    response = client.post(URL, form(position, **{"i0-interviewer": "ivan", "i0-scheduled_start": "2030-05-06T10:00"}))
    assert response.status_code == 302
    assert times(Loop.objects.get()) == [("ivan", "10:00", "10:45")]
