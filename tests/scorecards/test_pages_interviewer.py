"""The interviewer's pages with plain form posts (no JavaScript): the same services as the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from interviewloop.models import Interview
from scorecards.models import Note, NoteQuestion, Scorecard
from tests.factories import (
    CODING_GUT_CHECK,
    DIMENSIONS,
    InterviewFactory,
    NoteFactory,
    PositionFactory,
    make_scorecard,
    make_weighted_rubric,
)
from tests.scorecards.conftest import ENDED, NOTE_DUE, START

pytestmark = pytest.mark.django_db


def scorecard_form(score=4, vote="yes", gut="yes", flags=(), action="submit", **overrides):
    """The scorecard page's fields, as a browser without JavaScript posts them."""
    data = {
        **{f"score-{key}": str(score) for key, *_ in DIMENSIONS},
        **{f"evidence-{key}": "Wrote it in the doc." for key in ("systems_thinking", "humility")},
        **{f"gut-{key}": gut for key in ("work_with", "trust_day_one", "month_one_success")},
        "thread-signal-first_two_weeks": "great",
        "thread-notes-first_two_weeks": "Audit first.",
        "vote": vote,
        "summary": "Structured.",
        "action": action,
    }
    for key in flags:
        data[f"flag-{key}"] = "on"
        data[f"flag-evidence-{key}"] = f"Heard {key}."
    data.update(overrides)
    return data


@pytest.fixture
def browser(client, interviewer):
    client.force_login(interviewer)
    return client


def test_home_sends_an_interviewer_to_my_interviews(browser):
    response = browser.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/interviews/"


def test_my_interviews_groups_notes_due_scorecards_to_finish_and_upcoming(browser, interviewer, rubric):
    # given: one ended without a note, one with a note and a draft, one upcoming, one submitted
    due = InterviewFactory(interviewer=interviewer, loop__candidate__name="Nora Due", scheduled_start=START,
                           scheduled_end=ENDED, ended_at=ENDED)  # fmt: skip
    drafting = NoteFactory(interview__interviewer=interviewer, interview__loop__candidate__name="Dev Draft").interview
    make_scorecard(drafting, submitted=False)
    InterviewFactory(interviewer=interviewer, loop__candidate__name="Uma Upcoming",
                     scheduled_start=START + timedelta(hours=3), scheduled_end=ENDED + timedelta(hours=3))  # fmt: skip
    done = NoteFactory(interview__interviewer=interviewer, interview__loop__candidate__name="Sam Submitted").interview
    make_scorecard(done, submitted=True)
    InterviewFactory(loop__candidate__name="Someone Elses")
    # when
    with time_machine.travel(ENDED + timedelta(minutes=2), tick=False):
        response = browser.get("/interviews/")
    # then
    assert response.status_code == 200
    sections = {name: [row["candidate"] for row in response.context[name]]
                for name in ("notes_due", "scorecards_due", "upcoming", "done")}  # fmt: skip
    assert sections == {
        "notes_due": ["Nora Due"],
        "scorecards_due": ["Dev Draft"],
        "upcoming": ["Uma Upcoming"],
        "done": ["Sam Submitted"],
    }
    html = response.content.decode()
    assert f'<time data-countdown datetime="{(due.note_due_at).isoformat()}"' in html
    assert "End interview" in html
    assert "Someone Elses" not in html


def test_interviewer_pages_are_for_interviewers_on_their_own_interviews(
    client, other_interviewer, recruiter, interview
):
    paths = [
        f"/interviews/{interview.id}/",
        f"/interviews/{interview.id}/note/",
        f"/interviews/{interview.id}/scorecard/",
    ]
    assert client.get("/interviews/")["Location"].startswith("/accounts/login/")
    client.force_login(recruiter)
    assert client.get("/interviews/").status_code == 403
    assert all(client.get(path).status_code == 403 for path in paths)
    client.force_login(other_interviewer)
    assert client.get("/interviews/").status_code == 200
    assert [client.get(path).status_code for path in paths] == [404, 404, 404]
    assert client.post(f"/interviews/{interview.id}/end/").status_code == 404
    assert client.post(f"/interviews/{interview.id}/note/", {"best_thing": "x"}).status_code == 404
    assert client.post(f"/interviews/{interview.id}/scorecard/", scorecard_form()).status_code == 404
    assert not Note.objects.exists() and not Scorecard.objects.exists()


