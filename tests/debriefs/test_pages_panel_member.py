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


def _rows(html: str) -> dict[str, str]:
    """Each loop row of the page by its candidate's name."""
    import re

    return {
        re.search(r'class="candidate">([^<]+)<', row)[1]: row
        for row in re.findall(r'<tr class="loop-row[^"]*".*?</tr>', html, re.S)
    }


@pytest.mark.django_db
def test_an_interviewer_lists_every_loop_they_are_on_and_the_debrief_once_their_scorecard_is_in(
    client, loop, rubric, recruiter
):
    from debriefs.services import loop_recompute_decision

    member = add_interview(loop, "alice", vote="no").interviewer
    loop_recompute_decision(loop=loop)
    drafting = LoopFactory(recruiter=recruiter, candidate__name="Dana Reyes", position=loop.position)
    draft = add_interview(drafting, "alice", vote="yes", submitted=False)
    add_interview(drafting, "bob", vote="no")  # a No already in: nothing of it may show to alice
    loop_recompute_decision(loop=drafting)
    LoopFactory(recruiter=recruiter, candidate__name="Someone Else", position=loop.position)
    client.force_login(member)

    html = client.get(reverse("loop-list")).content.decode()

    rows = _rows(html)
    assert sorted(rows) == ["Dana Reyes", "Jordan Rivera"]
    assert f'href="{debrief_url(loop)}"' in rows["Jordan Rivera"]
    assert '<span class="badge no_hire">No hire</span>' in rows["Jordan Rivera"]
    locked = rows["Dana Reyes"]
    assert f'<a href="/interviews/{draft.pk}/">Your interview</a>: submit your scorecard to see the debrief.' in locked
    assert debrief_url(drafting) not in html
    for leak in ("badge", "stage", "missing-count", "late-count", "scorecard"  # "1 of 2 scorecards in"
                 " in"):  # fmt: skip
        assert leak not in locked, leak
    assert "No loops yet." not in html
    assert '<a href="/loops/" class="active">Loops</a>' in html  # the nav leads an interviewer here too


@pytest.mark.django_db
def test_a_filter_on_decision_or_status_lists_only_the_loops_an_interviewer_may_read(client, loop, recruiter):
    member = add_interview(loop, "alice", vote="yes").interviewer
    drafting = LoopFactory(recruiter=recruiter, candidate__name="Dana Reyes", position=loop.position)
    add_interview(drafting, "alice", vote="yes", submitted=False)
    client.force_login(member)

    def names(query):
        return sorted(_rows(client.get(reverse("loop-list") + query).content.decode()))

    assert names("?decision=pending") == ["Jordan Rivera"]  # Dana's decision is not alice's to match
    assert names("?status=open") == ["Jordan Rivera"]
    assert names("?q=dana") == ["Dana Reyes"]


@pytest.mark.django_db
def test_the_loops_page_and_the_api_agree_on_what_an_interviewer_may_read(client, loop, recruiter, api_as):
    member = add_interview(loop, "alice", vote="yes").interviewer
    for name in ("Dana Reyes", "Kim Park"):
        add_interview(
            LoopFactory(recruiter=recruiter, candidate__name=name, position=loop.position), "alice", submitted=False
        )
    client.force_login(member)

    rows = _rows(client.get(reverse("loop-list")).content.decode())
    readable = sorted(name for name, row in rows.items() if 'href="/loops/' in row)
    api = api_as(member).get("/api/loops/").json()

    # DESIGN.md: GET /api/loops/ is "recruiter; a panel member after submitting"; the page lists those the same,
    # and the rest of the member's loops locked.
    assert readable == [row["candidate"]["name"] for row in api["results"]] == ["Jordan Rivera"]
    assert sorted(set(rows) - set(readable)) == ["Dana Reyes", "Kim Park"]


@pytest.mark.django_db
def test_an_interviewers_loops_page_runs_the_same_queries_for_few_and_many_loops(
    client, recruiter, rubric, django_assert_num_queries
):
    from interviewloop.models import Interview
    from tests.factories import PositionFactory, UserFactory

    position = PositionFactory(rubric=rubric)
    member = UserFactory(username="member0", role="interviewer")
    client.force_login(member)
    counts = []
    for count in (2, 12):
        while (number := Interview.objects.filter(interviewer=member).count()) < count:
            add_interview(LoopFactory(recruiter=recruiter, position=position), "member0", submitted=number % 2 == 0)
        # session, user, the user's groups, the page's COUNT, the page's rows (counts, locked and own interview in SQL)
        with django_assert_num_queries(5) as captured:
            response = client.get(reverse("loop-list"))
        assert response.content.decode().count('class="loop-row') == count
        assert response.content.decode().count('class="loop-row locked"') == count // 2
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
