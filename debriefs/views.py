"""The recruiter's pages: loops, a loop's debrief, recording the outcome, scheduling a loop.

Server-rendered and usable without JavaScript (plain GET filters, plain POST forms, redirect after
POST); htmx swaps the loops table in place. The selectors read, the services write.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import CharField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from debriefs import selectors
from debriefs.calibration import MIN_LENIENCY_HISTORY
from debriefs.calibration_selectors import with_leniency
from debriefs.documents import with_times
from debriefs.filters import LoopFilter
from debriefs.selectors import StoredRows, heatmap, heatmap_groups, loop_for_recruiter, loop_rows, page_rows
from debriefs.services import loop_record_decision
from interviewloop import interview_rules, services
from interviewloop.errors import DomainError, Forbidden, NotFound
from interviewloop.forms import DateTimeField, EmailField, ModelChoiceField, TextField
from interviewloop.interview_rules import InterviewState
from interviewloop.models import Candidate, Decision, Interview, Loop, Position
from interviewloop.roles import INTERVIEWERS, is_recruiter
from interviewloop.rounds import RoundTemplate
from interviewloop.scheduling import (
    DEFAULT_DURATION,
    DURATIONS,
    InterviewPlan,
    default_duration,
    fill_times,
    plan_problems,
)
from scorecards.models import Rubric
from scorecards.rules import VOTE_LABELS, VOTES

LOOPS_PER_PAGE = 25


def loop_list_filtered(request: HttpRequest) -> tuple[QuerySet[Loop], LoopFilter]:
    """The loops /loops/ lists for this request's filters (status, decision, q: `LoopFilter`, whose refusals the page
    shows beside each field), and the filters as read; the CSV download (debriefs/loop_export.py) lists through this
    too, so both always filter alike."""
    filters = LoopFilter(request.GET, queryset=loop_rows(request.user, with_locked=True))
    return filters.qs, filters


@login_required
def loop_list(request: HttpRequest) -> HttpResponse:
    """Candidates in their loops: stage, decision, missing and late counts; search and filters (GET). A filter the
    FilterSet refuses is said beside its field, and the list is shown without it."""
    params = request.GET
    loops, filters = loop_list_filtered(request)
    page: Any = Paginator(StoredRows(loops), LOOPS_PER_PAGE).get_page(params.get("page"))  # type: ignore[arg-type]
    page.object_list = page_rows(list(page.object_list))  # type: ignore[assignment]
    cleaned = filters.form.cleaned_data
    query = params.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": {
            "q": cleaned["q"] if "q" in cleaned else params.get("q", ""),
            "status": cleaned.get("status") or "",
            "decision": cleaned.get("decision") or "",
        },
        "search_errors": filters.form.errors.get("q"),
        "filter_errors": {name: filters.form.errors.get(name) for name in ("status", "decision")},
        "statuses": Loop.Status.choices,
        "decisions": Decision.choices,
        "query": query.urlencode(),
        "can_schedule": is_recruiter(request.user),
    }
    template = "debriefs/_loop_rows.html" if getattr(request, "htmx", False) else "debriefs/loop_list.html"
    return render(request, template, context)


@login_required
def loop_debrief(request: HttpRequest, loop_id: int) -> HttpResponse:
    """The loop at a glance: decision banner, votes, heat-map, tally, red flags, notes, missing scorecards."""
    try:
        debrief = with_times(with_leniency(selectors.debrief_for(request.user, loop_id)))
    except NotFound:
        raise Http404("No such loop.") from None
    except Forbidden as refused:
        return render(request, "debriefs/debrief_locked.html", {"detail": refused.detail}, status=403)
    return _render_debrief(request, loop_id, debrief=debrief)


def _render_debrief(
    request: HttpRequest,
    loop_id: int,
    *,
    debrief: dict[str, Any] | None = None,
    interview_form: InterviewForm | None = None,
    debrief_form: DebriefTimeForm | None = None,
    error: str | None = None,
    status: int = 200,
    bound: dict[int, dict[str, forms.Form]] | None = None,
    remaining_form: CancelRemainingForm | None = None,
) -> HttpResponse:
    if debrief is None:
        debrief = with_times(with_leniency(selectors.debrief_document(loop_id)))
    recruiter = is_recruiter(request.user)
    planning = recruiter and debrief["loop"]["status"] == Loop.Status.OPEN
    context = {
        "debrief": debrief,
        "loop": debrief["loop"],
        "heatmap": heatmap(debrief),
        "heatmap_groups": heatmap_groups(debrief),
        # Leniency-adjusted scores (debriefs.calibration_selectors.with_leniency), said so when any is shown.
        "adjusted_shown": any(
            entry.get("adjusted") is not None for dimension in debrief["dimensions"] for entry in dimension["scores"]
        ),
        "min_leniency_history": MIN_LENIENCY_HISTORY,
        "tally_rows": tally_rows(debrief),
        "is_recruiter": recruiter,
        "deciding_names": [vote["name"] for vote in debrief["votes"] if vote["deciding"]],
        # The recruiter plans the open loop from here: one more interviewer, or the meeting's time.
        "interview_form": (interview_form or InterviewForm()) if planning else None,
        "debrief_form": (debrief_form or DebriefTimeForm(initial={"debrief_at": debrief["loop"]["debrief_at"]}))
        if planning
        else None,
        "form_error": error,
        # Per interview: reschedule, change interviewer, cancel (where interview_rules allows each).
        "panel_forms": panel_forms(debrief, bound or {}) if planning else [],
        "remaining": _remaining_offer(debrief, remaining_form) if planning else None,
    }
    return render(request, "debriefs/debrief.html", context, status=status)


def tally_rows(debrief: dict[str, Any]) -> list[dict[str, Any]]:
    """One bar per vote, highest first, each as many slots as the counting panel: filled for each vote given."""
    counting = sum(1 for vote in debrief["votes"] if vote["counts_toward_decision"])
    rows = []
    for vote in reversed(VOTES):
        count = debrief["tally"][vote]
        rows.append(
            {"vote": vote, "label": VOTE_LABELS[vote], "count": count, "slots": [i < count for i in range(counting)]}
        )
    return rows


@require_POST
@login_required
def loop_decision(request: HttpRequest, loop_id: int) -> HttpResponse:
    """Record the outcome from the debrief page; a refusal comes back as a message, nothing recorded."""
    loop = _recruiters_loop(request, loop_id)
    try:
        loop_record_decision(loop=loop, decision=request.POST.get("decision", ""), by=request.user)
    except DomainError as refused:
        messages.error(request, refused.detail)
    else:
        label = Decision(request.POST["decision"]).label
        messages.success(request, f"Recorded: {label}. The loop is closed.")
    return redirect("loop-debrief", loop_id=loop_id)


# --- Scheduling a loop ----------------------------------------------------------------------------------

INTERVIEW_ROWS = 4
# The browser's date-and-time picker wants "2030-05-06T10:00" (minutes, no seconds), read in the reader's zone
# (the time-zone middleware activates it).
LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DURATION_CHOICES = [(minutes, f"{minutes} min") for minutes in DURATIONS]


def interviewers_by_name() -> QuerySet[Any]:
    """The interviewers as the rest of the app names them: by full name (username when they have none)."""
    full_name = Trim(Concat("first_name", Value(" "), "last_name", output_field=CharField()))
    return (
        get_user_model()
        .objects.filter(groups__name=INTERVIEWERS)
        .annotate(sort_name=Lower(Coalesce(NullIf(full_name, Value("")), "username")))
        .order_by("sort_name", "username")
    )


class InterviewerChoiceField(ModelChoiceField):
    """Shows "Ivan Petrov (ivan)"; posts the username."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=interviewers_by_name(), to_field_name="username", **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.username})" if full_name else obj.username


