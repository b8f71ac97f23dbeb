"""The calibration page (/analytics/) and its CSV: the API's rows drawn as inline SVG with a table behind each chart."""

from __future__ import annotations

import csv
import io

import pytest

from debriefs.calibration import CSV_COLUMNS
from tests.debriefs.test_api_analytics import NOW, panels
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    import time_machine

    with time_machine.travel(NOW, tick=False):
        yield


def test_the_page_draws_every_chart_with_its_table_under_the_csp(frozen, loop, recruiter, client):
    panels(loop, recruiter)
    client.force_login(recruiter)

    response = client.get("/analytics/")

    assert response.status_code == 200
    html = response.content.decode()
    # five charts, each an image with a title and a description, each chart's numbers in a table
    assert html.count("<svg viewBox=") == 5 and html.count('role="img" aria-labelledby=') == 5
    for table in ("votes-table", "leniency-table", "timeliness-table", "shifts-table"):
        assert f'<table id="{table}">' in html
    assert '<th scope="row">Alice</th><td>+2.500</td><td>2</td><td>4.500</td>' in html  # leniency, n, mean score
    assert '<th scope="row">Carol</th><td>-3.000</td><td>1</td><td>1.000</td>' in html
    assert "+2.50 (n 2)" in html and 'class="lean lean-harsh"' in html and 'class="lean lean-lenient"' in html
    assert 'href="/analytics/interviewers.csv"' in html
    assert "style=" not in html and "<script>" not in html  # strict CSP: no inline style or script
    assert 'href="/analytics/" class="active">Calibration</a>' in html  # in the recruiter's navigation


def test_the_page_keeps_the_filters_in_the_csv_link_and_refuses_a_bad_one_beside_it(loop, recruiter, client):
    panels(loop, recruiter)
    client.force_login(recruiter)

    kept = client.get("/analytics/", {"since": "2026-01-01", "position": loop.position_id}).content.decode()
    refused = client.get("/analytics/", {"since": "2026-13-01"})

    assert f'href="/analytics/interviewers.csv?since=2026-01-01&amp;position={loop.position_id}"' in kept
    assert f'<option value="{loop.position_id}" selected>' in kept
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'id="id_since" type="date" name="since" value="2026-13-01" aria-invalid="true"' in html
    assert "The filter since=&#x27;2026-13-01&#x27; is not valid: Enter a valid date." in html
    assert "<svg viewBox=" not in html


def test_an_interviewer_sees_their_own_row_and_others_are_refused(loop, recruiter, client):
    panels(loop, recruiter)
    client.force_login(UserFactory(username="bob"))
    html = client.get("/analytics/").content.decode()
    assert '<th scope="row">Bob</th>' in html and "Alice" not in html and "How you score" in html
    assert "Calibration</a>" not in html  # not in an interviewer's navigation

    client.force_login(UserFactory(username="charlie"))
    assert client.get("/analytics/").status_code == 403
    assert client.get("/analytics/interviewers.csv").status_code == 403


def test_the_csv_has_the_same_rows(frozen, loop, recruiter, client, api_as):
    panels(loop, recruiter)
    client.force_login(recruiter)

    response = client.get("/analytics/interviewers.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="interviewer-calibration-2026-03-02.csv"'
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == list(CSV_COLUMNS)
    rows = {line[0]: dict(zip(CSV_COLUMNS, line, strict=True)) for line in lines[1:]}
    api_rows = api_as(recruiter).get("/api/analytics/interviewers/").json()["interviewers"]
    assert list(rows) == [row["interviewer"] for row in api_rows]
    assert rows["alice"]["leniency"] == "2.5" and rows["alice"]["time_to_note_median"] == "180.0"
    assert rows["carol"]["votes_strong_no"] == "1" and rows["carol"]["agreement"] == "1.0"
    assert rows["bob"]["vote_shift_down"] == "1"


def test_the_csv_refuses_a_bad_filter_in_words(recruiter, client):
    client.force_login(recruiter)

    response = client.get("/analytics/interviewers.csv", {"position": "nope"})

    assert response.status_code == 400
    assert response.content.decode() == "The filter position='nope' is not valid: There is no position with that id.\n"
