"""Erasing a candidate: personal data gone everywhere (history and admin log included), judgments kept, logged."""

from __future__ import annotations

import json
import logging

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone

from interviewloop.models import Candidate
from interviewloop.privacy import ERASED, candidate_erase
from scorecards.models import ScorecardAmendment, ThreadPulled
from tests.factories import CandidateFactory, InterviewFactory, LoopFactory, NoteFactory, make_scorecard

NAME = "Grace Hopper"
EMAIL = "grace.hopper@example.com"
PHONE = "+1 555 0100"


@pytest.fixture
def candidate(rubric, interviewer, other_interviewer, admin):
    """A candidate with a loop of two interviews, notes, scorecards (one amended), threads and admin-log entries."""
    candidate = CandidateFactory(name=NAME, email=EMAIL, phone=PHONE)
    loop = LoopFactory(candidate=candidate)
    for user, vote in ((interviewer, "yes"), (other_interviewer, "no")):
        interview = InterviewFactory(loop=loop, interviewer=user, rubric=rubric, ended_at=timezone.now())
        NoteFactory(interview=interview, best_thing=f"{NAME} asked who the users are.", biggest_concern="Rollout.")
        scorecard = make_scorecard(interview, vote=vote, red_flags=("buzzword_soup",) if vote == "no" else ())
        scorecard.summary = f"{NAME} would do well here."
        scorecard.save()  # a second history row carrying the text
        scorecard.scores.update(evidence=f"{NAME} drew the whole system.")
        ThreadPulled.objects.create(
            scorecard=scorecard, thread=rubric.threads.first(), signal="great", notes=f"{NAME}: metrics first."
        )
    amended = loop.interviews.get(interviewer=other_interviewer).scorecard
    ScorecardAmendment.objects.create(
        scorecard=amended,
        previous={
            "scores": {"systems_thinking": {"score": 2, "evidence": f"{NAME} hand-waved."}},
            "red_flags": [{"key": "buzzword_soup", "evidence": "Said 'synergy'."}],
            "threads": [{"key": "first_two_weeks", "signal": "bad", "notes": "Vague."}],
            "vote": "strong_no",
            "summary": f"{NAME}: no.",
        },
        previous_vote="strong_no",
        reason=f"Re-read my notes on {NAME}.",
        amended_by=other_interviewer,
        amended_at=timezone.now(),
    )
    for obj in (candidate, loop, *loop.interviews.all()):
        LogEntry.objects.log_actions(
            user_id=admin.pk, queryset=[obj], action_flag=ADDITION, change_message="[]", single_object=True
        )
    return candidate


def rows_mentioning(*needles: str) -> list[str]:
    """Every stored text (all models, history and admin log included) that still contains a needle."""
    found = []
    for model in apps.get_models():
        text_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not text_fields:
            continue
        for row in model._default_manager.values(*text_fields):
            for field, value in row.items():
                if value is not None and any(needle.lower() in str(value).lower() for needle in needles):
                    found.append(f"{model._meta.label}.{field}")
    return found


def judgments(candidate: Candidate) -> list[tuple]:
    """What calibration needs: per interview, the votes, scores, flags, signals and gut answers."""
    result = []
    for interview in candidate.loops.get().interviews.order_by("id"):
        scorecard = interview.scorecard
        result.append(
            (
                interview.interviewer.username,
                interview.note.vote,
                interview.note.want_to_work_with,
                scorecard.vote,
                scorecard.gut_check["work_with"],
                sorted((s.dimension.key, s.score) for s in scorecard.scores.all()),
                sorted(m.red_flag.key for m in scorecard.red_flags.all()),
                sorted((t.thread.key, t.signal) for t in scorecard.threads.all()),
                [
                    (a.previous_vote, a.previous["scores"]["systems_thinking"]["score"])
                    for a in scorecard.amendments.all()
                ],
            )
        )
    return result