class PositionSelect(forms.Select):
    """Each position's option carries its rubric's default interview length, and its rounds (ids in order), for
    the page's script."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        position = getattr(value, "instance", None)
        if position is not None:
            option["attrs"]["data-minutes"] = default_duration([position.phase_minutes or 0])
            rounds = [round_template.pk for round_template in position.rounds.all()]
            if rounds:
                option["attrs"]["data-rounds"] = " ".join(map(str, rounds))
        return option


def positions_with_lengths() -> QuerySet[Position]:
    return (
        Position.objects.annotate(phase_minutes=Sum("rubric__phases__minutes_max"))
        .prefetch_related("rounds")
        .order_by("title", "id")
    )


def round_label(round_template: RoundTemplate) -> str:
    """ "Coding · Coding round v1 · 45 min · focus: Ownership, Dive Deep · bar raiser", as a row's round option."""
    parts = [round_template.title, f"{round_template.rubric.name} v{round_template.rubric.version}"]
    parts.append(f"{round_template.duration_minutes} min")
    if round_template.focus:
        parts.append(f"focus: {', '.join(round_template.focus)}")
    if round_template.bar_raiser:
        parts.append("bar raiser")
    elif not round_template.counts_toward_decision:
        parts.append("shadow")
    return " · ".join(parts)


