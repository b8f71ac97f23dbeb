"""Admin for candidates, positions, loops and interviews, and the audit history: visible, never editable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from interviewloop.models import Interview, Loop
from scorecards.models import Note, Rubric, Scorecard
from tests.factories import CandidateFactory, InterviewFactory, LoopFactory, NoteFactory, make_rubric, make_scorecard

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def loop(rubric, recruiter, interviewer):
    loop = LoopFactory(recruiter=recruiter, candidate=CandidateFactory(name="Grace Hopper", email="grace@example.com"))
    interview = InterviewFactory(loop=loop, interviewer=interviewer, rubric=rubric, ended_at=timezone.now())
    NoteFactory(interview=interview)
    make_scorecard(interview, vote="yes")
    return loop


ADMIN_PAGES = [
    ("interviewloop", "candidate"),
    ("interviewloop", "position"),
    ("interviewloop", "loop"),
    ("interviewloop", "interview"),
    ("scorecards", "rubric"),
    ("scorecards", "note"),
    ("scorecards", "scorecard"),
]


def object_for(model: str, loop: Loop):
    interview = loop.interviews.get()
    return {
        "candidate": loop.candidate,
        "position": loop.position,
        "loop": loop,
        "interview": interview,
        "rubric": interview.rubric,
        "note": interview.note,
        "scorecard": interview.scorecard,
    }[model]


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "model"), ADMIN_PAGES)
def test_changelist_change_and_search_pages_render_for_staff(admin_client, loop, app, model):
    obj = object_for(model, loop)
    assert admin_client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{app}_{model}_changelist"), {"q": "Grace"}).status_code == 200
    assert admin_client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "model"), [p for p in ADMIN_PAGES if p[1] not in ("note", "scorecard")])
def test_add_pages_render_for_staff(admin_client, app, model):
    assert admin_client.get(reverse(f"admin:{app}_{model}_add")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["interviewer", "recruiter", "outsider"])
def test_admin_is_closed_to_non_staff(client, loop, user, request):
    client.force_login(request.getfixturevalue(user), backend=MODEL_BACKEND)
    response = client.get(reverse("admin:interviewloop_loop_change", args=[loop.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_loop_page_shows_interviews_inline_and_the_decision_read_only(admin_client, loop):
    page = admin_client.get(reverse("admin:interviewloop_loop_change", args=[loop.pk]))
    [interviews] = page.context["inline_admin_formsets"]
    assert interviews.formset.prefix == "interviews"
    assert len(interviews.formset.forms) == 1
    form_fields = set(page.context["adminform"].form.fields)
    assert {"decision", "outcome", "decision_reason"}.isdisjoint(form_fields)


@pytest.mark.django_db
def test_an_interview_added_in_the_loop_page_pins_the_positions_rubric(admin_client, loop, other_interviewer):
    existing = loop.interviews.get()
    start = timezone.now() + timedelta(days=1)
    data = {
        "candidate": str(loop.candidate_id),
        "position": str(loop.position_id),
        "recruiter": str(loop.recruiter_id),
        "status": "open",
        "interviews-TOTAL_FORMS": "2",
        "interviews-INITIAL_FORMS": "1",
        "interviews-MIN_NUM_FORMS": "0",
        "interviews-MAX_NUM_FORMS": "1000",
        "interviews-0-id": str(existing.pk),
        "interviews-0-loop": str(loop.pk),
        "interviews-0-interviewer": str(existing.interviewer_id),
        "interviews-0-scheduled_start_0": existing.scheduled_start.strftime("%Y-%m-%d"),
        "interviews-0-scheduled_start_1": existing.scheduled_start.strftime("%H:%M:%S"),
        "interviews-0-scheduled_end_0": existing.scheduled_end.strftime("%Y-%m-%d"),
        "interviews-0-scheduled_end_1": existing.scheduled_end.strftime("%H:%M:%S"),
        "interviews-0-counts_toward_decision": "on",
        "interviews-1-loop": str(loop.pk),
        "interviews-1-interviewer": str(other_interviewer.pk),
        "interviews-1-scheduled_start_0": start.strftime("%Y-%m-%d"),
        "interviews-1-scheduled_start_1": "10:00:00",
        "interviews-1-scheduled_end_0": start.strftime("%Y-%m-%d"),
        "interviews-1-scheduled_end_1": "11:00:00",
    }
    response = admin_client.post(reverse("admin:interviewloop_loop_change", args=[loop.pk]), data)
    assert response.status_code == 302, response.context["errors"]
    added = Interview.objects.get(loop=loop, interviewer=other_interviewer)
    assert added.rubric_id == loop.position.rubric_id
    assert added.counts_toward_decision is False  # unchecked box: a shadow


@pytest.mark.django_db
def test_position_and_interview_rubric_choices_are_published_versions_only(admin_client, rubric):
    make_rubric(status="draft", name="Draft rubric")
    for url in (reverse("admin:interviewloop_position_add"), reverse("admin:interviewloop_interview_add")):
        choices = admin_client.get(url).context["adminform"].form.fields["rubric"].queryset
        assert list(choices) == [rubric]


@pytest.mark.django_db
def test_erase_action_on_candidates(admin_client, loop):
    candidate = loop.candidate
    response = admin_client.post(
        reverse("admin:interviewloop_candidate_changelist"),
        {"action": "erase_personal_data", "_selected_action": [str(candidate.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    candidate.refresh_from_db()
    assert (candidate.name, candidate.email) == (f"Erased candidate #{candidate.pk}", "")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith(f"Erased candidate #{candidate.pk}: name, email and phone;")
    # and the erased candidate's page no longer offers the personal fields for editing
    page = admin_client.get(reverse("admin:interviewloop_candidate_change", args=[candidate.pk]))
    assert {"name", "email", "phone"}.isdisjoint(page.context["adminform"].form.fields)


# --- audit history ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rubric_history_shows_who_published_and_when(admin_client, admin):
    draft = make_rubric(status="draft")
    admin_client.post(
        reverse("admin:scorecards_rubric_changelist"), {"action": "publish", "_selected_action": [str(draft.pk)]}
    )
    latest = draft.history.latest()
    assert latest.status == "published"
    assert latest.history_user == admin

    page = admin_client.get(reverse("admin:scorecards_rubric_history", args=[draft.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "View history" in body  # not "Change history": nothing to revert here
    assert admin.username in body
    records = list(page.context["page_obj"].object_list)
    assert [r.status for r in records] == ["published", "draft"]
    assert all(r.history_date for r in records)


HISTORY_MODELS = [
    ("scorecards", "rubric"),
    ("interviewloop", "loop"),
    ("scorecards", "note"),
    ("scorecards", "scorecard"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "model"), HISTORY_MODELS)
def test_history_is_visible_and_never_editable(admin_client, loop, app, model):
    obj = object_for(model, loop)
    if model == "rubric":
        obj = make_rubric(status="draft", name="Editable draft")  # even a draft's past is not restorable
    obj.save()  # one more history row
    record = obj.history.earliest()
    history_url = reverse(f"admin:{app}_{model}_history", args=[obj.pk])
    version_url = reverse(f"admin:{app}_{model}_simple_history", args=[obj.pk, record.history_id])

    listing = admin_client.get(history_url)
    assert listing.status_code == 200
    assert listing.context["revert_disabled"] is True

    version = admin_client.get(version_url)
    assert version.status_code == 200
    assert version.context["revert_disabled"] is True
    assert version.context["has_change_permission"] is False
    assert "Revert" not in version.content.decode()

    before = obj.history.count()
    refused = admin_client.post(version_url, {"_change_history": "1"})
    assert refused.status_code == 403
    assert obj.history.count() == before


@pytest.mark.django_db
def test_scorecard_history_keeps_every_change_with_who(loop, interviewer):
    scorecard = loop.interviews.get().scorecard
    scorecard._history_user = interviewer  # what the request middleware sets in a real request
    scorecard.summary = "Changed my mind on the rollout answer."
    scorecard.save()
    summaries = list(scorecard.history.values_list("summary", "history_user__username"))
    assert summaries[0] == ("Changed my mind on the rollout answer.", "alice")
    assert len(summaries) == 2


def test_every_admin_of_a_model_with_history_shows_it_read_only():
    from django.contrib import admin

    from interviewloop.admin import ReadOnlyHistoryAdmin

    with_history = {model for model in admin.site._registry if hasattr(model, "history")}
    assert {Rubric, Loop, Note, Scorecard} <= with_history
    for model in with_history:
        assert isinstance(admin.site._registry[model], ReadOnlyHistoryAdmin), f"{model.__name__}: history is revertible"
    # The history tables themselves are never registered (they would be editable lists).
    assert not [m for m in admin.site._registry if m.__name__.startswith("Historical")]


@pytest.mark.django_db
def test_changes_through_the_api_are_kept_as_history_with_who_and_when(rubric, recruiter, interviewer, api_as):
    # given an ended interview of alice's on rita's loop
    loop = LoopFactory(recruiter=recruiter)
    interview = InterviewFactory(loop=loop, interviewer=interviewer, rubric=rubric, ended_at=timezone.now())
    alice, rita = api_as(interviewer), api_as(recruiter)
    # when alice writes her note and a draft scorecard, and rita records the outcome
    note = {"best_thing": "Users first.", "biggest_concern": "Rollout.", "vote": "no", "want_to_work_with": "no"}
    assert alice.put(f"/api/interviews/{interview.pk}/note/", note, format="json").status_code == 201
    draft = {"scores": {"systems_thinking": {"score": 2, "evidence": "Vague."}}, "vote": "no"}
    assert alice.put(f"/api/interviews/{interview.pk}/scorecard/", draft, format="json").status_code == 200
    assert rita.post(f"/api/loops/{loop.pk}/decision/", {"decision": "no_hire"}, format="json").status_code == 200
    # then each change is a history row naming who made it, and when
    note_history = Note.history.filter(interview_id=interview.pk)
    assert [(h.history_type, h.history_user) for h in note_history] == [("+", interviewer)]
    scorecard_history = Scorecard.history.filter(interview_id=interview.pk)
    assert scorecard_history.exists()
    assert {h.history_user for h in scorecard_history} == {interviewer}
    loop_history = list(Loop.history.filter(id=loop.pk).order_by("history_date"))
    assert (loop_history[-1].outcome, loop_history[-1].history_user) == ("no_hire", recruiter)
    assert all(h.history_date is not None for h in [*note_history, *scorecard_history, *loop_history])


@pytest.mark.django_db
def test_scorecard_history_page_shows_changes_to_scores_and_flags_with_who(admin_client, loop, interviewer):
    scorecard = loop.interviews.get().scorecard
    score = scorecard.scores.get(dimension__key="risk_management")
    score._history_user = interviewer
    score.score, score.evidence = 2, "Never mentioned rollback."
    score.save()

    page = admin_client.get(reverse("admin:scorecards_scorecard_history", args=[scorecard.pk]))

    assert page.status_code == 200
    scores = next(part for part in page.context["part_histories"] if part["key"] == "scores")
    latest = scores["rows"][0]
    assert (latest["item"], latest["value"], latest["history_user"]) == (
        "Risk Management", "2: Never mentioned rollback.", interviewer,
    )  # fmt: skip
    assert len(scores["rows"]) == 1  # the factory bulk-creates (no history); the change is the one row
    body = page.content.decode()
    assert 'id="history-scores"' in body and "Never mentioned rollback." in body and "alice" in body


# --- Outcome, status and counting move only through the services -------------------------------------------


def _loop_form(loop, *, status="open", counts=True):
    """The loop's change form as the admin posts it, with its one interview."""
    interview = loop.interviews.get()
    data = {
        "candidate": str(loop.candidate_id),
        "position": str(loop.position_id),
        "recruiter": str(loop.recruiter_id),
        "status": status,
        "outcome": "",
        "interviews-TOTAL_FORMS": "1",
        "interviews-INITIAL_FORMS": "1",
        "interviews-MIN_NUM_FORMS": "0",
        "interviews-MAX_NUM_FORMS": "1000",
        "interviews-0-id": str(interview.pk),
        "interviews-0-loop": str(loop.pk),
        "interviews-0-interviewer": str(interview.interviewer_id),
        "interviews-0-scheduled_start_0": interview.scheduled_start.strftime("%Y-%m-%d"),
        "interviews-0-scheduled_start_1": interview.scheduled_start.strftime("%H:%M:%S"),
        "interviews-0-scheduled_end_0": interview.scheduled_end.strftime("%Y-%m-%d"),
        "interviews-0-scheduled_end_1": interview.scheduled_end.strftime("%H:%M:%S"),
    }
    if counts:
        data["interviews-0-counts_toward_decision"] = "on"
    return data