@pytest.mark.django_db
def test_erase_removes_personal_data_everywhere_and_keeps_the_judgments(candidate, admin):
    assert rows_mentioning(NAME, EMAIL, PHONE)  # the fixture really did spread the name around
    kept = judgments(candidate)

    result = candidate_erase(candidate=candidate, by=admin)

    candidate.refresh_from_db()
    assert (candidate.name, candidate.email, candidate.phone) == (f"Erased candidate #{candidate.pk}", "", "")
    assert candidate.erased_at is not None
    assert rows_mentioning(NAME, EMAIL, PHONE, "Grace", "Hopper") == []
    assert judgments(candidate) == kept
    assert result.first_time is True
    assert result.fields_blanked > 0 and result.history_fields_blanked > 0


@pytest.mark.django_db
def test_erase_blanks_free_text_with_a_marker_and_leaves_empty_text_empty(candidate, admin):
    candidate_erase(candidate=candidate, by=admin)
    interview = candidate.loops.get().interviews.order_by("id").first()
    assert (interview.note.best_thing, interview.note.biggest_concern) == (ERASED, ERASED)
    assert interview.scorecard.summary == ERASED
    assert set(interview.scorecard.scores.values_list("evidence", flat=True)) == {ERASED}
    amendment = ScorecardAmendment.objects.get()
    assert amendment.reason == ERASED
    assert amendment.previous == {
        "scores": {"systems_thinking": {"score": 2, "evidence": ERASED}},
        "red_flags": [{"key": "buzzword_soup", "evidence": ERASED}],
        "threads": [{"key": "first_two_weeks", "signal": "bad", "notes": ERASED}],
        "vote": "strong_no",
        "summary": ERASED,
    }


@pytest.mark.django_db
def test_erase_is_recorded_who_and_when_without_the_data(candidate, admin, caplog):
    with caplog.at_level(logging.INFO, logger="interviewloop.privacy"):
        result = candidate_erase(candidate=candidate, by=admin)
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Candidate), object_id=str(candidate.pk)
    ).latest("action_time")
    assert entry.user == admin
    assert entry.object_repr == f"Erased candidate #{candidate.pk}"
    assert entry.get_change_message() == result.summary()
    [record] = [r for r in caplog.records if r.name == "interviewloop.privacy"]
    assert record.getMessage().startswith(f"candidate erased: #{candidate.pk} by ada (")
    assert NAME not in caplog.text and EMAIL not in caplog.text


@pytest.mark.django_db
def test_erase_twice_is_harmless_and_records_once(candidate, admin):
    first = candidate_erase(candidate=candidate, by=admin)
    candidate.refresh_from_db()
    erased_at = candidate.erased_at
    entries = LogEntry.objects.count()

    second = candidate_erase(candidate=candidate, by=admin)

    candidate.refresh_from_db()
    assert candidate.erased_at == erased_at
    assert (second.first_time, second.fields_blanked, second.history_fields_blanked) == (False, 0, 0)
    assert second.summary().startswith(f"Already erased; re-checked candidate #{candidate.pk}")
    assert LogEntry.objects.count() == entries
    assert first.first_time is True


@pytest.mark.django_db
def test_erase_touches_no_other_candidate(candidate, admin, rubric):
    other = CandidateFactory(name="Ada Lovelace", email="ada.l@example.com")
    interview = InterviewFactory(loop=LoopFactory(candidate=other), rubric=rubric, ended_at=timezone.now())
    NoteFactory(interview=interview, best_thing="Ada Lovelace was great.")
    candidate_erase(candidate=candidate, by=admin)
    other.refresh_from_db()
    interview.note.refresh_from_db()
    assert (other.name, other.email, other.erased_at) == ("Ada Lovelace", "ada.l@example.com", None)
    assert interview.note.best_thing == "Ada Lovelace was great."
    assert interview.note.history.get().best_thing == "Ada Lovelace was great."


@pytest.mark.django_db
def test_erase_candidate_command(candidate, admin, capsys):
    call_command("erase_candidate", str(candidate.pk), "--by", "ada")
    out = capsys.readouterr().out
    assert out.startswith(f"Erased candidate #{candidate.pk}: name, email and phone;")
    assert rows_mentioning(NAME, EMAIL) == []
    assert LogEntry.objects.filter(user=admin, object_repr=f"Erased candidate #{candidate.pk}", action_flag=2).exists()

    call_command("erase_candidate", str(candidate.pk))  # again, and without --by: harmless
    assert capsys.readouterr().out.startswith(f"Already erased; re-checked candidate #{candidate.pk}")


