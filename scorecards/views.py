"""The interviewer's pages: my interviews, the kit, the five-minute note, the scorecard.

Plain forms that work without JavaScript; htmx only refreshes the vote ceiling and autosaves the draft.
Every write goes through the same services as the API. Only interviewers, and only on their own interviews
(anyone else's is 404).
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from interviewloop.errors import DomainError
from interviewloop.models import Interview
from interviewloop.roles import is_interviewer
from interviewloop.services import interview_end
from scorecards import rules, selectors, services
from scorecards.filters import InterviewFilter
from scorecards.forms import NoteForm, question_rows, scorecard_body_from_post, scorecard_rows
from scorecards.models import Note, Question, Scorecard
from scorecards.scorecard_input import stored_input
from scorecards.serializers import interview_note_status, scorecard_input, scorecard_status


def interviewer_required(view):
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_interviewer(request.user):
            raise PermissionDenied("Only interviewers have interviews to run.")
        return view(request, *args, **kwargs)

    return wrapper


def _own(request: HttpRequest, pk: int) -> Interview:
    interview = selectors.own_interview(user=request.user, interview_id=pk)
    if interview is None:
        raise Http404("No interview of yours has this id.")
    return interview


@require_GET
@interviewer_required
def my_interviews(request: HttpRequest) -> HttpResponse:
    """Notes due now (with their countdown), scorecards to finish, upcoming interviews, and what is done; filtered
    by the API's FilterSet (a bad value is said beside its field, and only the valid filters apply)."""
    notes_due, scorecards_due, upcoming, done = [], [], [], []
    filters = InterviewFilter(request.GET or None, queryset=selectors.interview_list(request.user))
    now = timezone.now()
    for row in selectors.rows_of(filters.qs):
        row["note_status"] = selectors.row_note_status(row, now=now)
        if row["note_status"] == "not_due":
            upcoming.append(row)
        elif row["note_submitted_at"] is None:
            notes_due.append(row)
        elif row["scorecard_status"] != Scorecard.Status.SUBMITTED:
            scorecards_due.append(row)
        else:
            done.append(row)
    done.reverse()  # most recent first
    return render(
        request,
        "scorecards/my_interviews.html",
        {
            "notes_due": notes_due,
            "scorecards_due": scorecards_due,
            "upcoming": upcoming,
            "done": done,
            "filters": filters.form,
            "filtered": filters.is_bound,
        },
    )


