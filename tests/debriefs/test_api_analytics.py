"""GET /api/analytics/interviewers/: the figures over real rows, who reads what, the filters, the query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from debriefs.calibration_selectors import FOCUS_COLUMNS, interview_focus_keys
from interviewloop.models import Interview, Loop
from scorecards.models import Scorecard
from tests.debriefs.conftest import add_interview
from tests.factories import LoopFactory, PositionFactory, UserFactory

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
URL = "/api/analytics/interviewers/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def panels(loop, recruiter):
    """loop (closed, recorded no_hire): alice 5s strong_yes, bob 3s yes (note late), carol 1s strong_no;
    another loop: alice 4s yes, bob 2s no (his note said yes), a shadow sam and a draft by dave (neither counts).

    Leniency: loop 1 alice 5 - (3 + 1) / 2 = 3, bob 3 - (5 + 1) / 2 = 0, carol 1 - (5 + 3) / 2 = -3;
    loop 2 alice 4 - 2 = 2, bob 2 - 4 = -2. So alice 2.5 (n 2), bob -1 (n 2), carol -3 (n 1).
    """
    add_interview(loop, "alice", vote="strong_yes", note_vote="strong_yes", scores=5)
    add_interview(loop, "bob", vote="yes", note_vote="yes", note_late=True, scores=3, red_flags=("defensive",))
    add_interview(loop, "carol", vote="strong_no", note_vote="no", scores=1, red_flags=("defensive", "overconfident"))
    Loop.objects.filter(pk=loop.pk).update(status="closed", outcome="no_hire", outcome_at=NOW)
    other = LoopFactory(position=loop.position, recruiter=recruiter)
    add_interview(other, "alice", vote="yes", note_vote="strong_yes", scores=4)
    add_interview(other, "bob", vote="no", note_vote="yes", scores=2)
    add_interview(other, "sam", vote="yes", counts=False, scores=5)
    add_interview(other, "dave", vote="yes", submitted=False, scores=5)
    return other


def test_a_recruiter_reads_every_interviewers_figures(frozen, loop, recruiter, api_as):
    panels(loop, recruiter)

    response = api_as(recruiter).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("since", "until", "position", "min_leniency_history")} == {
        "since": None, "until": None, "position": None, "min_leniency_history": 5,
    }  # fmt: skip
    rows = {row["interviewer"]: row for row in body["interviewers"]}
    assert list(rows) == ["alice", "bob", "carol"]  # by name; the shadow and the draft do not count
    # every interview ended an hour ago; notes three minutes after the end (bob's loop-1 note 15), scorecards now
    assert rows["alice"] == {
        "interviewer": "alice",
        "name": "Alice",
        "scorecards": 2,
        "votes": {"strong_no": 0, "no": 0, "yes": 1, "strong_yes": 1},
        "yes_rate": 1.0,
        "yes_rate_deviation": 0.4,  # 1 - 3/5
        "mean_score": 4.5,
        "score_counts": {"1": 0, "2": 0, "3": 0, "4": 8, "5": 8},
        "leniency": 2.5,
        "leniency_n": 2,
        "adherence": 1.0,  # every dimension of the guide's rubric in focus, every one scored
        "agreement": 0.0,  # a Strong Yes on the loop recorded no_hire; the other loop is open
        "agreement_n": 1,
        "note_on_time_rate": 1.0,
        "time_to_note": {"median": 180.0, "p90": 180.0},
        "time_to_scorecard": {"median": 3600.0, "p90": 3600.0},
        "vote_shift": {"up": 0, "down": 1, "same": 1},
        "red_flags_per_scorecard": 0.0,
    }
    bob = rows["bob"]
    assert (bob["leniency"], bob["leniency_n"], bob["yes_rate_deviation"], bob["agreement"]) == (-1.0, 2, -0.1, 0.0)
    assert (bob["note_on_time_rate"], bob["time_to_note"]) == (0.5, {"median": 540.0, "p90": 828.0})
    assert bob["vote_shift"] == {"up": 0, "down": 1, "same": 1}
    assert bob["red_flags_per_scorecard"] == 0.5
    carol = rows["carol"]
    assert (carol["leniency"], carol["leniency_n"], carol["agreement"], carol["red_flags_per_scorecard"]) == (
        -3.0, 1, 1.0, 2.0,
    )  # fmt: skip


def test_an_interviewer_reads_only_their_own_row_measured_against_everyone(frozen, loop, recruiter, api_as):
    panels(loop, recruiter)
    alice = UserFactory(username="alice")

    rows = api_as(alice).get(URL).json()["interviewers"]

    assert [(row["interviewer"], row["leniency"], row["yes_rate_deviation"]) for row in rows] == [("alice", 2.5, 0.4)]


def test_an_interviewer_with_no_scorecard_gets_no_row(loop, recruiter, api_as):
    panels(loop, recruiter)

    assert api_as(UserFactory(username="erin", role="interviewer")).get(URL).json()["interviewers"] == []


@pytest.mark.parametrize("role", ["admin", None])
def test_neither_recruiter_nor_interviewer_is_refused(role, api_as, api):
    user = UserFactory(username="ada", role=role) if role else UserFactory(username="charlie")

    response = api_as(user).get(URL)

    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "Calibration is for recruiters, and for interviewers about themselves.",
    }
    assert api.get(URL).status_code == 401


def test_the_window_counts_scorecards_submitted_in_it(frozen, loop, recruiter, api_as):
    other = panels(loop, recruiter)
    # the second loop's scorecards were submitted ten days ago
    Scorecard.objects.filter(interview__loop=other).update(submitted_at=NOW - timedelta(days=10))
    client = api_as(recruiter)

    recent = client.get(URL, {"since": (NOW - timedelta(days=1)).date().isoformat()}).json()
    older = client.get(URL, {"until": (NOW - timedelta(days=10)).date().isoformat()}).json()
    both = client.get(URL, {"since": "2026-02-20", "until": "2026-03-02"}).json()

    assert recent["since"] == "2026-03-01"
    assert [(row["interviewer"], row["scorecards"]) for row in recent["interviewers"]] == [
        ("alice", 1), ("bob", 1), ("carol", 1),
    ]  # fmt: skip
    assert [(row["interviewer"], row["leniency"]) for row in older["interviewers"]] == [("alice", 2.0), ("bob", -2.0)]
    assert sum(row["scorecards"] for row in both["interviewers"]) == 5


def test_the_position_filter_counts_only_its_loops(frozen, loop, recruiter, api_as):
    panels(loop, recruiter)
    elsewhere = LoopFactory(
        position=PositionFactory(title="Designer", rubric=loop.position.rubric), recruiter=recruiter
    )
    add_interview(elsewhere, "zoe", vote="yes", scores=4)
    client = api_as(recruiter)

    theirs = client.get(URL, {"position": elsewhere.position_id}).json()
    ours = client.get(URL, {"position": loop.position_id}).json()

    assert (theirs["position"], [row["interviewer"] for row in theirs["interviewers"]]) == (
        elsewhere.position_id, ["zoe"],
    )  # fmt: skip
    assert [row["interviewer"] for row in ours["interviewers"]] == ["alice", "bob", "carol"]


@pytest.mark.parametrize(
    ("params", "field", "why"),
    [
        ({"since": "yesterday"}, "since", "Enter a valid date."),
        ({"until": "2026-02-30"}, "until", "Enter a valid date."),
        ({"position": "987654"}, "position", "There is no position with that id."),
        ({"position": "x"}, "position", "There is no position with that id."),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "until", "It must not be before since."),
        ({"since": "1900-01-01"}, "since", "It must be between 1970-01-01 and 2999-12-31."),
    ],
)
def test_a_filter_that_cannot_be_right_is_refused_naming_it(params, field, why, recruiter, api_as):
    response = api_as(recruiter).get(URL, params)

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_filter",
        "detail": f"The filter {field}={params[field]!r} is not valid: {why}",
        "field": field,
    }


def _loops(recruiter, position, count: int) -> None:
    for number in range(count):
        loop = LoopFactory(recruiter=recruiter, position=position)
        for seat in range(3):
            add_interview(
                loop, f"panelist{(number + seat) % 5}", vote="yes", note_vote="no", scores=3 + seat % 2,
                red_flags=("defensive",) * (seat % 2),
            )  # fmt: skip


@pytest.mark.parametrize("count", [2, 12])
def test_the_query_count_does_not_grow_with_the_data(
    count, recruiter, rubric, api_as, settings, django_assert_num_queries
):
    settings.ANALYTICS_CACHE_SECONDS = 0
    _loops(recruiter, PositionFactory(rubric=rubric), count)
    client = api_as(recruiter)
    # the token with its user, the caller's roles; then the scorecards (with interview, note and loop), their score counts,
    # their red-flag counts, the interviewers' names, the rubrics' dimension counts (and, once interviews carry a
    # focus, the keys scored on focused interviews).
    with django_assert_num_queries(2 + 5 + len(FOCUS_COLUMNS)):
        response = client.get(URL)
    assert sum(row["scorecards"] for row in response.json()["interviewers"]) == 3 * count


@pytest.mark.parametrize("count", [2, 12])
def test_a_second_read_comes_from_the_cache_until_a_scorecard_changes(
    count, recruiter, rubric, api_as, django_assert_num_queries
):
    position = PositionFactory(rubric=rubric)
    _loops(recruiter, position, count)
    client = api_as(recruiter)
    # the token, the caller's roles; the fingerprint (scorecards; interviews that count and recorded outcomes); then the five (six)
    with django_assert_num_queries(2 + 2 + 5 + len(FOCUS_COLUMNS)):
        first = client.get(URL).json()
    with django_assert_num_queries(2 + 2):
        assert client.get(URL).json() == first

    # a new submitted scorecard, an amendment, a recorded outcome: each is read at once
    add_interview(LoopFactory(recruiter=recruiter, position=position), "newcomer", vote="no", scores=2)
    assert "newcomer" in [row["interviewer"] for row in client.get(URL).json()["interviewers"]]
    card = Scorecard.objects.get(interview__interviewer__username="newcomer")
    card.vote = "strong_no"
    card.save()
    newcomer = next(row for row in client.get(URL).json()["interviewers"] if row["interviewer"] == "newcomer")
    assert newcomer["votes"]["strong_no"] == 1
    Loop.objects.filter(pk=card.interview.loop_id).update(status="closed", outcome="no_hire", outcome_at=NOW)
    newcomer = next(row for row in client.get(URL).json()["interviewers"] if row["interviewer"] == "newcomer")
    assert newcomer["agreement"] == 1.0


def test_a_shadow_made_to_count_is_read_at_once(loop, recruiter, api_as):
    panels(loop, recruiter)
    client = api_as(recruiter)
    assert "sam" not in [row["interviewer"] for row in client.get(URL).json()["interviewers"]]

    Interview.objects.filter(interviewer__username="sam").update(counts_toward_decision=True)

    assert "sam" in [row["interviewer"] for row in client.get(URL).json()["interviewers"]]


def test_an_interviews_focus_is_its_own_or_else_every_dimension_of_its_rubric():
    rubric = ("systems_thinking", "measurement", "humility")

    assert interview_focus_keys(None, rubric) == rubric
    assert interview_focus_keys([], rubric) == rubric
    assert interview_focus_keys(["measurement"], rubric) == ("measurement",)


def test_adherence_counts_the_interviews_focus_not_the_whole_rubric(frozen, loop, recruiter, api_as):
    from scorecards.models import DimensionScore

    panels(loop, recruiter)
    first = Interview.objects.get(loop=loop, interviewer__username="alice")
    Interview.objects.filter(pk=first.pk).update(focus=["systems_thinking", "measurement", "risk_management"])
    DimensionScore.objects.filter(scorecard__interview=first, dimension__key="measurement").delete()

    rows = {row["interviewer"]: row for row in api_as(recruiter).get(URL).json()["interviewers"]}

    # alice: 2 of her 3 focus dimensions scored in the first loop, all 8 of the rubric in the second (no focus)
    assert FOCUS_COLUMNS == ("focus",)
    assert rows["alice"]["adherence"] == round(10 / 11, 3)
    assert rows["bob"]["adherence"] == 1.0
