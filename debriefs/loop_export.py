"""`/loops/export.csv`: the loops list, filtered as /loops/ is (status, decision, q), as a CSV download.

Recruiters only (an interviewer's list has loops whose debrief they may not read yet). Streamed row by row, so a
long list costs neither memory nor a slow first byte; every text cell that a spreadsheet would run as a formula
(= + - @) is neutralised (`export_rules.csv_cell`): a candidate's name is typed by people we do not control.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from debriefs.selectors import with_counted
from debriefs.views import loop_list_filtered
from interviewloop.export_rules import csv_cell
from interviewloop.exports import LOOP_CSV_HEADER, loop_csv_rows
from interviewloop.roles import is_recruiter


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer to format one row at a time."""

    def write(self, value: str) -> str:
        return value


def _lines(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(LOOP_CSV_HEADER)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


@login_required
def loop_list_csv(request: HttpRequest) -> StreamingHttpResponse:
    if not is_recruiter(request.user):
        raise PermissionDenied("Only recruiters can download the loops list.")
    loops, _filters = loop_list_filtered(request)
    rows = with_counted(loops.select_related("candidate", "position", "recruiter"))
    # The reader's zone, taken now: the rows are written after this view (and the zone's middleware) returned.
    zone = timezone.get_current_timezone()
    response = StreamingHttpResponse(_lines(loop_csv_rows(rows, zone=zone)), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="loops-{stamp}.csv"'
    return response
