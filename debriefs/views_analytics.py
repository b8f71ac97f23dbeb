"""The calibration page (`/analytics/`) and its CSV (`/analytics/interviewers.csv`): the API's rows, drawn.

Recruiters see every interviewer; an interviewer sees their own row; anyone else gets 403. The filters are the
API's (`?since=&until=&position=`, read by `debriefs.api_analytics.window_from`): a value that cannot be right is
said beside its field (400) and nothing is drawn. The charts are inline SVG from `debriefs.charts`, each with its
numbers in a table for screen readers and for anyone who wants them.
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from debriefs import charts
from debriefs.api_analytics import window_from
from debriefs.calibration import CSV_COLUMNS, MIN_LENIENCY_HISTORY, flat_row
from debriefs.calibration_selectors import Window, interviewer_calibration, may_read_calibration
from interviewloop.errors import Forbidden, Invalid
from interviewloop.models import Position
from interviewloop.roles import is_recruiter
from scorecards.rules import VOTE_LABELS, VOTES

FILTERS = ("since", "until", "position")


@login_required
def analytics(request: HttpRequest) -> HttpResponse:
    """Distributions and leniency per interviewer, timeliness and vote shifts, with the filters and the CSV link."""
    try:
        may_read_calibration(request.user)
    except Forbidden as refused:
        return render(request, "analytics/forbidden.html", {"detail": refused.detail}, status=403)
    filters = {name: request.GET.get(name, "") for name in FILTERS}
    error: dict[str, str] | None = None
    try:
        window = window_from(request.GET)
    except Invalid as refused:
        error, window = {"field": refused.extra.get("field", ""), "detail": refused.detail}, None
    rows = interviewer_calibration(request.user, window) if window is not None else []
    query = urlencode({name: value for name, value in filters.items() if value}) if window is not None else ""
    drawn = {
        "votes": charts.votes_chart(rows),
        "leniency": charts.leniency_chart(rows),
        "on_time": charts.on_time_chart(rows),
        "to_scorecard": charts.time_chart(rows, key="time_to_scorecard", unit=3600, unit_label="h"),
        "shifts": charts.shifts_chart(rows),
    }
    context: dict[str, Any] = {
        "rows": rows,
        "filters": filters,
        "error": error,
        "positions": Position.objects.order_by("title", "id").values_list("id", "title"),
        "everyone": is_recruiter(request.user),
        "csv_query": query,
        "min_leniency_history": MIN_LENIENCY_HISTORY,
        "votes": [(vote, VOTE_LABELS[vote]) for vote in VOTES],
        "charts": drawn,
        # The timeliness table beside its chart: each row with its scorecard times in hours, as the chart draws them.
        "timeliness": [
            {"row": row, "hours": hours} for row, hours in zip(rows, drawn["to_scorecard"]["rows"], strict=True)
        ],
    }
    return render(request, "analytics/interviewers.html", context, status=400 if error else 200)


@login_required
def analytics_csv(request: HttpRequest) -> HttpResponse:
    """The page's rows as CSV, one line per interviewer (`debriefs.calibration.CSV_COLUMNS`); same filters, same
    refusals (403, 400 with the reason as text)."""
    try:
        may_read_calibration(request.user)
        window: Window = window_from(request.GET)
    except (Forbidden, Invalid) as refused:
        return HttpResponse(refused.detail + "\n", status=refused.status, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="interviewer-calibration-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in interviewer_calibration(request.user, window):
        writer.writerow(flat_row(row))
    return response