class RoundSelect(forms.Select):
    """Each round's option says its position, length and counting, for the page's script."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        round_template = getattr(value, "instance", None)
        if round_template is not None:
            option["attrs"].update(
                {
                    "data-position": round_template.position_id,
                    "data-minutes": round_template.duration_minutes,
                    "data-counts": "1" if round_template.counts_toward_decision else "0",
                }
            )
        return option


class RoundChoiceField(ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        queryset = RoundTemplate.objects.select_related("rubric", "position").order_by("position_id", "order", "id")
        super().__init__(queryset=queryset, widget=RoundSelect, empty_label="— no round —", **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return round_label(obj)


class LoopScheduleForm(forms.Form):
    candidate = ModelChoiceField(
        queryset=Candidate.objects.filter(erased_at__isnull=True), required=False, empty_label="— a new candidate —"
    )
    candidate_name = TextField(name="name", required=False, label="New candidate's name")
    candidate_email = EmailField(name="email", required=False, label="New candidate's email")
    position = ModelChoiceField(
        queryset=positions_with_lengths(), required=False, empty_label="— a new position —", widget=PositionSelect
    )
    position_title = TextField(name="title", required=False, label="New position's title")
    position_rubric = ModelChoiceField(
        queryset=Rubric.objects.filter(status=Rubric.Status.PUBLISHED).order_by("name", "-version"),
        required=False,
        label="New position's rubric",
    )
    debrief_at = DateTimeField(required=False, widget=LOCAL_DATETIME, label="Debrief meeting")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "candidate" in data and not data.get("candidate") and not (data.get("candidate_name") or "").strip():
            self.add_error("candidate_name", "Pick a candidate or give a new one's name.")
        if "position" in data and not data.get("position"):
            if not (data.get("position_title") or "").strip() and "position_title" in data:
                self.add_error("position_title", "Pick a position or give a new one's title.")
            if not data.get("position_rubric") and "position_rubric" in data:
                self.add_error("position_rubric", "Pick the new position's rubric.")
        return data


class InterviewRowForm(forms.Form):
    interviewer = InterviewerChoiceField(required=False)
    round = RoundChoiceField(
        required=False, label="Round", help_text="The position's round: its rubric, focus and questions."
    )
    scheduled_start = DateTimeField(
        required=False, widget=LOCAL_DATETIME, label="Start", help_text="Empty: when the interview before ends."
    )
    # Not posted (a client of the old form): the position's length.
    duration = forms.TypedChoiceField(
        choices=DURATION_CHOICES, coerce=int, required=False, empty_value=None, initial=DEFAULT_DURATION, label="Length"
    )
    scheduled_end = DateTimeField(
        required=False, widget=LOCAL_DATETIME, label="End", help_text="Empty: the start plus the length."
    )
    counts_toward_decision = forms.BooleanField(required=False, initial=True, label="Counts (not shadowing)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        typed = self.data.get(self.add_prefix("scheduled_start")) or self.data.get(self.add_prefix("scheduled_end"))
        if "interviewer" in data and not data["interviewer"] and typed:
            self.add_error("interviewer", "Pick the interviewer, or clear this interview's times.")
        return data

    def plan(self, default_minutes: int = DEFAULT_DURATION) -> InterviewPlan | None:
        """This row as a plan (None for an empty row or one with errors of its own)."""
        if not self.is_valid() or not self.cleaned_data.get("interviewer"):
            return None
        data = self.cleaned_data
        return InterviewPlan(
            interviewer=data["interviewer"],
            scheduled_start=data["scheduled_start"],
            scheduled_end=data["scheduled_end"],
            counts_toward_decision=data["counts_toward_decision"],
            duration_minutes=data["duration"]
            or (data["round"].duration_minutes if data.get("round") else default_minutes),
            round=data.get("round"),
        )


# Where the service's `field` of a refusal shows on the page (the rows' `interviews[N].*` are mapped by row).
SCHEDULE_FIELDS = {
    "candidate": "candidate",
    "candidate.name": "candidate_name",
    "candidate.email": "candidate_email",
    "position": "position",
    "position.title": "position_title",
    "position.rubric": "position_rubric",
    "debrief_at": "debrief_at",
}
ROW_FIELD = re.compile(r"^interviews\[(\d+)\]\.(\w+)$")


class SchedulePage:
    """The form, its interview rows and the errors beside each, as the template reads them."""

    def __init__(self, data: Any, initial: dict[str, Any]) -> None:
        self.form = LoopScheduleForm(data, initial=initial)
        row_initial = {"duration": initial.get("duration", DEFAULT_DURATION)}
        # A position's rounds come first, one row each, prefilled (rubric, focus, length, counting): pick the people.
        rounds: list[RoundTemplate] = initial.get("rounds", [])
        initials = [
            {"round": r.pk, "duration": r.duration_minutes, "counts_toward_decision": r.counts_toward_decision}
            for r in rounds
        ]
        count = max(INTERVIEW_ROWS, len(rounds), _posted_rows(data))
        initials += [row_initial] * (count - len(initials))
        self.rows = [InterviewRowForm(data, prefix=f"i{n}", initial=initials[n]) for n in range(count)]
        choices = sorted({*DURATIONS, *RoundTemplate.objects.values_list("duration_minutes", flat=True)})
        for row in self.rows:
            row.fields["duration"].choices = [(minutes, f"{minutes} min") for minutes in choices]  # type: ignore[attr-defined]
        self.rows[0].fields["scheduled_start"].help_text = ""  # no interview before the first
        self.interview_errors: list[str] = []

    def attach(self, problems: list[dict[str, str]], plan_rows: list[int]) -> None:
        """Put each problem beside its field: a loop field, a row's field, or the interviews section."""
        for problem in problems:
            field, detail = problem["field"], problem["detail"]
            if match := ROW_FIELD.match(field):
                row = self.rows[plan_rows[int(match[1])]]
                name = match[2] if match[2] in row.fields else "interviewer"
                if detail not in row.errors.get(name, []):
                    row.add_error(name, detail)
            elif field in SCHEDULE_FIELDS:
                name = SCHEDULE_FIELDS[field]
                if name == "candidate" and not self.form.cleaned_data.get("candidate"):
                    name = "candidate_name"
                if detail not in self.form.errors.get(name, []):
                    self.form.add_error(name, detail)
            elif detail not in self.interview_errors:
                self.interview_errors.append(detail)

    def summary(self) -> list[dict[str, Any]]:
        """Every error, in page order, with the id of the field it is beside (for the summary's links)."""
        found: list[dict[str, Any]] = [
            {"href": f"#{self.form[name].auto_id}", "label": self.form[name].label, "error": error}
            for name in self.form.fields
            for error in self.form.errors.get(name, [])
        ]
        found += [{"href": "#interviews", "label": "Interviews", "error": error} for error in self.interview_errors]
        for number, row in enumerate(self.rows, start=1):
            for name in row.fields:
                found += [
                    {"href": f"#{row[name].auto_id}", "label": f"Interview {number}, {row[name].label}", "error": e}
                    for e in row.errors.get(name, [])
                ]
        return found


