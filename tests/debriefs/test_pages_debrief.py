"""The loops and debrief pages (server-rendered): content, who may open them, queries, and the forms."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import escape

from debriefs.selectors import vote_label
from interviewloop.models import Candidate, Interview, Loop
from scorecards.models import DimensionScore, Scorecard
from tests.debriefs.conftest import add_interview, recompute
from tests.factories import LoopFactory, PositionFactory, UserFactory


def debrief_url(loop) -> str:
    return reverse("loop-debrief", kwargs={"loop_id": loop.pk})


# --- Loops ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_sends_a_recruiter_to_the_loops(client, recruiter):
    client.force_login(recruiter)
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, reverse("loop-list"))


@pytest.mark.django_db
def test_the_loops_page_lists_stage_decision_missing_and_late(client, recruiter, loop):
    add_interview(loop, "alice", vote="no", note_vote="yes", note_late=True)
    add_interview(loop, "bob", vote=None)
    recompute(loop)
    client.force_login(recruiter)

    response = client.get(reverse("loop-list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{debrief_url(loop)}"' in html
    assert '<span class="badge no_hire">No hire</span>' in html
    assert '<span class="stage stage-debrief">Ready for debrief</span>' in html
    assert '<span class="count missing-count has">1</span>' in html
    assert '<span class="count late-count has">2</span>' in html  # bob's note is past its deadline too
    assert 'href="/loops/new/"' in html


@pytest.mark.django_db
def test_the_loops_page_searches_and_filters_and_htmx_gets_the_rows_only(client, recruiter, rubric):
    LoopFactory(recruiter=recruiter, candidate__name="Avery Stone", position=PositionFactory(title="Support"))
    LoopFactory(recruiter=recruiter, candidate__name="Blake Hart", decision="no_hire", position=PositionFactory())
    client.force_login(recruiter)

    def names(query, **headers):
        response = client.get(reverse("loop-list") + query, **headers)
        return response, [n for n in ("Avery Stone", "Blake Hart") if n in response.content.decode()]

    assert names("?q=support")[1] == ["Avery Stone"]
    assert names("?decision=no_hire")[1] == ["Blake Hart"]
    assert names("?status=closed")[1] == []
    assert names("?decision=bogus")[1] == ["Avery Stone", "Blake Hart"]  # an unknown filter is ignored
    partial, found = names("?q=hart", HTTP_HX_REQUEST="true")
    assert found == ["Blake Hart"]
    assert b"<html" not in partial.content and b'class="card loops"' in partial.content


@pytest.mark.django_db
def test_the_loops_page_needs_a_login(client):
    response = client.get(reverse("loop-list"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _loops(recruiter, position, count):
    for number in range(count):
        loop = LoopFactory(recruiter=recruiter, position=position)
        add_interview(loop, f"member{number % 3}", vote="yes", note_vote="yes", note_late=number % 2 == 0)


@pytest.mark.django_db
def test_the_loops_page_runs_the_same_queries_for_few_and_many_loops(
    client, recruiter, rubric, django_assert_num_queries
):
    position = PositionFactory(rubric=rubric)
    client.force_login(recruiter)
    counts = []
    for count in (2, 12):
        _loops(recruiter, position, count - Loop.objects.count())
        # session, user, the user's groups, the page's COUNT, the page's rows with counts annotated in SQL
        with django_assert_num_queries(5) as captured:
            response = client.get(reverse("loop-list"))
        assert response.content.decode().count('class="loop-row"') == count
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- Debrief -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_debrief_page_shows_the_banner_heatmap_late_note_and_locked_hire(client, recruiter, loop):
    add_interview(loop, "alice", vote="strong_yes", note_vote="yes", scores=5)
    add_interview(
        loop, "bob", vote="no", note_vote="yes", note_late=True, red_flags=("defensive",), scores={"humility": 1}
    )
    add_interview(loop, "carol", vote=None)
    recompute(loop)
    client.force_login(recruiter)

    response = client.get(debrief_url(loop))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<section class="banner banner-no_hire"' in html
    assert "Decided by <strong>Bob</strong>: bob voted No: One No = No Hire." in html
    assert html.count('<td class="cell s5"') == 8  # alice's row
    assert html.count('<td class="cell s1"') == 1  # bob's humility
    assert '<span class="badge late note-late"' in html
    assert "↓ moved down" in html
    assert "<q>Heard defensive.</q>" in html
    assert "bob: asked who the users are." in html and "alice: vague on rollback." in html
    assert "<strong>Carol</strong>" in html  # missing scorecard
    assert 'value="hire" class="primary hire-button" disabled' in html
    assert "style=" not in html and "<script>" not in html  # strict CSP: no inline style or script


@pytest.mark.parametrize("size", [2, 8])
@pytest.mark.django_db
def test_the_debrief_page_runs_the_same_queries_whatever_the_panel(
    size, client, recruiter, loop, django_assert_num_queries
):
    for number in range(size):
        add_interview(loop, f"panelist{number}", vote="yes", note_vote="no", red_flags=("defensive",) * (number % 2))
    LoopFactory.create_batch(3, recruiter=recruiter, position=loop.position)
    client.force_login(recruiter)
    # session, user, groups, then the loop's stored debrief (which also answers 404 for a missing loop), and the
    # interviewers to add to the panel; and the panel's leniency (with_leniency: one query whatever the panel).
    with django_assert_num_queries(5 + 1):
        response = client.get(debrief_url(loop))
    assert response.content.decode().count('class="vote-row') == size


@pytest.mark.django_db
def test_a_missing_loops_debrief_page_is_404_for_a_recruiter(client, recruiter):
    client.force_login(recruiter)
    assert client.get(reverse("loop-debrief", kwargs={"loop_id": 999999})).status_code == 404


# --- Recording the decision ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_hire_comes_back_as_a_message_and_records_nothing(client, recruiter, loop):
    add_interview(loop, "alice", vote="yes")
    add_interview(loop, "bob", vote="no")
    client.force_login(recruiter)

    response = client.post(reverse("loop-decision", kwargs={"loop_id": loop.pk}), {"decision": "hire"}, follow=True)

    assert response.status_code == 200
    assert "A No from bob: One No = No Hire." in response.content.decode()
    loop.refresh_from_db()
    assert (loop.status, loop.outcome) == ("open", "")


@pytest.mark.django_db
def test_no_hire_from_the_page_closes_the_loop(client, recruiter, loop):
    add_interview(loop, "alice", vote=None)
    client.force_login(recruiter)
    response = client.post(reverse("loop-decision", kwargs={"loop_id": loop.pk}), {"decision": "no_hire"})
    assert (response.status_code, response["Location"]) == (302, debrief_url(loop))
    loop.refresh_from_db()
    assert (loop.status, loop.outcome, loop.outcome_by) == ("closed", "no_hire", recruiter)


@pytest.mark.django_db
def test_only_recruiters_record_from_the_page(client, loop, outsider):
    member = add_interview(loop, "alice", vote="yes").interviewer
    url = reverse("loop-decision", kwargs={"loop_id": loop.pk})
    client.force_login(member)
    assert client.post(url, {"decision": "no_hire"}).status_code == 403
    client.force_login(outsider)
    assert client.post(url, {"decision": "no_hire"}).status_code == 404
    assert client.get(url).status_code == 405
    assert Loop.objects.get(pk=loop.pk).status == "open"


# --- Scheduling ----------------------------------------------------------------------------------------


def schedule_form(position, **fields):
    data = {
        "candidate": "",
        "candidate_name": "Sam Lee",
        "candidate_email": "sam@example.com",
        "position": position.pk,
        "debrief_at": "2030-05-07T16:00",
        "i0-interviewer": "alice",
        "i0-scheduled_start": "2030-05-06T10:00",
        "i0-scheduled_end": "2030-05-06T11:00",
        "i0-counts_toward_decision": "on",
        "i1-interviewer": "bob",
        "i1-scheduled_start": "2030-05-06T12:00",
        "i1-scheduled_end": "2030-05-06T13:00",
    }
    data.update(fields)
    return data


@pytest.mark.django_db
def test_a_recruiter_schedules_a_loop_with_its_interviews(client, recruiter, rubric, interviewer, other_interviewer):
    position = PositionFactory(rubric=rubric)
    client.force_login(recruiter)
    assert client.get(reverse("loop-schedule")).status_code == 200

    response = client.post(reverse("loop-schedule"), schedule_form(position))

    loop = Loop.objects.get()
    assert (response.status_code, response["Location"]) == (302, debrief_url(loop))
    assert (loop.candidate.name, loop.recruiter, loop.debrief_at.isoformat()) == (
        "Sam Lee", recruiter, "2030-05-07T16:00:00+00:00",
    )  # fmt: skip
    interviews = list(
        loop.interviews.order_by("scheduled_start").values_list("interviewer__username", "counts_toward_decision")
    )
    assert interviews == [("alice", True), ("bob", False)]  # an unticked box is a shadow


@pytest.mark.django_db
def test_a_refused_schedule_keeps_what_was_typed_and_saves_nothing(client, recruiter, rubric, interviewer):
    position = PositionFactory(rubric=rubric)
    UserFactory(username="bob", role="interviewer")
    client.force_login(recruiter)

    response = client.post(
        reverse("loop-schedule"), schedule_form(position, **{"i1-scheduled_end": "2030-05-06T11:00"})
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The interview must end after it starts." in html
    assert 'value="Sam Lee"' in html and 'value="2030-05-06T12:00"' in html
    assert not Loop.objects.exists() and not Candidate.objects.exists() and not Interview.objects.exists()


@pytest.mark.django_db
def test_only_recruiters_schedule_from_the_page(client, interviewer, rubric):
    client.force_login(interviewer)
    assert client.get(reverse("loop-schedule")).status_code == 404
    assert client.post(reverse("loop-schedule"), schedule_form(PositionFactory(rubric=rubric))).status_code == 404
    assert not Loop.objects.exists()


# --- Planning the open loop from its page --------------------------------------------------------------


@pytest.mark.django_db
def test_a_recruiter_adds_an_interviewer_from_the_debrief_page(client, recruiter, loop, interviewer):
    client.force_login(recruiter)
    url = reverse("loop-add-interview", kwargs={"loop_id": loop.pk})
    body = {"interviewer": "alice", "scheduled_start": "2030-05-06T10:00", "scheduled_end": "2030-05-06T11:00"}

    response = client.post(url, body)

    assert (response.status_code, response["Location"]) == (302, debrief_url(loop))
    interview = loop.interviews.get()
    assert (interview.interviewer, interview.counts_toward_decision) == (interviewer, False)  # unticked: a shadow
    again = client.post(url, {**body, "counts_toward_decision": "on"})
    assert again.status_code == 400
    html = again.content.decode()
    assert "alice already interviews in this loop: one interview per interviewer." in html
    assert 'value="2030-05-06T10:00"' in html  # what was typed comes back


@pytest.mark.django_db
def test_a_recruiter_moves_the_debrief_meeting_and_its_reminder_follows(client, recruiter, loop, monkeypatch):
    from debriefs import outbox

    scheduled = []
    monkeypatch.setattr(outbox, "debrief_scheduled", lambda moved: scheduled.append(moved.debrief_at))
    client.force_login(recruiter)

    response = client.post(
        reverse("loop-debrief-time", kwargs={"loop_id": loop.pk}), {"debrief_at": "2030-05-07T16:00"}
    )

    assert response.status_code == 302
    loop.refresh_from_db()
    assert loop.debrief_at.isoformat() == "2030-05-07T16:00:00+00:00"
    assert scheduled == [loop.debrief_at]


@pytest.mark.django_db
def test_only_recruiters_plan_from_the_page(client, loop, outsider):
    member = add_interview(loop, "alice", vote="yes").interviewer
    UserFactory(username="bob", role="interviewer")
    add_url = reverse("loop-add-interview", kwargs={"loop_id": loop.pk})
    time_url = reverse("loop-debrief-time", kwargs={"loop_id": loop.pk})
    body = {"interviewer": "bob", "scheduled_start": "2030-05-06T10:00", "scheduled_end": "2030-05-06T11:00"}
    client.force_login(member)
    assert client.post(add_url, body).status_code == 403
    assert client.post(time_url, {"debrief_at": "2030-05-07T16:00"}).status_code == 403
    client.force_login(outsider)
    assert client.post(add_url, body).status_code == 404
    assert loop.interviews.count() == 1
    assert Loop.objects.get(pk=loop.pk).debrief_at is None


@pytest.mark.django_db
def test_a_closed_loop_shows_the_recorded_outcome_in_the_banner(client, recruiter, loop):
    add_interview(loop, "alice", vote="yes")
    add_interview(loop, "bob", vote=None)
    client.force_login(recruiter)
    client.post(reverse("loop-decision", kwargs={"loop_id": loop.pk}), {"decision": "no_hire"})

    html = client.get(debrief_url(loop)).content.decode()

    assert '<section class="banner banner-no_hire"' in html
    assert '<span class="verdict-rule">Recorded</span>' in html
    assert "while the rule said pending. The loop is closed." in html
    assert "Record the decision" not in html and "Panel and meeting" not in html


@pytest.mark.django_db
def test_a_shadows_missing_scorecard_is_never_counted_as_missing(client, recruiter, loop, api_as):
    # given: one counting No in, one counting scorecard not started, and a shadow who has not submitted
    add_interview(loop, "alice", vote="no", note_vote="yes")
    add_interview(loop, "bob", vote=None)
    add_interview(loop, "sam", vote="yes", submitted=False, counts=False)
    recompute(loop)
    client.force_login(recruiter)

    # then: the loops list, the debrief page and the API all say one missing: bob's, the decision's to wait for
    listed = client.get(reverse("loop-list")).content.decode()
    assert '<span class="count missing-count has">1</span>' in listed
    page = client.get(debrief_url(loop)).content.decode()
    assert "1 scorecard missing · shadows shown, not counted." in page
    assert "Final now, whatever the 1 missing scorecard will say." in page
    assert page.count('<ul class="missing-list">') == 1
    missing_list = page[page.index('<ul class="missing-list">') : page.index("</ul>", page.index("missing-list"))]
    assert "<strong>Bob</strong>" in missing_list and "Sam" not in missing_list
    assert 'data-interviewer="sam"' in page  # the shadow still shows on the panel, drafting
    debrief = api_as(recruiter).get(f"/api/loops/{loop.pk}/debrief/").json()
    assert [row["interviewer"] for row in debrief["missing"]] == ["bob"]
    assert [row["missing_count"] for row in api_as(recruiter).get("/api/loops/").json()["results"]] == [1]


@pytest.mark.django_db
def test_the_debrief_page_shows_every_part_of_each_scorecard_the_api_gives(client, recruiter, loop, api_as):
    # given: a Strong Yes, an amended No with a red flag and a thread, and a shadow's Yes
    add_interview(loop, "alice", vote="strong_yes", note_vote="yes", scores=5)
    bob = add_interview(loop, "bob", vote="no", note_vote="yes", red_flags=("defensive",), scores={"humility": 1})
    add_interview(loop, "sam", vote="yes", counts=False, scores=4)
    bob.scorecard.threads.create(
        thread=loop.position.rubric.threads.get(key="first_two_weeks"), signal="bad", notes="No plan."
    )
    Scorecard.objects.filter(pk=bob.scorecard.pk).update(
        summary="Defensive on the outage.\nWould not own the rollback.", amended_at=timezone.now()
    )
    for row in DimensionScore.objects.filter(scorecard__interview__loop=loop).select_related("dimension"):
        row.evidence = f"{row.scorecard_id}/{row.dimension.key}: heard it <here>."
        row.save()
    recompute(loop)
    client.force_login(recruiter)

    # when
    debrief = api_as(recruiter).get(f"/api/loops/{loop.pk}/debrief/").json()
    html = client.get(debrief_url(loop)).content.decode()

    # then: every submitted scorecard's parts, field by field as the API has them, are on the page as text
    def shown(when):
        return date_format(timezone.localtime(datetime.fromisoformat(when)), "D j M, H:i")

    cards = html[html.index('<section class="card scorecards"') : html.index('<div class="grid-2">')]
    for vote in debrief["votes"]:
        start = cards.index(f'data-interviewer="{vote["interviewer"]}"')
        card = cards[start : cards.index("</article>", start)]
        assert f"<strong>{vote['name']}</strong>" in card
        assert f'<span class="badge {vote["vote"]}">{vote_label(vote["vote"])}</span>' in card
        assert escape(vote["summary"]).replace("\n", "<br>") in card
        assert "Submitted <time datetime=" in card and shown(vote["submitted_at"]) in card
        assert ("amended <time" in card) is vote["amended"]
        if vote["amended"]:
            assert shown(vote["amended_at"]) in card
        assert ("shadow-badge" in card) is (not vote["counts_toward_decision"])
        if vote["vote_shift"]:
            assert f"{vote_label(vote['vote_shift']['from'])} → {vote_label(vote['vote_shift']['to'])}" in html
        for dimension in debrief["dimensions"]:
            for entry in dimension["scores"]:
                if entry["interviewer"] == vote["interviewer"]:
                    assert f"<dt>{dimension['name']}: {entry['score']}</dt><dd>{escape(entry['evidence'])}</dd>" in card
    for flag in debrief["red_flags"]:
        for mark in flag["raised_by"]:
            assert f"<q>{escape(mark['evidence'])}</q>" in html
    for thread in debrief["threads"]:
        for pulled in thread["pulled"]:
            assert f"{pulled['signal']}</span> <strong>{pulled['interviewer']}</strong>: {pulled['notes']}" in html
    assert cards.count("<article") == 3