@pytest.mark.django_db
def test_a_closed_loop_cannot_be_reopened_or_its_outcome_overwritten_in_admin(admin_client, loop, recruiter):
    from debriefs.services import loop_record_decision

    loop_record_decision(loop=loop, decision="no_hire", by=recruiter)
    page = admin_client.get(reverse("admin:interviewloop_loop_change", args=[loop.pk]))
    assert {"status", "outcome", "outcome_at", "outcome_by", "decision"}.isdisjoint(
        page.context["adminform"].form.fields
    )

    response = admin_client.post(reverse("admin:interviewloop_loop_change", args=[loop.pk]), _loop_form(loop))

    assert response.status_code == 302
    loop.refresh_from_db()
    assert (loop.status, loop.outcome, loop.outcome_by) == ("closed", "no_hire", recruiter)


@pytest.mark.django_db
def test_unticking_counts_in_the_loops_inline_recomputes_the_decision(admin_client, rubric, recruiter, interviewer):
    # given: one counting No, so the rule says no_hire
    loop = LoopFactory(recruiter=recruiter)
    interview = InterviewFactory(loop=loop, interviewer=interviewer, rubric=rubric, ended_at=timezone.now())
    make_scorecard(interview, vote="no")
    from debriefs.services import loop_recompute_decision

    loop_recompute_decision(loop=loop)
    assert Loop.objects.get(pk=loop.pk).decision == "no_hire"

    # when: the admin makes it a shadow's
    response = admin_client.post(
        reverse("admin:interviewloop_loop_change", args=[loop.pk]), _loop_form(loop, counts=False)
    )

    # then: it no longer counts, and the decision says so
    assert response.status_code == 302, response.context["errors"]
    interview.refresh_from_db()
    loop.refresh_from_db()
    assert interview.counts_toward_decision is False
    assert (loop.decision, loop.decision_reason) == (
        "pending",
        "No interview in this loop counts toward the decision yet.",
    )


