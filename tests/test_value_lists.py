"""The value lists that exist twice, once in a pure rule module (no Django) and once as the models' choices, stay one
list: the same values in the same order (lowest vote first), and the same labels where the rule has labels."""

from __future__ import annotations

from debriefs import aggregation, reminder_rules, slack_rules
from debriefs.models import Reminder
from interviewloop.models import Decision
from interviewloop.profiles import Profile
from scorecards import rules
from scorecards.models import GutAnswer, Signal, Vote


def test_the_votes_of_the_rules_are_the_models_votes_lowest_first_with_the_same_labels():
    assert tuple(Vote.values) == rules.VOTES
    assert dict(Vote.choices) == rules.VOTE_LABELS


def test_the_gut_check_answers_and_thread_signals_are_the_models():
    assert tuple(GutAnswer.values) == rules.GUT_ANSWERS
    assert dict(GutAnswer.choices) == rules.GUT_ANSWER_LABELS
    assert tuple(Signal.values) == rules.SIGNALS


def test_the_decisions_of_the_aggregation_are_the_loops_decisions():
    assert tuple(Decision.values) == aggregation.DECISIONS


def test_the_reminder_kinds_of_the_rules_are_the_outboxs_kinds():
    assert tuple(Reminder.Kind.values) == reminder_rules.KINDS


def test_the_channels_and_choices_of_the_slack_rules_are_the_models():
    assert tuple(Reminder.Channel.values) == slack_rules.CHANNELS
    field = Profile._meta.get_field("notify_by")
    assert dict(field.choices) == slack_rules.NOTIFY_LABELS
    assert tuple(value for value, _label in field.choices) == slack_rules.NOTIFY_CHOICES
    assert field.default == slack_rules.EMAIL