def test_the_kit_shows_the_problem_threads_red_flags_and_phases(browser, interviewer, rubric):
    interview = InterviewFactory(interviewer=interviewer)
    response = browser.get(f"/interviews/{interview.id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-copy="#problem-text"' in html
    assert html.count('<details class="thread"') == 7
    assert "Buzzword soup" in html
    assert 'data-phase-minutes="5"' in html
    assert "End interview" in html


def test_the_kit_renders_the_guides_markdown_safely_and_whole(browser, interviewer):
    # given the guide's own rubric, whose thread and phase texts are markdown lists
    from django.core.management import call_command

    from scorecards.models import Rubric

    call_command("loaddata", "default_rubric", verbosity=0)
    guide = Rubric.objects.get(status="published")
    thread = guide.threads.get(key="defining_the_problem")
    guide.threads.filter(pk=thread.pk).update(bad_example='"Just use a better model." <script>alert(1)</script>')
    setup = guide.phases.order_by("order").first()
    interview = InterviewFactory(interviewer=interviewer, rubric=guide)
    # when the interviewer opens the kit
    html = browser.get(f"/interviews/{interview.id}/").content.decode()
    # then "- They jumped..." is a list item, not raw markdown, in the thread and in its one-line summary
    assert "<li>They jumped straight to solutions</li>" in html
    assert "— - They" not in html
    assert "— They jumped straight to solutions; They didn" in html
    # the great signals keep one signal per line
    assert "Admits they don&#x27;t know yet<br" in html or "Admits they don't know yet<br" in html
    # a script in rubric text is removed, its words kept
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" not in html
    assert "Just use a better model." in html
    # and each phase's guidance is there in full, behind a summary that expands it
    assert html.count('<details class="phase-guidance small">') == guide.phases.count()
    last_line = setup.guidance.strip().splitlines()[-1].strip().strip('"')
    assert last_line[:40].replace("'", "&#x27;") in html or last_line[:40] in html


def test_ending_an_interview_from_the_page_leads_to_the_note(browser, interviewer, rubric):
    interview = InterviewFactory(interviewer=interviewer, scheduled_start=START, scheduled_end=ENDED)
    with time_machine.travel(ENDED - timedelta(minutes=1), tick=False):
        response = browser.post(f"/interviews/{interview.id}/end/")
    assert response.status_code == 302
    assert response["Location"] == f"/interviews/{interview.id}/note/"
    assert Interview.objects.get(pk=interview.pk).ended_at == ENDED - timedelta(minutes=1)


def test_the_note_page_asks_the_rubrics_four_questions_and_saves_once(browser, interview):
    NoteQuestion.objects.bulk_create(
        NoteQuestion(rubric_id=interview.rubric_id, order=order, field=field, text=text)
        for order, (field, text) in enumerate(
            {
                "best_thing": "Best thing they said?",
                "biggest_concern": "Biggest worry?",
                "vote": "Vote?",
                "want_to_work_with": "Work with them?",
            }.items()
        )
    )
    with time_machine.travel(ENDED + timedelta(minutes=1), tick=False):
        page = browser.get(f"/interviews/{interview.id}/note/")
        for question in ("Best thing they said?", "Biggest worry?", "Vote?", "Work with them?"):
            assert question in page.content.decode()
        assert "data-countdown" in page.content.decode()
        response = browser.post(
            f"/interviews/{interview.id}/note/",
            {
                "best_thing": "Asked about users.",
                "biggest_concern": "Rollback.",
                "vote": "yes",
                "want_to_work_with": "yes",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == f"/interviews/{interview.id}/scorecard/"
    note = Note.objects.get(interview=interview)
    assert (note.vote, note.on_time) == ("yes", True)
    again = browser.post(f"/interviews/{interview.id}/note/", {"best_thing": "Other", "biggest_concern": "x",
                                                                "vote": "no", "want_to_work_with": "no"})  # fmt: skip
    assert "already written" in again.content.decode()
    assert Note.objects.get(interview=interview).vote == "yes"


def test_a_late_note_from_the_page_is_marked_late(browser, interview):
    with time_machine.travel(NOTE_DUE + timedelta(minutes=10), tick=False):
        browser.post(
            f"/interviews/{interview.id}/note/",
            {"best_thing": "a", "biggest_concern": "b", "vote": "no", "want_to_work_with": "not_sure"},
        )
        page = browser.get(f"/interviews/{interview.id}/note/").content.decode()
    assert Note.objects.get(interview=interview).on_time is False
    assert '<span class="badge late">late</span>' in page


def test_a_note_form_missing_an_answer_is_shown_again_with_the_error(browser, interview):
    response = browser.post(f"/interviews/{interview.id}/note/", {"best_thing": "Kept text", "vote": "yes"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "Kept text" in html
    assert not Note.objects.exists()


def test_no_note_before_the_end_the_page_offers_to_end_it(browser, interviewer, rubric):
    interview = InterviewFactory(interviewer=interviewer, scheduled_start=START, scheduled_end=ENDED)
    with time_machine.travel(START + timedelta(minutes=20), tick=False):
        html = browser.get(f"/interviews/{interview.id}/note/").content.decode()
    assert "has not ended yet" in html
    assert "End interview" in html


def test_the_scorecard_page_shows_anchors_beside_each_score(browser, noted_interview):
    html = browser.get(f"/interviews/{noted_interview.id}/scorecard/").content.decode()
    assert "Systems Thinking: exceptional" in html and "Systems Thinking: weak" in html
    assert html.count('name="score-systems_thinking"') == 5
    assert html.count('type="checkbox" name="flag-') == 8
    assert f'hx-post="/interviews/{noted_interview.id}/scorecard/check/"' in html
    assert f'hx-post="/interviews/{noted_interview.id}/scorecard/autosave/"' in html


def test_save_draft_keeps_what_is_typed(browser, noted_interview):
    response = browser.post(f"/interviews/{noted_interview.id}/scorecard/", scorecard_form(score=3, action="save"))
    assert response.status_code == 302
    scorecard = Scorecard.objects.get()
    assert scorecard.status == "draft"
    assert {s.dimension.key: s.score for s in scorecard.scores.all()}["measurement"] == 3
    assert scorecard.threads.get().signal == "great"


def test_a_too_high_vote_is_refused_inline_with_its_reasons_and_what_was_typed_is_kept(browser, noted_interview):
    form = scorecard_form(score=4, vote="strong_yes", flags=("defensive",), summary="Typed summary")
    response = browser.post(f"/interviews/{noted_interview.id}/scorecard/", form)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-code="vote_not_allowed"' in html
    assert 'data-rule="red_flag"' in html
    assert "Highest vote allowed: <strong>No</strong>" in html
    assert "Typed summary" in html
    scorecard = Scorecard.objects.get()
    assert (scorecard.status, scorecard.vote, scorecard.summary) == ("draft", "strong_yes", "Typed summary")


def test_an_incomplete_submit_marks_the_missing_fields(browser, noted_interview):
    form = scorecard_form(**{"score-humility": "", "gut-work_with": ""})
    html = browser.post(f"/interviews/{noted_interview.id}/scorecard/", form).content.decode()
    assert 'data-code="incomplete"' in html
    assert 'data-field="scores.humility"' in html and 'data-field="gut_check.work_with"' in html
    assert 'class="dimension has-problem" id="dimension-humility"' in html


def test_a_consistent_scorecard_is_submitted_from_the_page(browser, noted_interview):
    response = browser.post(f"/interviews/{noted_interview.id}/scorecard/", scorecard_form(score=4, vote="yes"))
    assert response.status_code == 302
    assert response["Location"] == "/interviews/"
    assert Scorecard.objects.get().status == "submitted"
    html = browser.get(f"/interviews/{noted_interview.id}/scorecard/").content.decode()
    assert "and locked" in html
    assert '<fieldset class="sheet" disabled>' in html
    again = browser.post(f"/interviews/{noted_interview.id}/scorecard/", scorecard_form(vote="no"))
    assert 'data-code="already_submitted"' in again.content.decode()
    assert Scorecard.objects.get().vote == "yes"


def test_submitting_before_the_note_says_so_and_keeps_the_draft(browser, interview):
    html = browser.post(f"/interviews/{interview.id}/scorecard/", scorecard_form()).content.decode()
    assert 'data-code="note_required"' in html
    assert Scorecard.objects.get().status == "draft"


def test_the_check_partial_gives_the_live_ceiling(browser, noted_interview):
    form = scorecard_form(score=4, gut="not_sure", action="")
    response = browser.post(f"/interviews/{noted_interview.id}/scorecard/check/", form, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-max-vote="no"' in html
    assert 'data-rule="gut_check"' in html
    assert not Scorecard.objects.exists()


def test_an_empty_scorecard_does_not_promise_a_strong_yes(browser, noted_interview):
    # given a scorecard with nothing scored yet, on the page and in the live check
    page = browser.get(f"/interviews/{noted_interview.id}/scorecard/").content.decode()
    check = browser.post(f"/interviews/{noted_interview.id}/scorecard/check/", {}).content.decode()
    # then neither says a Strong Yes is allowed: the ceiling waits for a score
    for html in (page, check):
        assert "Nothing scored yet: the highest vote allowed shows here as you score." in html
        assert "Highest vote allowed" not in html
    # and one score is enough for the ceiling to show
    scored = browser.post(f"/interviews/{noted_interview.id}/scorecard/check/", {"score-measurement": "3"})
    assert "Highest vote allowed" in scored.content.decode()


def test_autosave_keeps_the_draft_and_says_when(browser, noted_interview):
    response = browser.post(
        f"/interviews/{noted_interview.id}/scorecard/autosave/",
        scorecard_form(score=2, action=""),
        HTTP_HX_REQUEST="true",
    )
    assert "Draft saved at" in response.content.decode()
    assert Scorecard.objects.get().scores.filter(score=2).count() == 8


def test_a_submitted_scorecard_is_amended_from_the_page_with_a_reason(browser, noted_interview):
    browser.post(f"/interviews/{noted_interview.id}/scorecard/", scorecard_form(score=4, vote="yes"))
    page = browser.get(f"/interviews/{noted_interview.id}/scorecard/?amend=1").content.decode()
    assert 'name="reason"' in page and '<fieldset class="sheet">' in page
    # without a reason: refused, nothing changes
    refused = browser.post(f"/interviews/{noted_interview.id}/scorecard/", scorecard_form(vote="no", action="amend"))
    assert 'data-code="reason_required"' in refused.content.decode()
    assert Scorecard.objects.get().vote == "yes"
    # with one: amended, the previous version kept
    response = browser.post(
        f"/interviews/{noted_interview.id}/scorecard/",
        scorecard_form(vote="no", action="amend", reason="Re-read the doc: no rollback plan."),
    )
    assert response.status_code == 302
    scorecard = Scorecard.objects.get()
    assert scorecard.vote == "no"
    amendment = scorecard.amendments.get()
    assert (amendment.previous_vote, amendment.reason) == ("yes", "Re-read the doc: no rollback plan.")
    assert (
        "Re-read the doc: no rollback plan."
        in browser.get(f"/interviews/{noted_interview.id}/scorecard/").content.decode()
    )


@pytest.mark.parametrize("size", [1, 5])
def test_my_interviews_costs_the_same_number_of_queries_at_any_size(
    size, browser, interviewer, rubric, django_assert_num_queries
):
    for n in range(size):
        interview = InterviewFactory(interviewer=interviewer, ended_at=START + timedelta(hours=n))
        NoteFactory(interview=interview)
        make_scorecard(interview, submitted=n % 2 == 0)
    # 1 session, 2 user, 3 the user's groups (role), 4 the interviews with loop, candidate, position, note and
    # scorecard in one JOIN.
    with django_assert_num_queries(4):
        response = browser.get("/interviews/")
    assert response.status_code == 200


def test_ending_before_the_scheduled_start_asks_first_and_goes_back_only_to_this_site(browser, interviewer, rubric):
    interview = InterviewFactory(interviewer=interviewer, scheduled_start=START, scheduled_end=ENDED)
    early = START - timedelta(minutes=10)
    with time_machine.travel(early, tick=False):
        # when: the End button before the scheduled start
        asked = browser.post(f"/interviews/{interview.id}/end/", {"next": f"/interviews/{interview.id}/"})
        away = browser.post(f"/interviews/{interview.id}/end/", {"next": "https://evil.example/"})
    # then: "end now?", with a form that ends it and a way back (to this site only); nothing ended yet
    assert asked.status_code == away.status_code == 200
    html = asked.content.decode()
    assert "End now?" in html
    assert '<input type="hidden" name="confirm" value="yes">' in html
    assert f'<form method="post" action="/interviews/{interview.id}/end/"' in html
    assert f'<a class="button" href="/interviews/{interview.id}/">No, go back</a>' in html
    assert '<a class="button" href="/interviews/">No, go back</a>' in away.content.decode()
    assert Interview.objects.get(pk=interview.pk).ended_at is None

    # when: confirmed, it ends at once and leads to the note
    with time_machine.travel(early, tick=False):
        ended = browser.post(f"/interviews/{interview.id}/end/", {"confirm": "yes"})
    assert ended.status_code == 302
    assert ended["Location"] == f"/interviews/{interview.id}/note/"
    assert Interview.objects.get(pk=interview.pk).ended_at == early


def test_the_scorecard_page_asks_the_rubrics_gut_check_and_shows_the_weighted_score(browser, interviewer):
    interview = InterviewFactory(
        interviewer=interviewer,
        loop__position=PositionFactory(rubric=make_weighted_rubric()),
        scheduled_start=START,
        scheduled_end=ENDED,
        ended_at=ENDED,
    )
    NoteFactory(interview=interview)
    path = f"/interviews/{interview.pk}/scorecard/"
    page = browser.get(path).content.decode()
    # the rubric's own questions, in its order, and not the guide's
    positions = [page.index(text) for text in CODING_GUT_CHECK.values()]
    assert positions == sorted(positions)
    assert 'name="gut-ship_their_code"' in page and 'name="gut-work_with"' not in page

    form = {
        "score-technical_skills": "1", "evidence-technical_skills": "Could not start.", "score-engineering_practices": "5",
        "evidence-engineering_practices": "Tests first.", "score-problem_solving": "5",
        "evidence-problem_solving": "Clear.", "score-communication": "5", "evidence-communication": "Clear.",
        **{f"gut-{key}": "yes" for key in CODING_GUT_CHECK}, "vote": "no",
    }  # fmt: skip
    ceiling = browser.post(f"{path}check/", form).content.decode()
    # (40*1 + 30*5 + 20*5 + 10*5) / 100 = 3.4 beside the mean 4.0, and the critical 1 still caps the vote at No
    assert 'data-mean-score="4.00"' in ceiling and 'data-weighted-score="3.40"' in ceiling
    assert 'data-max-vote="no"' in ceiling and 'data-rule="one_in_critical"' in ceiling

    assert browser.post(path, {**form, "action": "submit"}).status_code == 302
    assert Scorecard.objects.get(interview=interview).gut_check == dict.fromkeys(CODING_GUT_CHECK, "yes")


def test_the_guides_scorecard_page_shows_the_mean_without_a_weighted_score(browser, noted_interview):
    ceiling = browser.post(f"/interviews/{noted_interview.pk}/scorecard/check/", scorecard_form(score=4)).content
    assert b'data-mean-score="4.00"' in ceiling and b"data-weighted-score" not in ceiling