@pytest.mark.django_db
def test_counting_is_read_only_on_an_interviews_admin_page_and_changes_through_the_action(
    admin_client, loop, recruiter
):
    interview = loop.interviews.get()
    page = admin_client.get(reverse("admin:interviewloop_interview_change", args=[interview.pk]))
    assert {"counts_toward_decision", "loop", "rubric", "ended_at"}.isdisjoint(page.context["adminform"].form.fields)
    assert Loop.objects.get(pk=loop.pk).decision == "pending"  # the fixture's Yes, not yet recomputed

    changelist = reverse("admin:interviewloop_interview_changelist")

    def act(action):
        response = admin_client.post(changelist, {"action": action, "_selected_action": [interview.pk]}, follow=True)
        return [str(m) for m in response.context["messages"]]

    assert act("stop_counting") == [f"{interview}: shadow, not counting."]
    assert Interview.objects.get(pk=interview.pk).counts_toward_decision is False
    assert act("count_toward_decision") == [f"{interview}: counts."]
    assert Interview.objects.get(pk=interview.pk).counts_toward_decision is True
    assert Loop.objects.get(pk=loop.pk).decision == "hire"  # recomputed: the Yes counts

    # once the outcome is recorded, who counts no longer changes
    from debriefs.services import loop_record_decision

    loop_record_decision(loop=loop, decision="hire", by=recruiter)
    assert act("stop_counting") == [
        f"{interview}: This loop is closed: its outcome is recorded, so who counts toward it no longer changes."
    ]
    assert Interview.objects.get(pk=interview.pk).counts_toward_decision is True


