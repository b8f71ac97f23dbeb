"""Rubric read serializers: a rubric version with everything an interviewer scores against."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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
