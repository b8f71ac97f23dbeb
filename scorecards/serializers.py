"""Serializers: rubric versions (read-only), interview rows, the five-minute note and the scorecard body.

They check shape only; the services (scorecards.services) enforce the rules and raise the contract's errors.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from interviewloop.models import Interview
from scorecards import rules
from scorecards.models import Dimension, Phase, RedFlag, Rubric, Thread


class DimensionSerializer(serializers.ModelSerializer):
    anchors = serializers.SerializerMethodField()

    class Meta:
        model = Dimension
        fields = ["key", "name", "description", "anchors", "critical", "required", "weight", "order"]

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_anchors(self, dimension: Dimension) -> dict[str, str]:
        return {"5": dimension.anchor_5, "3": dimension.anchor_3, "1": dimension.anchor_1}


class RedFlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = RedFlag
        fields = ["key", "name", "sounds_like", "why_dangerous", "order"]


class ThreadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Thread
        fields = [
            "key", "title", "when_to_pull", "what_to_ask", "why_it_matters", "great_example", "great_signals",
            "okay_example", "bad_example", "follow_up", "order",
        ]  # fmt: skip


class PhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = ["name", "minutes_min", "minutes_max", "guidance", "order"]


class RubricSerializer(serializers.ModelSerializer):
    dimensions = DimensionSerializer(many=True, read_only=True)
    red_flags = RedFlagSerializer(many=True, read_only=True)
    threads = ThreadSerializer(many=True, read_only=True)
    phases = PhaseSerializer(many=True, read_only=True)
    thresholds = serializers.SerializerMethodField()

    class Meta:
        model = Rubric
        fields = [
            "id", "name", "version", "status", "role", "description", "problem_statement", "gut_check_questions",
            "note_questions", "thresholds", "dimensions", "red_flags", "threads", "phases", "published_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.DictField())
    def get_thresholds(self, rubric: Rubric) -> dict[str, object]:
        return {
            "red_flags_for_strong_no": rubric.red_flags_for_strong_no,
            "ones_fraction_for_strong_no": rubric.ones_fraction_for_strong_no,
            "yes_min_fraction_at_3": rubric.yes_min_fraction_at_3,
            "strong_yes_min_fraction_at_4": rubric.strong_yes_min_fraction_at_4,
            "strong_yes_critical_min": rubric.strong_yes_critical_min,
            "evidence_required_for_extremes": rubric.evidence_required_for_extremes,
        }


SCORECARD_STATUSES = ("not_started", "draft", "submitted")


def scorecard_status(interview: Interview) -> str:
    """`not_started` (no scorecard row yet), `draft` or `submitted`."""
    scorecard = getattr(interview, "scorecard", None)
    return "not_started" if scorecard is None else scorecard.status


def interview_note_status(interview: Interview) -> str:
    note = getattr(interview, "note", None)
    return rules.note_status(
        ended_at=interview.ended_at,
        note_due_at=interview.note_due_at,
        note_submitted_at=note.submitted_at if note is not None else None,
        now=timezone.now(),
    )


class InterviewSerializer(serializers.ModelSerializer):
    """An interview row of the contract. Needs `scorecards.selectors.interview_rows()` (one query for a list)."""

    candidate = serializers.CharField(source="loop.candidate.name", read_only=True)
    position = serializers.CharField(source="loop.position.title", read_only=True)
    interviewer = serializers.CharField(source="interviewer.username", read_only=True)
    note_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    note_status = serializers.SerializerMethodField()
    scorecard_status = serializers.SerializerMethodField()

    class Meta:
        model = Interview
        fields = [
            "id", "loop", "candidate", "position", "interviewer", "rubric", "scheduled_start", "scheduled_end",
            "ended_at", "note_due_at", "note_status", "scorecard_status", "counts_toward_decision",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=rules.NOTE_STATUSES))
    def get_note_status(self, interview: Interview) -> str:
        return interview_note_status(interview)

    @extend_schema_field(serializers.ChoiceField(choices=SCORECARD_STATUSES))
    def get_scorecard_status(self, interview: Interview) -> str:
        return scorecard_status(interview)
