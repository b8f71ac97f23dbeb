"""The debrief page's per-interview forms (Reschedule, Change interviewer, Cancel) and, after a No, the offer to
cancel the interviews not yet held: plain POST forms, errors beside the fields, nothing typed lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from debriefs.models import Reminder
from interviewloop.models import Interview, Loop
from tests.debriefs.conftest import add_interview, recompute
from tests.factories import UserFactory

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(client, recruiter):
    client.force_login(recruiter)
    return client


def upcoming(loop, username, *, start=LATER):
    return add_interview(loop, username, vote=None, ended=False, start=start)


def base(loop, interview):
    return f"/loops/{loop.pk}/interviews/{interview.pk}"


def test_each_changeable_interview_offers_its_three_forms(loop, page):
    erin = upcoming(loop, "erin")
    alice = add_interview(loop, "alice", vote="yes")  # ended, submitted: nothing to change

    html = page.get(f"/loops/{loop.pk}/").content.decode()

    assert f'action="{base(loop, erin)}/reschedule/"' in html
    assert f'action="{base(loop, erin)}/interviewer/"' in html
    assert f'action="{base(loop, erin)}/cancel/"' in html
    assert f'value="{LATER:%Y-%m-%dT%H:%M}"' in html  # the start, prefilled
    assert f"{base(loop, alice)}/" not in html


def test_rescheduling_from_the_page_moves_it_and_redirects(loop, page):
    erin = upcoming(loop, "erin")
    prefix = f"i{erin.pk}"

    response = page.post(
        f"{base(loop, erin)}/reschedule/",
        {f"{prefix}-scheduled_start": "2026-03-05T10:00", f"{prefix}-scheduled_end": "2026-03-05T11:00"},
    )

    assert response.status_code == 302 and response["Location"] == f"/loops/{loop.pk}/"
    erin.refresh_from_db()
    assert erin.scheduled_start == datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    assert Reminder.objects.filter(interview=erin, kind="interview_rescheduled").count() == 1


def test_a_refused_move_comes_back_with_the_error_beside_the_end_and_what_was_typed(loop, page):
    erin = upcoming(loop, "erin")
    prefix = f"i{erin.pk}"

    response = page.post(
        f"{base(loop, erin)}/reschedule/",
        {f"{prefix}-scheduled_start": "2026-03-05T10:00", f"{prefix}-scheduled_end": "2026-03-05T09:00"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="2026-03-05T10:00"' in html and 'value="2026-03-05T09:00"' in html
    form = html[html.index(f'{base(loop, erin)}/reschedule/"') :]
    end_field = form[form.index(f'id="id_{prefix}-scheduled_end"') :]
    assert end_field.index("The interview must end after it starts.") < end_field.index("</form>")
    assert f'<details class="change-interview" id="change-{erin.pk}" open>' in html
    erin.refresh_from_db()
    assert erin.scheduled_start == LATER


def test_a_date_out_of_range_is_refused_beside_the_field(loop, page):
    erin = upcoming(loop, "erin")
    prefix = f"i{erin.pk}"

    response = page.post(
        f"{base(loop, erin)}/reschedule/",
        {f"{prefix}-scheduled_start": "3000-01-01T10:00", f"{prefix}-scheduled_end": "3000-01-01T11:00"},
    )

    assert response.status_code == 400
    assert "This date and time must be between 1970-01-01" in response.content.decode()


def test_changing_the_interviewer_refused_when_already_on_the_panel_then_accepted(loop, page):
    erin = upcoming(loop, "erin")
    add_interview(loop, "bob", vote="yes")
    UserFactory(username="frank", role="interviewer")
    prefix = f"i{erin.pk}"

    refused = page.post(f"{base(loop, erin)}/interviewer/", {f"{prefix}-interviewer": "bob"})
    assert refused.status_code == 409
    assert "bob already interviews in this loop" in refused.content.decode()

    accepted = page.post(f"{base(loop, erin)}/interviewer/", {f"{prefix}-interviewer": "frank"})
    assert accepted.status_code == 302
    assert Interview.objects.get(pk=erin.pk).interviewer.username == "frank"


def test_cancelling_needs_a_reason_then_shows_the_interview_cancelled(loop, page):
    erin = upcoming(loop, "erin")
    prefix = f"i{erin.pk}"

    refused = page.post(f"{base(loop, erin)}/cancel/", {f"{prefix}-reason": ""})
    assert refused.status_code == 400
    assert Interview.objects.get(pk=erin.pk).cancelled_at is None

    accepted = page.post(f"{base(loop, erin)}/cancel/", {f"{prefix}-reason": "Panel is enough."})
    assert accepted.status_code == 302
    html = page.get(f"/loops/{loop.pk}/").content.decode()
    assert 'class="badge cancelled-badge"' in html and "Panel is enough." in html
    assert f'action="{base(loop, erin)}/cancel/"' not in html  # nothing left to change


def test_an_interview_of_another_loop_is_404(loop, page, recruiter):
    other = Loop.objects.create(candidate=loop.candidate, position=loop.position, recruiter=recruiter)
    erin = upcoming(other, "erin")

    response = page.post(f"/loops/{loop.pk}/interviews/{erin.pk}/cancel/", {f"i{erin.pk}-reason": "x"})

    assert response.status_code == 404


def test_after_a_no_the_page_offers_to_cancel_the_interviews_not_yet_held(loop, page):
    add_interview(loop, "bob", vote="no")
    erin, frank = upcoming(loop, "erin"), upcoming(loop, "frank", start=LATER + timedelta(hours=2))
    recompute(loop)

    html = page.get(f"/loops/{loop.pk}/").content.decode()
    assert "Cancel the 2 interviews not yet held" in html
    assert 'value="Decided No: One No = No Hire."' in html

    response = page.post(f"/loops/{loop.pk}/cancel-remaining/", {"reason": "Decided No: One No = No Hire."})

    assert response.status_code == 302
    assert set(Interview.objects.filter(cancelled_at__isnull=False).values_list("pk", flat=True)) == {erin.pk, frank.pk}
    assert "not yet held" not in page.get(f"/loops/{loop.pk}/").content.decode()


def test_no_offer_while_pending(loop, page):
    add_interview(loop, "bob", vote="yes")
    upcoming(loop, "erin")
    recompute(loop)

    assert "not yet held" not in page.get(f"/loops/{loop.pk}/").content.decode()


@pytest.mark.parametrize("size", [2, 8])
def test_the_debrief_page_with_changeable_interviews_runs_the_same_queries(size, loop, page, django_assert_num_queries):
    for number in range(size):
        upcoming(loop, f"panelist{number}", start=LATER + timedelta(hours=number))
    # session, user, groups; the loop's stored debrief (one primary-key lookup); the interviewers to add to the
    # panel; and the interviewers the Change interviewer forms offer (one query for every row).
    with django_assert_num_queries(6):
        response = page.get(f"/loops/{loop.pk}/")
    assert response.content.decode().count('class="change-interview"') == size
