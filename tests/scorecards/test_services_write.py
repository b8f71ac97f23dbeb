"""How the scorecard services write: only what changed, each change kept in the audit history, and the pinned
rubric of a published version read once per process (a draft's every time)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecards import services
from scorecards.models import DimensionScore, GutCheckQuestion, RedFlagMark, Rubric, Scorecard, ThreadPulled
from scorecards.selectors import pinned_rubric, scorecard_with_parts
from tests.factories import make_rubric
from tests.scorecards.conftest import full_body, typed

pytestmark = pytest.mark.django_db


def url(interview, action=""):
    return f"/api/interviews/{interview.id}/scorecard/{action}"


def history(model, scorecard):
    """(history type, rubric part id, user) of each history row of the scorecard's `model` rows, oldest first."""
    part = {DimensionScore: "dimension_id", RedFlagMark: "red_flag_id", ThreadPulled: "thread_id"}[model]
    rows = model.history.filter(scorecard_id=scorecard.pk).order_by("history_id")  # type: ignore[attr-defined]
    return [(h.history_type, getattr(h, part), h.history_user) for h in rows]


def test_every_change_to_scores_red_flags_and_threads_is_kept_with_who(alice, interviewer, noted_interview):
    pinned = pinned_rubric(noted_interview.rubric)
    dims, flags, threads = pinned.dimensions, pinned.red_flags, pinned.threads
    # given a draft with every score, one red flag and one thread
    first = full_body(red_flags=("defensive",))
    assert alice.put(url(noted_interview), first, format="json").status_code == 200
    scorecard = Scorecard.objects.get()
    ids_before = dict(DimensionScore.objects.filter(scorecard=scorecard).values_list("dimension_id", "id"))
    # then each new row has its "+" row naming alice
    assert history(DimensionScore, scorecard) == [("+", d.pk, interviewer) for d in dims.values()]
    assert history(RedFlagMark, scorecard) == [("+", flags["defensive"].pk, interviewer)]
    assert history(ThreadPulled, scorecard) == [("+", threads["first_two_weeks"].pk, interviewer)]

    # when she changes one score, drops the red flag and pulls another thread
    second = full_body(score={**{key: 4 for key in dims}, "humility": 3})
    second["threads"].append({"key": "customer_segmentation", "signal": "okay", "notes": "Fine."})
    assert alice.put(url(noted_interview), second, format="json").status_code == 200
    # then only those are written: "~" for the score, "-" for the flag, "+" for the thread
    assert history(DimensionScore, scorecard)[len(dims) :] == [("~", dims["humility"].pk, interviewer)]
    assert history(RedFlagMark, scorecard)[1:] == [("-", flags["defensive"].pk, interviewer)]
    assert history(ThreadPulled, scorecard)[1:] == [("+", threads["customer_segmentation"].pk, interviewer)]
    # and the unchanged rows are the same rows
    assert dict(DimensionScore.objects.filter(scorecard=scorecard).values_list("dimension_id", "id")) == ids_before
    assert DimensionScore.history.get(history_type="~").score == 3  # type: ignore[attr-defined]

    # when she submits the saved draft: the scorecard changes, its parts do not
    scorecard_rows = Scorecard.history.filter(id=scorecard.pk).count()  # type: ignore[attr-defined]
    assert alice.post(url(noted_interview, "submit/"), {}, format="json").status_code == 200
    assert len(history(DimensionScore, scorecard)) == len(dims) + 1
    assert len(history(RedFlagMark, scorecard)) == 2
    assert len(history(ThreadPulled, scorecard)) == 2
    latest = Scorecard.history.filter(id=scorecard.pk).latest()  # type: ignore[attr-defined]
    assert Scorecard.history.filter(id=scorecard.pk).count() == scorecard_rows + 1  # type: ignore[attr-defined]
    assert (latest.history_type, latest.status, latest.history_user) == ("~", "submitted", interviewer)


def test_the_answers_of_put_and_submit_are_what_a_read_gives(alice, noted_interview):
    """The PUT and submit answers are built from the rows just written; a GET reads them back: the same."""
    for body in (
        full_body(red_flags=("defensive", "no_curiosity")),
        {"scores": {"humility": {"score": 2, "evidence": "  Interrupted.  "}}, "threads": [{"key": "first_two_weeks"}]},
        full_body(score=3, vote="no", red_flags=("overconfident",)),
    ):
        put = alice.put(url(noted_interview), body, format="json")
        assert put.status_code == 200
        assert put.json() == alice.get(url(noted_interview)).json()
    submitted = alice.post(url(noted_interview, "submit/"), {}, format="json")
    assert submitted.status_code == 200
    assert submitted.json() == alice.get(url(noted_interview)).json()
    assert submitted.json()["status"] == "submitted"
    assert [flag["key"] for flag in submitted.json()["red_flags"]] == ["overconfident"]


def test_submit_with_a_body_answers_what_a_read_gives(alice, noted_interview):
    alice.put(url(noted_interview), {"summary": "Half done."}, format="json")
    submitted = alice.post(
        url(noted_interview, "submit/"), full_body(red_flags=("defensive",), vote="no"), format="json"
    )
    assert submitted.status_code == 200
    assert submitted.json() == alice.get(url(noted_interview)).json()