@require_GET
@interviewer_required
def interview_kit(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything to run the call: problem statement, phases with timers, the seven threads, red flags."""
    interview = _own(request, pk)
    rubric = selectors.rubric_with_parts(interview.rubric_id)
    return render(
        request,
        "scorecards/kit.html",
        {
            "interview": interview,
            "rubric": rubric,
            "questions": kit_questions(interview),
            "focus": focus_dimensions(rubric, interview.focus),
            "note_status": interview_note_status(interview),
            "scorecard_status": scorecard_status(interview),
        },
    )


def kit_questions(interview: Interview) -> list[Question]:
    """The interview's bank questions in the order it was given them (one query, none without questions)."""
    if not interview.questions:
        return []
    found = Question.objects.select_related("bank").in_bulk(interview.questions)
    return [found[pk] for pk in interview.questions if pk in found]


def focus_dimensions(rubric: Any, focus: list[str]) -> list[Any]:
    """The rubric's dimensions the interview has in focus (empty when it has none: all count alike)."""
    return [dimension for dimension in rubric.dimensions.all() if dimension.key in focus] if focus else []


@require_POST
@interviewer_required
def interview_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    """End the interview and go to the note. Before its scheduled start the page asks "end now?" first (a form
    of its own, so it works without JavaScript); ending itself is always allowed (DESIGN.md, Five-minute note)."""
    interview = _own(request, pk)
    before_start = interview.ended_at is None and timezone.now() < interview.scheduled_start
    if before_start and request.POST.get("confirm") != "yes":
        back = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return render(
            request,
            "scorecards/end_confirm.html",
            {"interview": interview, "back": back if back and safe else reverse("my-interviews")},
        )
    try:
        interview_end(interview=interview)
    except DomainError as refused:  # a cancelled interview
        messages.error(request, refused.detail)
        return redirect("my-interviews")
    messages.success(request, "Interview ended. Write the five-minute note now, while it is fresh.")
    return redirect("interview-note", pk=interview.pk)


@require_http_methods(["GET", "POST"])
@interviewer_required
def note(request: HttpRequest, pk: int) -> HttpResponse:
    """The five-minute note: written once, right after the call; a late one is accepted and marked late."""
    interview = _own(request, pk)
    written = Note.objects.filter(interview=interview).first()
    form = NoteForm(request.POST or None, rubric=interview.rubric)
    error = None
    if request.method == "POST" and written is None and form.is_valid():
        try:
            written = services.note_write(interview=interview, **form.cleaned_data)
        except DomainError as refusal:
            error = refusal.detail
        else:
            if written.on_time:
                messages.success(request, "Note saved, on time. Now the scorecard, while you remember the evidence.")
            else:
                messages.warning(request, "Note saved, after the five minutes: it is marked late.")
            return redirect("interview-scorecard", pk=interview.pk)
    elif request.method == "POST" and written is not None:
        error = "The five-minute note for this interview is already written; it is written once."
    return render(
        request,
        "scorecards/note.html",
        {
            "interview": interview,
            "form": form,
            "note": written,
            "error": error,
            "note_status": interview_note_status(interview),
            "ended": interview.has_ended(),
        },
    )


def _scorecard_context(
    interview: Interview, body: dict[str, Any], pinned: selectors.PinnedRubric, scorecard: Scorecard | None
) -> dict[str, Any]:
    try:
        data = scorecard_input(pinned=pinned, body=body, questions=interview.questions)
    except DomainError:
        ceiling, problems, scored, mean, weighted = None, [], False, None, None
    else:
        ceiling, problems = data.ceiling(pinned), data.problems(pinned)
        scored = any(entry.score is not None for entry in data.scores.values())
        mean, weighted = data.mean_score(pinned), data.weighted_score(pinned)
    note = getattr(interview, "note", None)
    return {
        "interview": interview,
        "rubric": pinned.rubric,
        "scorecard": scorecard,
        "status": "not_started" if scorecard is None else scorecard.status,
        "note": note,
        "rows": scorecard_rows(pinned, body),
        "question_rows": question_rows(kit_questions(interview), body),
        "focus": set(interview.focus),
        "ceiling": ceiling,
        "scored": scored,
        "mean_score": mean,
        "weighted_score": weighted,
        "weighted": pinned.weights_differ,
        "vote_choices": [(vote, rules.VOTE_LABELS[vote]) for vote in reversed(rules.VOTES)],
        "gut_choices": [(answer, rules.GUT_ANSWER_LABELS[answer]) for answer in rules.GUT_ANSWERS],
        "signal_choices": [(signal, signal.capitalize()) for signal in rules.SIGNALS],
        "problems": problems,
        "ceiling_label": rules.VOTE_LABELS[ceiling.max_allowed_vote] if ceiling else "",
        "vote_allowed": ceiling is None or not body.get("vote") or ceiling.allows(body["vote"]),
    }


def _with_refusal(context: dict[str, Any], refusal: dict[str, Any]) -> dict[str, Any]:
    """Put the refusal beside the fields it names, so the page shows each problem where it is fixed."""
    by_field = {problem["field"]: problem["message"] for problem in refusal.get("problems", [])}
    if "field" in refusal:
        by_field.setdefault(refusal["field"], refusal["detail"])
    for row in context["rows"]["dimensions"]:
        key = row["dimension"].key
        row["problem"] = (
            by_field.get(f"scores.{key}")
            or by_field.get(f"scores.{key}.evidence")
            or by_field.get(f"scores.{key}.score")
        )
    for row in context["rows"]["gut_check"]:
        row["problem"] = by_field.get(f"gut_check.{row['key']}")
    max_vote = refusal.get("max_allowed_vote")
    return {**context, "refusal": refusal, "refusal_max_label": rules.VOTE_LABELS.get(max_vote, "") if max_vote else ""}


@require_http_methods(["GET", "POST"])
@interviewer_required
def scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    """The scorecard: "Save draft" keeps what is typed; "Submit" saves it too, then submits, or says why not.

    Once submitted it is locked; "Amend" (with a reason) changes it through the same rules and keeps the old one.
    """
    interview = _own(request, pk)
    pinned = selectors.focused(selectors.pinned_rubric(interview.rubric), interview.focus)
    stored = selectors.scorecard_with_parts(interview)
    submitted = stored is not None and stored.status == Scorecard.Status.SUBMITTED
    action = request.POST.get("action", "")

    if request.method == "GET" or (submitted and action != "amend"):
        body = stored_input(stored).as_body(pinned)
        context = _scorecard_context(interview, body, pinned, stored)
        context["amending"] = submitted and request.GET.get("amend") == "1"
        if request.method == "POST":
            context = _with_refusal(
                context, {"detail": "This scorecard is already submitted and locked.", "code": "already_submitted"}
            )
        return render(request, "scorecards/scorecard.html", context)

    body = scorecard_body_from_post(pinned, request.POST)
    refusal: dict[str, Any] = {}
    try:
        data = scorecard_input(pinned=pinned, body=body, questions=interview.questions)
        if action == "amend":
            services.scorecard_amend(
                interview=interview, data=data, reason=request.POST.get("reason", ""), amended_by=request.user
            )
            messages.success(request, "Scorecard amended. The previous version and your reason are kept.")
            return redirect("interview-scorecard", pk=interview.pk)
        # Nothing typed is lost: the page keeps it as the draft first, then the submit judges the draft.
        services.scorecard_save_draft(interview=interview, data=data)
        if action == "submit":
            services.scorecard_submit(interview=interview)
            messages.success(request, "Scorecard submitted. Thank you: the loop's debrief is open to you now.")
            return redirect("my-interviews")
    except DomainError as error:
        refusal = error.as_dict()
    else:
        messages.success(request, f"Draft saved at {timezone.localtime():%H:%M}.")
        return redirect("interview-scorecard", pk=interview.pk)
    stored = selectors.scorecard_with_parts(interview)
    context = _with_refusal(_scorecard_context(interview, body, pinned, stored), refusal)
    context["amending"] = action == "amend"
    context["reason"] = request.POST.get("reason", "")
    return render(request, "scorecards/scorecard.html", context)


@require_POST
@interviewer_required
def scorecard_check(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the vote ceiling and its reasons for what the form holds now. Saves nothing."""
    interview = _own(request, pk)
    pinned = selectors.focused(selectors.pinned_rubric(interview.rubric), interview.focus)
    body = scorecard_body_from_post(pinned, request.POST)
    context = _scorecard_context(interview, body, pinned, None)
    return render(request, "scorecards/_ceiling.html", context)


@require_POST
@interviewer_required
def scorecard_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: keep the draft as typed, every few seconds. Answers a one-line status."""
    interview = _own(request, pk)
    pinned = selectors.pinned_rubric(interview.rubric)
    try:
        data = scorecard_input(
            pinned=pinned, body=scorecard_body_from_post(pinned, request.POST), questions=interview.questions
        )
        services.scorecard_save_draft(interview=interview, data=data)
    except DomainError as error:
        return render(request, "scorecards/_save_status.html", {"error": error.detail})
    return render(request, "scorecards/_save_status.html", {"saved_at": timezone.localtime()})