# --- A loop added or its debrief moved in admin goes through the services -------------------------------------


def _new_loop_form(candidate, position, recruiter, debrief_at):
    return {
        "candidate": str(candidate.pk),
        "position": str(position.pk),
        "recruiter": str(recruiter.pk),
        "debrief_at_0": debrief_at.strftime("%Y-%m-%d"),
        "debrief_at_1": debrief_at.strftime("%H:%M:%S"),
    }


def _meeting_reminders(loop_id):
    from debriefs.models import Reminder

    rows = Reminder.objects.filter(loop_id=loop_id, kind="debrief_meeting", cancelled_at__isnull=True)
    return sorted(rows.values_list("recipient__username", "due_at"))


@pytest.mark.django_db
def test_a_loop_added_in_admin_with_a_debrief_time_schedules_the_meeting_reminder(admin_client, rubric, recruiter):
    from tests.factories import PositionFactory

    debrief_at = (timezone.now() + timedelta(days=3)).replace(microsecond=0, second=0)
    data = _new_loop_form(CandidateFactory(), PositionFactory(rubric=rubric), recruiter, debrief_at)

    response = admin_client.post(reverse("admin:interviewloop_loop_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    loop = Loop.objects.get()
    assert [username for username, _ in _meeting_reminders(loop.pk)] == ["rita"]


@pytest.mark.django_db
def test_a_loop_for_an_erased_candidate_is_refused_in_admin(admin_client, rubric, recruiter, admin):
    from interviewloop.privacy import candidate_erase
    from tests.factories import PositionFactory

    candidate = CandidateFactory()
    candidate_erase(candidate=candidate, by=admin)
    data = _new_loop_form(candidate, PositionFactory(rubric=rubric), recruiter, timezone.now() + timedelta(days=3))

    response = admin_client.post(reverse("admin:interviewloop_loop_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "candidate": ["This candidate's personal data was erased: they cannot be interviewed again."]
    }
    assert not Loop.objects.exists()


@pytest.mark.django_db
def test_moving_the_debrief_in_admin_replaces_its_meeting_reminder(admin_client, rubric, recruiter):
    from interviewloop import services
    from tests.factories import PositionFactory

    first = (timezone.now() + timedelta(days=3)).replace(microsecond=0, second=0)
    loop = services.loop_create(
        candidate=CandidateFactory(), position=PositionFactory(rubric=rubric), recruiter=recruiter, debrief_at=first
    )
    [(_, due_before)] = _meeting_reminders(loop.pk)
    later = first + timedelta(days=1)
    data = _new_loop_form(loop.candidate, loop.position, recruiter, later) | {
        "interviews-TOTAL_FORMS": "0", "interviews-INITIAL_FORMS": "0",
        "interviews-MIN_NUM_FORMS": "0", "interviews-MAX_NUM_FORMS": "1000",
    }  # fmt: skip

    response = admin_client.post(reverse("admin:interviewloop_loop_change", args=[loop.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Loop.objects.get(pk=loop.pk).debrief_at == later
    assert _meeting_reminders(loop.pk) == [("rita", due_before + timedelta(days=1))]


@pytest.mark.django_db
def test_giving_a_loop_to_another_recruiter_in_admin_sends_them_its_meeting_reminder(admin_client, rubric, recruiter):
    from interviewloop import services
    from tests.factories import PositionFactory, UserFactory

    debrief_at = (timezone.now() + timedelta(days=3)).replace(microsecond=0, second=0)
    loop = services.loop_create(
        candidate=CandidateFactory(),
        position=PositionFactory(rubric=rubric),
        recruiter=recruiter,
        debrief_at=debrief_at,
    )
    [(_, due)] = _meeting_reminders(loop.pk)
    other = UserFactory(username="rosa", role="recruiter")
    data = _new_loop_form(loop.candidate, loop.position, other, debrief_at) | {
        "interviews-TOTAL_FORMS": "0", "interviews-INITIAL_FORMS": "0",
        "interviews-MIN_NUM_FORMS": "0", "interviews-MAX_NUM_FORMS": "1000",
    }  # fmt: skip

    response = admin_client.post(reverse("admin:interviewloop_loop_change", args=[loop.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Loop.objects.get(pk=loop.pk).recruiter == other
    assert _meeting_reminders(loop.pk) == [("rosa", due)]  # the old recruiter's is cancelled