def test_a_resaved_identical_draft_writes_only_the_scorecard_row(noted_interview):
    body = full_body(red_flags=("defensive",))
    services.scorecard_save_draft(interview=noted_interview, data=typed(noted_interview, body))
    with CaptureQueriesContext(connection) as captured:
        services.scorecard_save_draft(interview=noted_interview, data=typed(noted_interview, body))
    writes = [q["sql"].split()[0:3] for q in captured.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert writes == [
        ["UPDATE", '"scorecards_scorecard"', "SET"],
        ["INSERT", "INTO", '"scorecards_historicalscorecard"'],
    ]
    assert not [q for q in captured.captured_queries if q["sql"].startswith("DELETE")]


def test_submit_reads_the_saved_draft_as_the_joined_read_does(noted_interview):
    services.scorecard_save_draft(
        interview=noted_interview, data=typed(noted_interview, full_body(red_flags=("overconfident", "defensive")))
    )
    scorecard = Scorecard.objects.get()
    data, _ = services._stored(scorecard, pinned_rubric(noted_interview.rubric))
    assert data == services.stored_input(scorecard_with_parts(noted_interview))
    assert list(data.red_flags) == [k for k in pinned_rubric(noted_interview.rubric).red_flags if k in data.red_flags]


# --- the pinned rubric ----------------------------------------------------------------------------


def test_a_published_rubric_is_read_once_and_a_draft_every_time():
    published = make_rubric(name="Once")
    draft = make_rubric(name="Draft", status=Rubric.Status.DRAFT)
    first = pinned_rubric(published)
    with CaptureQueriesContext(connection) as captured:
        again = pinned_rubric(Rubric.objects.get(pk=published.pk))  # another row object of the same version
    assert len(captured.captured_queries) == 1  # only the Rubric.objects.get above
    assert again.dimensions == first.dimensions and again.specs == first.specs
    assert again.rubric is not first.rubric and again.rubric.pk == published.pk  # the caller's row
    with CaptureQueriesContext(connection) as captured:
        pinned_rubric(draft)
        pinned_rubric(draft)
    assert len(captured.captured_queries) == 8  # dimensions, red flags, threads, gut-check questions: twice


def test_saving_any_rubric_forgets_what_was_read():
    published = make_rubric(name="Forget")
    pinned_rubric(published)
    published.status = Rubric.Status.RETIRED
    published.save()  # a retire is a save: the next read reads again (and caches the retired version)
    with CaptureQueriesContext(connection) as captured:
        pinned_rubric(published)
    assert len(captured.captured_queries) == 4
    with CaptureQueriesContext(connection) as captured:
        pinned_rubric(published)
    assert len(captured.captured_queries) == 0


def test_the_pinned_rubric_has_its_gut_check_questions_and_forgets_them_when_any_change():
    published = make_rubric(name="Asks")
    assert list(pinned_rubric(published).gut_check_questions) == ["work_with", "trust_day_one", "month_one_success"]
    draft = make_rubric(name="Draft", status=Rubric.Status.DRAFT)
    question = GutCheckQuestion.objects.create(rubric=draft, order=9, key="bar", text="Raises the bar?")
    with CaptureQueriesContext(connection) as captured:
        pinned_rubric(published)
    assert len(captured.captured_queries) == 4  # a gut-check question was saved: read again
    question.delete()
    with CaptureQueriesContext(connection) as captured:
        pinned_rubric(published)
    assert len(captured.captured_queries) == 4  # and deleted: read again
    assert pinned_rubric(draft).gut_check_questions == dict(
        GutCheckQuestion.objects.filter(rubric=draft).order_by("order", "id").values_list("key", "text")
    )


# --- what a request costs -------------------------------------------------------------------------

# Every request first: the token (with its user, one query), the caller's roles, the interview (own_interview).
REQUEST = 3


@pytest.mark.parametrize("panel", [1, 5])
def test_save_and_submit_cost_the_same_few_queries_at_any_panel_size(
    panel, alice, noted_interview, django_assert_num_queries
):
    from tests.factories import InterviewFactory

    for _ in range(panel - 1):
        InterviewFactory(loop=noted_interview.loop)  # others on the panel, not yet submitted
    pinned_rubric(noted_interview.rubric)  # a published version's parts are read once per process
    body = full_body(red_flags=("defensive",), vote="no")  # One No = No Hire at either size: the decision changes
    # a first draft: is there a scorecard (no), so lock the loop first; SAVEPOINT, lock interview, lock scorecard
    # (none yet); INSERT scorecard + its history; INSERT scores, red flags, threads, each + its history (bulk); the
    # debrief now shows a draft: read the loop, its interviews, the rubric's dimensions, UPSERT the document; RELEASE
    with django_assert_num_queries(REQUEST + 12 + 6):
        assert alice.put(url(noted_interview), body, format="json").status_code == 200
    # the same draft again: is there a scorecard (yes: the debrief shows nothing new); SAVEPOINT, the two locks, read
    # scores, red flags, threads; UPDATE scorecard + history; RELEASE (nothing else changed, so nothing else is written)
    with django_assert_num_queries(REQUEST + 9 + 1):
        assert alice.put(url(noted_interview), body, format="json").status_code == 200
    # submit the saved draft: SAVEPOINT, lock interview (with whether the note exists), lock scorecard; read scores,
    # red flags, threads; UPDATE scorecard + history; cancel its scorecard reminders; lock the loop, read the panel
    # (one query), UPDATE loop + history; debrief_ready: cancel the pending ones, read the last sequence and the
    # audience, INSERT them (bulk); the stored debrief: read the loop, its interviews, the dimensions, the submitted
    # scores, red flags and threads, UPSERT it; RELEASE. The answer is built from what was written: no re-read. Two webhook
    # events (scorecard.submitted, loop.decision_changed) read the subscribed endpoints: none here, nothing written.
    with django_assert_num_queries(REQUEST + 20 + 7):
        assert alice.post(url(noted_interview, "submit/"), {}, format="json").status_code == 200
