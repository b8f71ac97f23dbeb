"""What the debrief and the loops list say, in the API's words: the one source of both bodies and of their schema.

`debriefs.services.debrief_document_write` serializes each loop's document and list row with these when the loop
changes and stores the JSON; the API answers with it (plus the clock's parts, `documents.at_time`), and
drf-spectacular writes the OpenAPI schema from the same serializers.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from debriefs.aggregation import DECISIONS
from debriefs.documents import STAGES
from interviewloop.models import Decision, Loop
from scorecards.rules import NOTE_STATUSES, VOTES


class DebriefNamed(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(required=False)
    title = serializers.CharField(required=False)


class DebriefLoopSummary(serializers.Serializer):
    id = serializers.IntegerField()
    candidate = DebriefNamed()
    position = DebriefNamed()
    recruiter = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    debrief_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(choices=["hire", "no_hire"], allow_null=True)
    outcome_at = serializers.DateTimeField(allow_null=True)
    outcome_by = serializers.CharField(allow_null=True)


class DebriefNoteState(serializers.Serializer):
    status = serializers.ChoiceField(choices=NOTE_STATUSES)
    vote = serializers.ChoiceField(choices=VOTES, allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)


class DebriefVoteShift(serializers.Serializer):
    locals()["from"] = serializers.ChoiceField(choices=VOTES)  # a keyword in Python, a field name in the contract
    to = serializers.ChoiceField(choices=VOTES)
    steps = serializers.IntegerField(help_text="Scorecard vote minus note vote, in steps: negative moved down.")


class DebriefVote(serializers.Serializer):
    interview = serializers.IntegerField(help_text="The interview's id.")
    interviewer = serializers.CharField()
    name = serializers.CharField()
    counts_toward_decision = serializers.BooleanField()
    bar_raiser = serializers.BooleanField(help_text="The independent bar raiser (always counts).")
    rubric = serializers.IntegerField(help_text="The rubric version the interview pins.")
    focus = serializers.ListField(child=serializers.CharField(), help_text="Its focus dimension keys; empty: all.")
    scheduled_start = serializers.DateTimeField()
    scheduled_end = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    cancelled = serializers.BooleanField(help_text="Cancelled by the recruiter: shown, never counted or missing.")
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.CharField(allow_null=True)
    scorecard_status = serializers.ChoiceField(choices=["not_started", "draft", "submitted"])
    vote = serializers.ChoiceField(choices=VOTES, allow_null=True, help_text="Only once submitted.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    amended = serializers.BooleanField()
    amended_at = serializers.DateTimeField(allow_null=True)
    summary = serializers.CharField(allow_null=True)
    deciding = serializers.BooleanField(help_text="This counting No decided the no_hire.")
    note = DebriefNoteState()
    vote_shift = DebriefVoteShift(allow_null=True)
    mean_score = serializers.FloatField(allow_null=True, help_text="Submitted: the plain mean of its scores.")
    weighted_score = serializers.FloatField(
        allow_null=True, help_text="Submitted, where its rubric's weights differ: the weighted score; else null."
    )
    # Calibration (debriefs.calibration_selectors.with_leniency, at read time): over the interviewer's whole history.
    leniency = serializers.FloatField(
        allow_null=True,
        required=False,
        help_text="Their leniency over every loop they scored (null: nothing to compare with, or not submitted here).",
    )
    leniency_n = serializers.IntegerField(min_value=0, required=False, help_text="Scorecards behind `leniency`.")


class DebriefScore(serializers.Serializer):
    interviewer = serializers.CharField()
    score = serializers.IntegerField(min_value=1, max_value=5)
    evidence = serializers.CharField()
    counts_toward_decision = serializers.BooleanField()
    adjusted = serializers.FloatField(
        allow_null=True,
        required=False,
        help_text="The score less its interviewer's leniency, when their leniency_n is at least 5 (else null). "
        "Shown beside the score; the decision never reads it.",
    )


class DebriefDimension(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    critical = serializers.BooleanField()
    rubric = serializers.IntegerField(allow_null=True, help_text="The rubric it is grouped under (see `rubrics`).")
    scores = DebriefScore(many=True)
    mean = serializers.FloatField(allow_null=True, help_text="Over the scorecards that count.")
    min = serializers.IntegerField(allow_null=True, help_text="Over the scorecards that count.")


class DebriefRaised(serializers.Serializer):
    interviewer = serializers.CharField()
    evidence = serializers.CharField()
    counts_toward_decision = serializers.BooleanField()


class DebriefRedFlag(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    raised_by = DebriefRaised(many=True)


class DebriefPull(serializers.Serializer):
    interviewer = serializers.CharField()
    signal = serializers.ChoiceField(choices=["great", "okay", "bad"], allow_null=True)
    notes = serializers.CharField()


class DebriefThread(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    pulled = DebriefPull(many=True)


class DebriefNote(serializers.Serializer):
    interviewer = serializers.CharField()
    name = serializers.CharField()
    best_thing = serializers.CharField()
    biggest_concern = serializers.CharField()
    vote = serializers.ChoiceField(choices=VOTES)
    want_to_work_with = serializers.ChoiceField(choices=["yes", "no", "not_sure"])
    submitted_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=["on_time", "late"])


class DebriefMissing(serializers.Serializer):
    interviewer = serializers.CharField()
    name = serializers.CharField()
    counts_toward_decision = serializers.BooleanField()
    scorecard_status = serializers.ChoiceField(choices=["not_started", "draft"])
    scheduled_start = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    scorecard_due_at = serializers.DateTimeField(allow_null=True)
    overdue_seconds = serializers.IntegerField()


class DebriefRubric(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField(allow_blank=True)
    name = serializers.CharField()
    version = serializers.IntegerField()


class DebriefCoverageRow(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    rubric = serializers.IntegerField()
    focus = serializers.ListField(child=serializers.CharField(), help_text="Usernames that had it in focus.")
    scored = serializers.ListField(child=serializers.CharField(), help_text="Usernames whose submitted card scored it.")


class DebriefCoverage(serializers.Serializer):
    dimensions = DebriefCoverageRow(many=True)
    gaps = serializers.ListField(child=serializers.CharField(), help_text="Dimension keys nobody scored.")


class DebriefSerializer(serializers.Serializer):
    loop = DebriefLoopSummary()
    decision = serializers.ChoiceField(choices=DECISIONS)
    final = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    deciding = serializers.ListField(child=serializers.CharField(), help_text="Usernames whose No decided it.")
    decision_changed_at = serializers.DateTimeField(allow_null=True)
    hire_allowed = serializers.BooleanField()
    votes = DebriefVote(many=True)
    tally = serializers.DictField(child=serializers.IntegerField(), help_text="Counting submitted votes, per vote.")
    dimensions = DebriefDimension(many=True)
    rubrics = DebriefRubric(many=True, help_text="The rubric versions of the dimensions, in heat-map group order.")
    coverage = DebriefCoverage()
    red_flags = DebriefRedFlag(many=True)
    threads = DebriefThread(many=True)
    notes = DebriefNote(many=True)
    missing = DebriefMissing(many=True)


class LoopCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="candidate_id")
    name = serializers.CharField(source="candidate.name")


class LoopPositionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="position_id")
    title = serializers.CharField(source="position.title")


class LoopSerializer(serializers.ModelSerializer):
    """A loop row of the list: a Loop with its counts and `stage` set (`debriefs.services` writes it with the
    loop's debrief; `late_count` then holds the notes written late, and the ones now overdue are added when read)."""

    candidate = LoopCandidateSerializer(source="*", read_only=True)
    position = LoopPositionSerializer(source="*", read_only=True)
    recruiter = serializers.CharField(source="recruiter.username", read_only=True)
    decision_changed_at = serializers.DateTimeField(allow_null=True, read_only=True)
    outcome = serializers.SerializerMethodField()
    outcome_at = serializers.DateTimeField(allow_null=True, read_only=True)
    outcome_by = serializers.SerializerMethodField()
    debrief_at = serializers.DateTimeField(allow_null=True, read_only=True)
    stage = serializers.ChoiceField(choices=list(STAGES), read_only=True)
    interview_count = serializers.IntegerField(read_only=True)
    submitted_count = serializers.IntegerField(read_only=True)
    missing_count = serializers.IntegerField(read_only=True)
    late_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Loop
        fields = [
            "id", "candidate", "position", "recruiter", "status", "stage", "decision", "decision_reason",
            "decision_changed_at", "outcome", "outcome_at", "outcome_by", "debrief_at", "created_at",
            "interview_count", "submitted_count", "missing_count", "late_count",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Decision.choices, allow_null=True))
    def get_outcome(self, loop: Loop) -> str | None:
        return loop.outcome or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_outcome_by(self, loop: Loop) -> str | None:
        return loop.outcome_by.username if loop.outcome_by else None