@pytest.mark.django_db
def test_erase_candidate_command_refuses_unknown_ids_and_users(candidate):
    with pytest.raises(CommandError, match="No candidate with id 999999"):
        call_command("erase_candidate", "999999")
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("erase_candidate", str(candidate.pk), "--by", "nobody")
    candidate.refresh_from_db()
    assert candidate.name == NAME


@pytest.mark.django_db
def test_erase_without_a_user_still_erases_and_logs(candidate, caplog):
    with caplog.at_level(logging.INFO, logger="interviewloop.privacy"):
        candidate_erase(candidate=candidate, by=None)
    candidate.refresh_from_db()
    assert candidate.erased_at is not None
    assert f"candidate erased: #{candidate.pk} by the command line" in caplog.text


@pytest.mark.django_db
def test_erase_takes_the_name_out_of_the_admin_log_messages_of_related_objects(candidate, admin, interviewer):
    # given admin-log entries that name the candidate beyond their own object's name: an interview added as
    # an inline of the loop (the message names it by str()), a note and a scorecard whose names carry the
    # candidate's (as a str() including it would), a message naming just "Grace", and a loop since deleted.
    loop = candidate.loops.get()
    interview = loop.interviews.get(interviewer=interviewer)
    added = [{"added": {"name": "interview", "object": str(interview)}}, {"changed": {"fields": ["Status"]}}]
    entries = [
        LogEntry.objects.log_actions(
            user_id=admin.pk, queryset=[loop], action_flag=CHANGE, change_message=added, single_object=True
        )
    ]
    for obj, message in (
        (interview.note, [{"changed": {"fields": ["Vote"], "name": f"note on {NAME}"}}]),
        (interview.scorecard, [{"deleted": {"name": "red flag", "object": "Grace: buzzwords"}}]),
    ):
        entry = LogEntry.objects.log_actions(
            user_id=admin.pk, queryset=[obj], action_flag=CHANGE, change_message=message, single_object=True
        )
        LogEntry.objects.filter(pk=entry.pk).update(object_repr=f"{obj} about {NAME}")
        entries.append(entry)
    gone = LogEntry.objects.log_actions(
        user_id=admin.pk, queryset=[loop], action_flag=DELETION, change_message="", single_object=True
    )
    LogEntry.objects.filter(pk=gone.pk).update(object_id="987654")
    stranger = LogEntry.objects.log_actions(
        user_id=admin.pk,
        queryset=[admin],
        action_flag=CHANGE,
        change_message=[{"changed": {"fields": ["Grace period"]}}],
        single_object=True,
    )
    assert {"admin.LogEntry.object_repr", "admin.LogEntry.change_message"} <= set(rows_mentioning(NAME))

    # when
    candidate_erase(candidate=candidate, by=admin)

    # then no entry names the candidate; the messages are still valid, their field names kept
    erased = f"Erased candidate #{candidate.pk}"
    assert rows_mentioning(NAME, EMAIL, PHONE, "Hopper") == []
    loop_entry, note_entry, scorecard_entry = (LogEntry.objects.get(pk=entry.pk) for entry in entries)
    assert loop_entry.object_repr == f"{erased} — {loop.position}"
    assert json.loads(loop_entry.change_message) == [
        {"added": {"name": "interview", "object": f"{erased} — {loop.position} with {interviewer}"}},
        {"changed": {"fields": ["Status"]}},
    ]
    assert note_entry.object_repr == f"{interview.note} about {erased}"
    assert json.loads(note_entry.change_message) == [{"changed": {"fields": ["Vote"], "name": f"note on {erased}"}}]
    assert json.loads(scorecard_entry.change_message) == [
        {"deleted": {"name": "red flag", "object": f"{erased}: buzzwords"}}
    ]
    assert LogEntry.objects.get(pk=gone.pk).object_repr == f"{erased} — {loop.position}"
    # ...and an entry about someone else keeps its words, even one the candidate's name shares.
    assert LogEntry.objects.get(pk=stranger.pk).get_change_message() == "Changed Grace period."