@login_required
def loop_schedule(request: HttpRequest) -> HttpResponse:
    """A loop and its interviews in one form, every error beside its field at once; nothing typed is lost.

    Defaults (no script needed): an empty end is the start plus the row's length, an empty start the end of the
    interview before it; a `?position=` preselects a position and gives the rows its rubric's length.
    """
    if not is_recruiter(request.user):
        raise Http404("Only recruiters schedule loops.")
    initial = _schedule_initial(request)
    page = SchedulePage(request.POST if request.method == "POST" else None, initial)
    if request.method == "POST":
        loop = _schedule(request, page)
        if loop is not None:
            messages.success(request, "Loop scheduled.")
            return redirect(reverse("loop-debrief", kwargs={"loop_id": loop.pk}))
    context = {
        "form": page.form,
        "rows": page.rows,
        "interview_errors": page.interview_errors,
        "errors": page.summary() if request.method == "POST" else [],
    }
    return render(request, "debriefs/loop_schedule.html", context, status=400 if request.method == "POST" else 200)


def _posted_rows(data: Any) -> int:
    """How many interview rows the posted form had (a position with more rounds than INTERVIEW_ROWS has more)."""
    if not data:
        return 0
    numbers = [int(match[1]) for key in data if (match := re.match(r"^i(\d{1,2})-interviewer$", key))]
    return max(numbers) + 1 if numbers else 0


