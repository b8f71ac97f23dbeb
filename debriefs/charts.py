"""The `/analytics/` page's charts as plain geometry: the template draws each as inline SVG (no script, no third-party
host, nothing the CSP forbids: colours come from classes in static/css/analytics.css, never inline styles).

Pure functions on the calibration rows (`debriefs.calibration.interviewer_rows`). Every chart is one row per
interviewer: a label on the left, the bars in a plot area, a figure on the right. Coordinates are in the SVG's own
units (`WIDTH` wide); the page scales the drawing to its column, so it never scrolls sideways on a phone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from scorecards.rules import VOTE_LABELS, VOTES

WIDTH = 640
LABEL = 170  # the interviewers' names
FIGURE = 90  # the figure at the end of each row
ROW = 30
BAR = 18
TOP = 8
PLOT = WIDTH - LABEL - FIGURE
NAME_LENGTH = 22


def _label(name: str) -> str:
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1] + "…"


def _frame(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"width": WIDTH, "height": TOP * 2 + ROW * max(1, len(rows)), "label_x": LABEL - 8, "figure_x": WIDTH - 4}


def _y(index: int) -> dict[str, float]:
    top = TOP + index * ROW
    return {"y": top + (ROW - BAR) / 2, "text_y": top + ROW / 2 + 4, "bar": BAR}


def _percent(value: float | None) -> str:
    return "\N{EN DASH}" if value is None else f"{round(value * 100)} %"


def stacked(rows: Sequence[dict[str, Any]], *, parts: Sequence[tuple[str, str]], counts: str) -> dict[str, Any]:
    """Each row's `counts` (a dict of key -> count) as one bar split by share, in the order of `parts` (key, label);
    the figure is the total."""
    drawn = []
    for index, row in enumerate(rows):
        values = row[counts]
        total = sum(values[key] for key, _ in parts)
        x = float(LABEL)
        segments = []
        for key, label in parts:
            width = PLOT * values[key] / total if total else 0.0
            if width:
                segments.append({"key": key, "label": label, "x": round(x, 2), "width": round(width, 2)})
            x += width
        drawn.append({**_y(index), "name": _label(row["name"]), "segments": segments, "figure": total})
    return {**_frame(rows), "rows": drawn, "legend": [{"key": key, "label": label} for key, label in parts]}


def votes_chart(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Each interviewer's votes, Strong No to Strong Yes, as shares of their scorecards."""
    return stacked(rows, parts=[(vote, VOTE_LABELS[vote]) for vote in VOTES], counts="votes")


def shifts_chart(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """From the five-minute note's vote to the scorecard's: moved down, stayed, moved up."""
    parts = [("down", "Moved down"), ("same", "Same"), ("up", "Moved up")]
    return stacked(rows, parts=parts, counts="vote_shift")


def leniency_chart(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Each interviewer's leniency as a bar from zero: right of the line scores above their panels, left below."""
    values = [abs(row["leniency"]) for row in rows if row["leniency"] is not None]
    reach = max(0.5, math.ceil(max(values, default=0.0) * 2) / 2)  # a half-point grid
    zero = LABEL + PLOT / 2
    drawn = []
    for index, row in enumerate(rows):
        value = row["leniency"]
        entry = {**_y(index), "name": _label(row["name"]), "value": value, "n": row["leniency_n"]}
        if value is not None:
            width = (PLOT / 2) * abs(value) / reach
            entry.update(x=round(zero if value >= 0 else zero - width, 2), width=round(width, 2))
            entry["side"] = "lenient" if value > 0 else "harsh" if value < 0 else "even"
        drawn.append(entry)
    ticks = [
        {"x": round(zero + (PLOT / 2) * step / 2, 2), "label": f"{reach * step / 2:+g}".replace("+0", "0")}
        for step in (-2, -1, 0, 1, 2)
    ]
    return {**_frame(rows), "rows": drawn, "zero": zero, "reach": reach, "ticks": ticks, "axis_y": TOP}


def on_time_chart(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Each interviewer's share of five-minute notes written on time."""
    drawn = []
    for index, row in enumerate(rows):
        rate = row["note_on_time_rate"]
        drawn.append(
            {
                **_y(index),
                "name": _label(row["name"]),
                "x": LABEL,
                "width": round(PLOT * (rate or 0.0), 2),
                "figure": _percent(rate),
            }
        )
    return {**_frame(rows), "rows": drawn, "plot_width": PLOT}


def time_chart(rows: Sequence[dict[str, Any]], *, key: str, unit: float, unit_label: str) -> dict[str, Any]:
    """Each interviewer's median time (a bar) and 90th percentile (a tick) from the interview's end to `key`."""
    longest = max((row[key]["p90"] or 0.0 for row in rows), default=0.0) / unit
    reach = max(1.0, float(math.ceil(longest)))
    drawn = []
    for index, row in enumerate(rows):
        median, p90 = row[key]["median"], row[key]["p90"]
        entry = {**_y(index), "name": _label(row["name"]), "x": LABEL, "median": None, "p90": None}
        if median is not None and p90 is not None:
            entry.update(
                width=round(PLOT * (median / unit) / reach, 2),
                tick=round(LABEL + PLOT * (p90 / unit) / reach, 2),
                median=round(median / unit, 1),
                p90=round(p90 / unit, 1),
            )
        drawn.append(entry)
    return {**_frame(rows), "rows": drawn, "reach": reach, "unit": unit_label}
