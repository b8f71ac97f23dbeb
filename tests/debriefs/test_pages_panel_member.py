"""The loops and debrief pages as a panel member sees them (the nav links to their interviews)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.debriefs.conftest import add_interview
from tests.factories import LoopFactory


def debrief_url(loop) -> str:
    return reverse("loop-debrief", kwargs={"loop_id": loop.pk})


@pytest.mark.django_db
def test_an_interviewer_lists_only_loops_they_submitted_in(client, loop, rubric, recruiter):
    member = add_interview(loop, "alice", vote="yes").interviewer
    LoopFactory(recruiter=recruiter, candidate__name="Someone Else", position=loop.position)
    client.force_login(member)
    html = client.get(reverse("loop-list")).content.decode()
    assert "Jordan Rivera" in html and "Someone Else" not in html
    assert 'href="/loops/new/"' not in html


@pytest.mark.django_db
def test_who_may_open_the_debrief_page(client, loop, outsider, other_interviewer):
    member = add_interview(loop, "alice", vote="yes", submitted=False)
    url = debrief_url(loop)

    assert client.get(url).status_code == 302  # to the login page
    for user in (outsider, other_interviewer):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(member.interviewer)
    locked = client.get(url)
    assert locked.status_code == 403
    assert b"Submit your own scorecard first" in locked.content

    scorecard = member.scorecard
    scorecard.status, scorecard.submitted_at = "submitted", scorecard.updated_at
    scorecard.save()
    opened = client.get(url)
    assert opened.status_code == 200
    assert b"Record the decision" not in opened.content  # deciding is the recruiter's