def _schedule_initial(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    published = list(Rubric.objects.filter(status=Rubric.Status.PUBLISHED).values_list("pk", flat=True)[:2])
    if len(published) == 1:
        initial["position_rubric"] = published[0]  # the only choice, chosen
    wanted = request.GET.get("position", "")
    position = (
        positions_with_lengths().filter(pk=int(wanted)).first() if wanted.isdigit() and len(wanted) < 18 else None
    )
    if position is not None:
        initial["position"] = position.pk
        initial["duration"] = default_duration([getattr(position, "phase_minutes", None) or 0])
        initial["rounds"] = list(position.rounds.select_related("rubric").order_by("order", "id"))
    return initial


def _schedule(request: HttpRequest, page: SchedulePage) -> Loop | None:
    """The loop, or None with every problem attached beside its field."""
    form_valid = page.form.is_valid()
    rows_valid = [row.is_valid() for row in page.rows]
    position = page.form.cleaned_data.get("position")
    minutes = default_duration([position.phase_minutes or 0]) if position is not None else DEFAULT_DURATION
    plan_rows = [index for index, row in enumerate(page.rows) if row.plan() is not None]
    plans = fill_times([plan for row in page.rows if (plan := row.plan(minutes)) is not None])
    if not (form_valid and all(rows_valid)):
        # Say the plan's own problems now too (a repeated interviewer, an end before its start), not on the next try.
        problems = plan_problems(plans, key=lambda user: user.pk) if plans or all(rows_valid) else []
        page.attach([problem.as_dict() for problem in problems], plan_rows)
        return None
    data = page.form.cleaned_data
    try:
        return services.loop_schedule_with_interviews(
            recruiter=request.user,
            candidate=data["candidate"],
            candidate_name=data["candidate_name"],
            candidate_email=data.get("candidate_email") or "",
            position=data["position"],
            position_title=data["position_title"],
            position_rubric=data["position_rubric"],
            debrief_at=data["debrief_at"],
            interviews=plans,
        )
    except DomainError as refused:
        named = refused.extra.get("errors") or [{"field": "", "detail": refused.detail, "code": refused.code}]
        page.attach(named, plan_rows)
        return None


# --- Planning an open loop from its debrief page ---------------------------------------------------------


class InterviewForm(forms.Form):
    interviewer = InterviewerChoiceField()
    scheduled_start = DateTimeField(widget=LOCAL_DATETIME, label="Start")
    scheduled_end = DateTimeField(widget=LOCAL_DATETIME, label="End")
    counts_toward_decision = forms.BooleanField(required=False, initial=True, label="Counts (not shadowing)")


class DebriefTimeForm(forms.Form):
    debrief_at = DateTimeField(required=False, widget=LOCAL_DATETIME, label="When (empty: no meeting)")


def _recruiters_loop(request: HttpRequest, loop_id: int) -> Loop:
    try:
        return loop_for_recruiter(request.user, loop_id)
    except NotFound:
        raise Http404("No such loop.") from None
    except Forbidden:
        raise PermissionDenied("Only recruiters can do this.") from None


@require_POST
@login_required
def loop_add_interview(request: HttpRequest, loop_id: int) -> HttpResponse:
    """Add an interviewer to the panel; a refusal re-renders the page with what was typed."""
    loop = _recruiters_loop(request, loop_id)
    form = InterviewForm(request.POST)
    if form.is_valid():
        try:
            services.interview_schedule(loop=loop, **form.cleaned_data)
        except DomainError as refused:
            return _render_debrief(request, loop_id, interview_form=form, error=refused.detail, status=400)
        messages.success(request, f"{form.cleaned_data['interviewer'].username} joins the panel.")
        return redirect("loop-debrief", loop_id=loop_id)
    return _render_debrief(request, loop_id, interview_form=form, status=400)


@require_POST
@login_required
def loop_debrief_time(request: HttpRequest, loop_id: int) -> HttpResponse:
    """Set, move or clear the debrief meeting (its reminder follows)."""
    loop = _recruiters_loop(request, loop_id)
    form = DebriefTimeForm(request.POST)
    if form.is_valid():
        try:
            services.loop_schedule_debrief(loop=loop, debrief_at=form.cleaned_data["debrief_at"])
        except DomainError as refused:
            return _render_debrief(request, loop_id, debrief_form=form, error=refused.detail, status=409)
        messages.success(request, "Debrief meeting updated.")
        return redirect("loop-debrief", loop_id=loop_id)
    return _render_debrief(request, loop_id, debrief_form=form, status=400)


# --- Rescheduling, reassigning and cancelling an interview from the debrief page -------------------------
# Each a small form per interview row that works without JavaScript; a refusal re-renders the page with the
# form as typed and the service's reason beside the field it is about (or above the form).


class RescheduleForm(forms.Form):
    scheduled_start = DateTimeField(widget=LOCAL_DATETIME, label="Start")
    scheduled_end = DateTimeField(widget=LOCAL_DATETIME, label="End")


def interviewer_usernames() -> list[str]:
    """Everyone who may interview, by username (one query, shared by every row's Change interviewer form)."""
    users = get_user_model().objects.filter(groups__name=INTERVIEWERS).order_by("username")
    return list(users.values_list("username", flat=True).distinct())


class ChangeInterviewerForm(forms.Form):
    interviewer = forms.ChoiceField(label="New interviewer")

    def __init__(self, *args: Any, usernames: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].choices = [("", "---------"), *((name, name) for name in usernames)]  # type: ignore[attr-defined]

    def clean_interviewer(self) -> Any:
        user = get_user_model().objects.filter(username=self.cleaned_data["interviewer"]).first()
        if user is None:
            raise forms.ValidationError("Pick an interviewer.", code="invalid_choice")
        return user


class CancelForm(forms.Form):
    reason = TextField(name="reason", label="Reason (the interviewer is told)")


class CancelRemainingForm(forms.Form):
    reason = TextField(name="reason", label="Reason", initial=services.NO_HIRE_CANCEL_REASON)


# Which field a service's refusal is about: shown beside it; anything else is shown above the form.
_REFUSAL_FIELDS = {
    "end_before_start": "scheduled_end",
    "not_an_interviewer": "interviewer",
    "already_on_panel": "interviewer",
    "reason_required": "reason",
}


def _state(loop: dict[str, Any], vote: dict[str, Any]) -> InterviewState:
    return InterviewState(
        loop_closed=loop["status"] == Loop.Status.CLOSED,
        cancelled=vote["cancelled"],
        ended=vote["ended_at"] is not None,
        scorecard_submitted=vote["scorecard_status"] == "submitted",
    )


def panel_forms(debrief: dict[str, Any], bound: dict[int, dict[str, forms.Form]]) -> list[dict[str, Any]]:
    """One entry per interview the recruiter can still change: its forms, bound where a refusal came back."""
    entries = []
    usernames: list[str] | None = None  # read once, and only if some row offers the form
    for vote in debrief["votes"]:
        state = _state(debrief["loop"], vote)
        mine = bound.get(vote["interview"], {})
        prefix = f"i{vote['interview']}"
        entry = {
            "vote": vote,
            "reschedule": None,
            "interviewer": None,
            "cancel": None,
            "open": bool(mine),
        }
        if interview_rules.change_refusal(state) is None:
            entry["reschedule"] = mine.get("reschedule") or RescheduleForm(
                prefix=prefix,
                initial={"scheduled_start": vote["scheduled_start"], "scheduled_end": vote["scheduled_end"]},
            )
            if "interviewer" in mine:
                entry["interviewer"] = mine["interviewer"]
            else:
                usernames = interviewer_usernames() if usernames is None else usernames
                entry["interviewer"] = ChangeInterviewerForm(prefix=prefix, usernames=usernames)
        if interview_rules.cancel_refusal(state) is None:
            entry["cancel"] = mine.get("cancel") or CancelForm(prefix=prefix)
        if entry["reschedule"] or entry["cancel"]:
            entries.append(entry)
    return entries


def _remaining_offer(debrief: dict[str, Any], form: CancelRemainingForm | None) -> dict[str, Any] | None:
    """After a No, the offer to cancel the interviews not yet held ("One No = No Hire")."""
    if debrief["decision"] != Decision.NO_HIRE:
        return None
    now = timezone.now()
    held_back = [
        vote
        for vote in debrief["votes"]
        if interview_rules.not_yet_held(
            cancelled=vote["cancelled"],
            ended=vote["ended_at"] is not None,
            scheduled_start=vote["scheduled_start"],
            now=now,
        )
    ]
    if not held_back:
        return None
    return {
        "count": len(held_back),
        "names": [vote["name"] for vote in held_back],
        "form": form or CancelRemainingForm(),
    }


def _loops_interview(request: HttpRequest, loop_id: int, interview_id: int) -> Interview:
    loop = _recruiters_loop(request, loop_id)
    interview = Interview.objects.filter(pk=interview_id, loop_id=loop.pk).first()
    if interview is None:
        raise Http404("No such interview in this loop.")
    return interview


def _interview_change(
    request: HttpRequest, loop_id: int, interview_id: int, *, kind: str, form_class: type[forms.Form], done: str
) -> HttpResponse:
    interview = _loops_interview(request, loop_id, interview_id)
    prefix = f"i{interview.pk}"
    form: forms.Form
    if form_class is ChangeInterviewerForm:
        form = ChangeInterviewerForm(request.POST, prefix=prefix, usernames=interviewer_usernames())
    else:
        form = form_class(request.POST, prefix=prefix)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "cancel":
                services.interview_cancel(interview=interview, reason=data["reason"], by=request.user)
            else:
                services.interview_update(interview=interview, **data)
        except DomainError as refused:
            field = _REFUSAL_FIELDS.get(refused.code)
            form.add_error(field if field in form.fields else None, refused.detail)
            status = refused.status
        else:
            messages.success(request, done)
            return redirect("loop-debrief", loop_id=loop_id)
    return _render_debrief(request, loop_id, bound={interview.pk: {kind: form}}, status=status)


@require_POST
@login_required
def interview_reschedule_page(request: HttpRequest, loop_id: int, interview_id: int) -> HttpResponse:
    """Move an interview; its interviewer is told."""
    return _interview_change(
        request, loop_id, interview_id, kind="reschedule", form_class=RescheduleForm,
        done="Interview moved. The interviewer is told by email.",
    )  # fmt: skip


@require_POST
@login_required
def interview_change_interviewer_page(request: HttpRequest, loop_id: int, interview_id: int) -> HttpResponse:
    """Give an interview to another interviewer; both are told."""
    return _interview_change(
        request, loop_id, interview_id, kind="interviewer", form_class=ChangeInterviewerForm,
        done="Interviewer changed. Both interviewers are told by email.",
    )  # fmt: skip


@require_POST
@login_required
def interview_cancel_page(request: HttpRequest, loop_id: int, interview_id: int) -> HttpResponse:
    """Cancel an interview with a reason: it stops counting; its interviewer is told."""
    return _interview_change(
        request, loop_id, interview_id, kind="cancel", form_class=CancelForm,
        done="Interview cancelled. The interviewer is told by email.",
    )  # fmt: skip


@require_POST
@login_required
def loop_cancel_remaining(request: HttpRequest, loop_id: int) -> HttpResponse:
    """Cancel, in one go, every interview not yet held (offered once the loop is decided No)."""
    loop = _recruiters_loop(request, loop_id)
    form = CancelRemainingForm(request.POST)
    if form.is_valid():
        try:
            cancelled = services.loop_cancel_remaining(loop=loop, reason=form.cleaned_data["reason"], by=request.user)
        except DomainError as refused:
            form.add_error(None, refused.detail)
            return _render_debrief(request, loop_id, remaining_form=form, status=refused.status)
        count = len(cancelled)
        messages.success(request, f"{count} interview{'s' if count != 1 else ''} cancelled; the interviewers are told.")
        return redirect("loop-debrief", loop_id=loop_id)
    return _render_debrief(request, loop_id, remaining_form=form, status=400)
