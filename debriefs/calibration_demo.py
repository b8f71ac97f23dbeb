"""Demo history for the calibration page (`make run`, `manage.py seed_demo`): six closed loops from the past weeks in
which the demo interviewers score the same candidates differently: ivan leniently, igor harshly, iris in between.

Enough loops that each of them has `leniency_n` >= 5, so the page's leniency chart and the debrief's adjusted scores
have something true to show. Rows are written directly, as they stand after the fact (no reminders for the past),
and consistently with the rules: each vote is at most what `scorecards.rules.vote_ceiling` allows, and each loop's
decision is `debriefs.aggregation.decide` over its panel. Idempotent: a second run finds the history and stops.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from debriefs.aggregation import PanelVote, decide
from interviewloop.models import Candidate, Interview, Loop, Position
from scorecards.models import DimensionScore, Note, Scorecard
from scorecards.rules import VOTES, vote_ceiling
from scorecards.selectors import pinned_rubric

DEMO_CANDIDATE_EMAIL = "jordan.rivera@example.com"  # seed_demo's loop
HISTORY_EMAIL_DOMAIN = "history.example.com"
CANDIDATES = ["Avery Chen", "Morgan Diallo", "Sasha Ivanova", "Riley Okafor", "Jamie Novak", "Kai Lindqvist"]
# How far each demo interviewer's scores sit from the candidate's strength: ivan lenient, igor harsh.
LEAN = {"ivan": 0.9, "iris": 0.0, "igor": -0.9}


def seed_calibration_demo() -> int:
    """The history beside the demo loop (only where `seed_demo` made it, never in a database of real loops), unless
    it is there already. Returns how many loops were written."""
    demo = Loop.objects.filter(candidate__email=DEMO_CANDIDATE_EMAIL).select_related("position", "recruiter").first()
    if demo is None or Candidate.objects.filter(email__endswith=f"@{HISTORY_EMAIL_DOMAIN}").exists():
        return 0
    users = {user.username: user for user in get_user_model().objects.filter(username__in=LEAN)}
    if set(users) != set(LEAN):
        return 0
    with transaction.atomic():
        return _write(users=users, recruiter=demo.recruiter, position=demo.position)


def _wanted_vote(mean: float) -> str:
    return "strong_yes" if mean >= 4.3 else "yes" if mean >= 3.2 else "no" if mean >= 2.2 else "strong_no"


def _write(*, users: Mapping[str, Any], recruiter: Any, position: Position) -> int:
    rng = random.Random(20)
    parts = pinned_rubric(position.rubric)
    now = timezone.now()
    window = timedelta(minutes=settings.NOTE_WINDOW_MINUTES)
    for number, name in enumerate(CANDIDATES):
        day = (now - timedelta(days=40 - 6 * number)).replace(hour=9, minute=0, second=0, microsecond=0)
        strength = [3.6, 2.9, 3.4, 4.0, 3.1, 3.8][number]
        email = f"{name.lower().replace(' ', '.')}@{HISTORY_EMAIL_DOMAIN}"
        candidate = Candidate.objects.create(name=name, email=email)
        loop = Loop.objects.create(candidate=candidate, position=position, recruiter=recruiter)
        panel = []
        for slot, username in enumerate(LEAN):
            start = day + timedelta(hours=slot)
            ended = start + timedelta(minutes=58)
            interview = Interview.objects.create(
                loop=loop,
                interviewer=users[username],
                rubric=position.rubric,
                scheduled_start=start,
                scheduled_end=start + timedelta(hours=1),
                ended_at=ended,
            )
            scores = {
                key: min(5, max(1, round(strength + LEAN[username] + rng.uniform(-0.6, 0.6))))
                for key in parts.dimensions
            }
            gut = "yes" if strength + LEAN[username] >= 3.2 else "not_sure"
            ceiling = vote_ceiling(
                dimensions=parts.specs,
                scores=scores,
                red_flags=[],
                gut_check=dict.fromkeys(parts.gut_check_questions, gut),
                gut_check_questions=parts.gut_check_questions,
                thresholds=parts.thresholds,
            ).max_allowed_vote
            mean = sum(scores.values()) / len(scores)
            vote = VOTES[min(VOTES.index(_wanted_vote(mean)), VOTES.index(ceiling))]
            # a first impression that is sometimes kinder than the considered vote, and igor's notes often late
            note_vote = VOTES[min(3, VOTES.index(vote) + 1)] if rng.random() < 0.3 else vote
            late = username == "igor" and number % 2 == 0
            Note.objects.create(
                interview=interview,
                best_thing="Asked who the users are before proposing anything.",
                biggest_concern="Vague on rollout safety.",
                vote=note_vote,
                want_to_work_with=gut,
                due_at=ended + window,
                submitted_at=ended + (window + timedelta(minutes=25) if late else timedelta(minutes=3)),
            )
            scorecard = Scorecard.objects.create(
                interview=interview,
                status=Scorecard.Status.SUBMITTED,
                vote=vote,
                summary="Written for the calibration demo.",
                gut_check=dict.fromkeys(parts.gut_check_questions, gut),
                submitted_at=ended + timedelta(hours={"ivan": 2, "iris": 6, "igor": 20}[username]),
            )
            DimensionScore.objects.bulk_create(
                DimensionScore(scorecard=scorecard, dimension=parts.dimensions[key], score=score, evidence="Demo.")
                for key, score in scores.items()
            )
            panel.append(PanelVote(interviewer=username, counts_toward_decision=True, submitted=True, vote=vote))
        outcome = decide(panel)
        decided_at = day + timedelta(days=1)
        Loop.objects.filter(pk=loop.pk).update(
            decision=outcome.decision,
            decision_reason=" ".join(outcome.reasons),
            decision_changed_at=decided_at,
            status=Loop.Status.CLOSED,
            outcome=outcome.decision if outcome.decision != "pending" else "no_hire",
            outcome_at=decided_at + timedelta(days=1),
            outcome_by=recruiter,
        )
    return len(CANDIDATES)
