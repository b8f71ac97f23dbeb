"""Seed a realistic company for the benchmark, fast, once per scale.

Everything goes in with `bulk_create` in batches (no per-row signals, no history rows: the benchmark
measures reads and writes of today's data, not the audit trail of how it got there). The votes are
consistent with the rules: each scorecard's vote is at most what `scorecards.rules.vote_ceiling`
allows, and each loop's stored decision is `debriefs.aggregation.decide` over its panel.

A marker row in the table `bench_seed` (created here with plain SQL: the benchmark is not an app)
records the scale and the row counts, so a second run at the same scale skips straight to the load.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from debriefs.aggregation import PanelVote, decide
from debriefs.models import Reminder
from debriefs.services import debrief_documents_refresh
from interviewloop.models import Candidate, Interview, Loop, Position
from interviewloop.roles import INTERVIEWERS, RECRUITERS
from interviewloop.tokens import ApiToken, api_tokens_issue
from scorecards.models import (
    DimensionScore,
    Note,
    RedFlagMark,
    Rubric,
    Scorecard,
    ThreadPulled,
)
from scorecards.rules import VOTES, vote_ceiling
from scorecards.selectors import PinnedRubric, pinned_rubric

SEED_VERSION = 2
MARKER_TABLE = "bench_seed"
PASSWORD = "bench-password-not-secret"
BATCH = 5000
LOOPS_PER_CHUNK = 500
PANEL = 5

# Scale 1.0: the company of issue 7.
FULL = {"candidates": 5000, "loops": 5000, "interviewers": 200, "recruiters": 20}
POSITIONS = [
    "Senior Pam Core Engineer (LLM Reliability)",
    "Staff Platform Engineer",
    "Backend Engineer, Payments",
    "Site Reliability Engineer",
    "Engineering Manager, Core",
]
FIRST = [
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Nils",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
]
LAST = [
    "Okafor",
    "Nguyen",
    "Schmidt",
    "Haddad",
    "Rossi",
    "Tanaka",
    "Silva",
    "Kowalski",
    "Dubois",
    "Mensah",
    "Larsen",
    "Costa",
    "Ivanova",
    "Patel",
    "Moreau",
]
BEST = [
    "Asked who the users are before proposing anything.",
    "Named the failure modes of their own design unprompted.",
    "Proposed a staged rollout with a kill switch.",
    "Measured before optimising; knew their baseline.",
]
CONCERN = [
    "Vague on rollout safety.",
    "Jumped to a solution before defining the problem.",
    "Could not say how they would know it worked.",
    "Blamed the previous team for every incident.",
]


class NeedsReseed(RuntimeError):
    """The database holds a seed at another scale (or other data): it must be recreated first."""


@dataclass
class Company:
    """What the load scenarios need from the seeded database: ids, tokens, session keys."""

    recruiter_tokens: list[str] = field(default_factory=list)
    interviewer_tokens: dict[int, str] = field(default_factory=dict)  # user id -> token
    loop_ids: list[int] = field(default_factory=list)
    recruiter_sessions: list[str] = field(default_factory=list)
    submit_pool: list[tuple[str, int]] = field(default_factory=list)  # (token, interview id)
    dimension_keys: list[str] = field(default_factory=list)
    red_flag_keys: list[str] = field(default_factory=list)
    thread_keys: list[str] = field(default_factory=list)


def counts_for(scale: float) -> dict[str, int]:
    return {name: max(PANEL if name == "interviewers" else 1, round(value * scale)) for name, value in FULL.items()}


# --- the marker -----------------------------------------------------------------------------------


def _ensure_marker_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
            "(name varchar(20) PRIMARY KEY, scale varchar(20) NOT NULL, version integer NOT NULL, "
            "seeded_at varchar(40) NOT NULL, seconds real NOT NULL)"
        )


def seeded_marker() -> dict[str, Any] | None:
    _ensure_marker_table()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT scale, version, seeded_at, seconds FROM {MARKER_TABLE} WHERE name = 'company'")
        row = cursor.fetchone()
    if row is None:
        return None
    return {"scale": row[0], "version": row[1], "seeded_at": row[2], "seconds": row[3]}


def _write_marker(scale: float, seconds: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MARKER_TABLE} WHERE name = 'company'")
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (name, scale, version, seeded_at, seconds) VALUES ('company', %s, %s, %s, %s)",
            [_scale_label(scale), SEED_VERSION, timezone.now().isoformat(), seconds],
        )


def _scale_label(scale: float) -> str:
    return f"{scale:g}"


# --- seeding ----------------------------------------------------------------------------------------


def seed(*, scale: float, log: Callable[[str], None] = print, rng: random.Random | None = None) -> dict[str, Any]:
    """Seed the company at `scale` unless it is there already. Returns what was done and the row counts.

    Raises NeedsReseed when the database holds another scale, an older seed, or loops that the
    benchmark did not write: the caller recreates the database (it never deletes data itself).
    """
    marker = seeded_marker()
    if marker is not None:
        if marker["scale"] == _scale_label(scale) and marker["version"] == SEED_VERSION:
            log(f"seed: already seeded at scale {marker['scale']} on {marker['seeded_at']}; skipping (--reseed forces)")
            return {"skipped": True, "scale": scale, "seconds": 0.0, "rows": row_counts()}
        raise NeedsReseed(
            f"the database was seeded at scale {marker['scale']} (seed v{marker['version']}); "
            f"scale {_scale_label(scale)} needs a fresh database"
        )
    if Loop.objects.exists():
        raise NeedsReseed("the database holds loops that the benchmark did not seed")
    rng = rng or random.Random(7)
    started = time.monotonic()
    rubric = _published_rubric()
    sizes = counts_for(scale)
    log(
        f"seed: scale {_scale_label(scale)}: {sizes['candidates']} candidates, {sizes['loops']} loops of {PANEL}, "
        f"{sizes['interviewers']} interviewers, {sizes['recruiters']} recruiters"
    )
    with transaction.atomic():
        recruiters, interviewers = _seed_users(sizes, log)
    positions = [Position.objects.get_or_create(title=title, defaults={"rubric": rubric})[0] for title in POSITIONS]
    candidates = _seed_candidates(sizes["candidates"], rng)
    log(f"seed: users and {len(candidates)} candidates in {time.monotonic() - started:.1f}s")
    parts = pinned_rubric(rubric)  # the rubric's parts and rule inputs, as the scorecard services read them
    now = timezone.now()
    loops_total = sizes["loops"]
    for first in range(0, loops_total, LOOPS_PER_CHUNK):
        count = min(LOOPS_PER_CHUNK, loops_total - first)
        with transaction.atomic():
            _seed_loops(
                rng=rng,
                now=now,
                rubric=rubric,
                parts=parts,
                candidates=[candidates[(first + i) % len(candidates)] for i in range(count)],
                positions=positions,
                recruiters=recruiters,
                interviewers=interviewers,
                first_index=first,
                loops_total=loops_total,
            )
        log(f"seed: {first + count}/{loops_total} loops in {time.monotonic() - started:.1f}s")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    seconds = time.monotonic() - started
    _write_marker(scale, seconds)
    rows = row_counts()
    log(f"seed: done in {seconds:.1f}s: " + ", ".join(f"{k} {v}" for k, v in rows.items()))
    return {"skipped": False, "scale": scale, "seconds": round(seconds, 1), "rows": rows}


def row_counts() -> dict[str, int]:
    return {
        "candidates": Candidate.objects.count(),
        "loops": Loop.objects.count(),
        "interviews": Interview.objects.count(),
        "submitted_scorecards": Scorecard.objects.filter(status=Scorecard.Status.SUBMITTED).count(),
        "dimension_scores": DimensionScore.objects.count(),
        "red_flag_marks": RedFlagMark.objects.count(),
        "threads_pulled": ThreadPulled.objects.count(),
        "notes": Note.objects.count(),
        "late_notes": Note.objects.filter(submitted_at__gt=F("due_at")).count(),
        "reminders": Reminder.objects.count(),
        "interviewers": get_user_model().objects.filter(groups__name=INTERVIEWERS).count(),
        "recruiters": get_user_model().objects.filter(groups__name=RECRUITERS).count(),
    }


def _published_rubric() -> Rubric:
    rubric = Rubric.objects.filter(status=Rubric.Status.PUBLISHED).order_by("name", "-version").first()
    if rubric is None:
        raise RuntimeError("no published rubric: run `manage.py seed_rubric` first")
    return rubric


def _seed_users(sizes: dict[str, int], log: Callable[[str], None]) -> tuple[list[Any], list[Any]]:
    User = get_user_model()
    password = make_password(PASSWORD)  # hashed once: hashing 220 passwords would take a minute
    names = [(f"recruiter{n:02d}", RECRUITERS) for n in range(1, sizes["recruiters"] + 1)]
    names += [(f"interviewer{n:03d}", INTERVIEWERS) for n in range(1, sizes["interviewers"] + 1)]
    users = User.objects.bulk_create(
        [
            User(
                username=username,
                email=f"{username}@bench.example.com",
                first_name=username.rstrip("0123456789").capitalize(),
                last_name=username[-3:],
                password=password,
            )
            for username, _group in names
        ],
        batch_size=BATCH,
    )
    groups = {group.name: group for group in Group.objects.filter(name__in=[RECRUITERS, INTERVIEWERS])}
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [
            Membership(user_id=user.pk, group_id=groups[group].pk)
            for user, (_name, group) in zip(users, names, strict=True)
        ]
    )
    recruiters = [user for user, (_name, group) in zip(users, names, strict=True) if group == RECRUITERS]
    interviewers = [user for user, (_name, group) in zip(users, names, strict=True) if group == INTERVIEWERS]
    return recruiters, interviewers


def _seed_candidates(count: int, rng: random.Random) -> list[Candidate]:
    rows = []
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append(
            Candidate(name=f"{first} {last}", email=f"{first.lower()}.{last.lower()}.{n}@candidates.example.com")
        )
    return Candidate.objects.bulk_create(rows, batch_size=BATCH)


@dataclass
class _Card:
    scores: dict[str, int]
    red_flags: list[str]
    gut: str
    vote: str
    note_vote: str
    note_late: bool


def _plan_card(rng: random.Random, parts: PinnedRubric, strength: float) -> _Card:
    scores = {key: min(5, max(1, round(rng.gauss(strength, 0.9)))) for key in parts.dimensions}
    roll = rng.random()
    red_flags = (
        rng.sample(list(parts.red_flags), 2 if roll < 0.03 else 1)
        if roll < 0.15 + max(0.0, 2.5 - strength) * 0.2
        else []
    )
    gut = "yes" if strength + rng.gauss(0, 0.6) >= 3.2 else rng.choice(["no", "not_sure"])
    ceiling = vote_ceiling(
        dimensions=parts.specs,
        scores=scores,
        red_flags=red_flags,
        gut_check=dict.fromkeys(parts.gut_check_questions, gut),
        gut_check_questions=parts.gut_check_questions,
        thresholds=parts.thresholds,
    ).max_allowed_vote
    wanted = "strong_yes" if strength >= 4.3 else "yes" if strength >= 3.2 else "no" if strength >= 2.2 else "strong_no"
    vote = VOTES[min(VOTES.index(wanted), VOTES.index(ceiling))]
    # The first impression sometimes differs from the considered vote: the debrief shows the shift.
    shift = rng.random()
    note_vote = vote if shift > 0.2 else VOTES[max(0, min(3, VOTES.index(vote) + (1 if shift < 0.1 else -1)))]
    return _Card(scores, red_flags, gut, vote, note_vote, note_late=rng.random() < 0.1)


def _seed_loops(
    *,
    rng: random.Random,
    now: datetime,
    rubric: Rubric,
    parts: PinnedRubric,
    candidates: Sequence[Candidate],
    positions: Sequence[Position],
    recruiters: Sequence[Any],
    interviewers: Sequence[Any],
    first_index: int,
    loops_total: int,
) -> None:
    window = timedelta(minutes=settings.NOTE_WINDOW_MINUTES)
    plans = []
    for offset, candidate in enumerate(candidates):
        index = first_index + offset
        # Loops spread over the 180 days before the last two, oldest first, so that everything a loop did
        # (interviews, notes, scorecards a day later, the decision) is in the past. Five distinct interviewers.
        day = now - timedelta(days=2 + 178 * (loops_total - index) / loops_total)
        strength = min(4.9, max(1.2, rng.gauss(3.2, 0.9)))
        panel = rng.sample(list(interviewers), PANEL)
        cards = [_plan_card(rng, parts, strength) for _ in panel]
        plans.append((candidate, day, panel, cards))

    loops = Loop.objects.bulk_create(
        [
            _loop_row(candidate, rng.choice(positions), rng.choice(recruiters), day, panel, cards, now)
            for candidate, day, panel, cards in plans
        ],
        batch_size=BATCH,
    )
    interview_rows = []
    for loop, (_candidate, day, panel, _cards) in zip(loops, plans, strict=True):
        for slot, interviewer in enumerate(panel):
            start = day.replace(minute=0, second=0, microsecond=0) + timedelta(hours=slot)
            interview_rows.append(
                Interview(
                    loop=loop,
                    interviewer=interviewer,
                    rubric=rubric,
                    scheduled_start=start,
                    scheduled_end=start + timedelta(minutes=60),
                    ended_at=start + timedelta(minutes=58 + rng.randint(0, 4)),
                )
            )
    interviews = Interview.objects.bulk_create(interview_rows, batch_size=BATCH)
    cards = [card for _c, _d, _p, loop_cards in plans for card in loop_cards]

    notes, scorecards, reminders = [], [], []
    for interview, card in zip(interviews, cards, strict=True):
        ended = interview.ended_at
        assert ended is not None
        due = ended + window
        written = (
            due + timedelta(minutes=rng.randint(1, 180))
            if card.note_late
            else ended + timedelta(minutes=rng.randint(1, 4))
        )
        notes.append(
            Note(
                interview=interview,
                best_thing=rng.choice(BEST),
                biggest_concern=rng.choice(CONCERN),
                vote=card.note_vote,
                want_to_work_with=card.gut,
                submitted_at=written,
                due_at=due,
            )
        )
        scorecards.append(
            Scorecard(
                interview=interview,
                status=Scorecard.Status.SUBMITTED,
                vote=card.vote,
                summary=f"{rng.choice(BEST)} {rng.choice(CONCERN)}",
                gut_check=dict.fromkeys(parts.gut_check_questions, card.gut),
                submitted_at=ended + timedelta(hours=rng.randint(1, 20)),
            )
        )
        recipient_id = interview.interviewer_id
        reminders.append(_sent(Reminder.Kind.NOTE_NOW, interview, recipient_id, ended))
        overdue = _sent(Reminder.Kind.NOTE_OVERDUE, interview, recipient_id, due)
        if not card.note_late:
            overdue.sent_at, overdue.cancelled_at, overdue.cancel_reason = None, written, "The note was written."
        reminders.append(overdue)
    Note.objects.bulk_create(notes, batch_size=BATCH)
    scorecards = Scorecard.objects.bulk_create(scorecards, batch_size=BATCH)

    dimensions, flags = parts.dimensions, parts.red_flags
    score_rows, flag_rows, thread_rows = [], [], []
    for scorecard, card in zip(scorecards, cards, strict=True):
        for key, score in card.scores.items():
            evidence = f"Score {score}: {rng.choice(BEST) if score >= 3 else rng.choice(CONCERN)}"
            score_rows.append(
                DimensionScore(scorecard=scorecard, dimension=dimensions[key], score=score, evidence=evidence)
            )
        for key in card.red_flags:
            flag_rows.append(RedFlagMark(scorecard=scorecard, red_flag=flags[key], evidence=f"Heard it: {key}."))
        for thread in rng.sample(list(parts.threads.values()), rng.randint(2, 4)):
            signal = rng.choice(["great", "okay", "okay", "bad"])
            thread_rows.append(
                ThreadPulled(scorecard=scorecard, thread=thread, signal=signal, notes=f"{signal} answer.")
            )
    DimensionScore.objects.bulk_create(score_rows, batch_size=BATCH)
    RedFlagMark.objects.bulk_create(flag_rows, batch_size=BATCH)
    ThreadPulled.objects.bulk_create(thread_rows, batch_size=BATCH)

    for loop, (_candidate, day, _panel, _cards) in zip(loops, plans, strict=True):
        if loop.decision != "pending":
            reminders.append(
                _sent(Reminder.Kind.DEBRIEF_READY, None, loop.recruiter_id, day + timedelta(hours=24), loop=loop)
            )
        if loop.debrief_at is not None and loop.debrief_at > now:
            # Meetings still to come: pending rows that are not due, which the empty sweep must skip cheaply.
            at = loop.debrief_at - timedelta(minutes=settings.DEBRIEF_MEETING_LEAD_MINUTES)
            reminders.append(
                Reminder(
                    kind=Reminder.Kind.DEBRIEF_MEETING,
                    loop=loop,
                    recipient_id=loop.recruiter_id,
                    due_at=at,
                    next_attempt_at=at,
                )
            )
    Reminder.objects.bulk_create(reminders, batch_size=BATCH)


def _loop_row(candidate, position, recruiter, day, panel, cards, now) -> Loop:
    outcome = decide(
        [
            PanelVote(interviewer=user.username, counts_toward_decision=True, submitted=True, vote=card.vote)
            for user, card in zip(panel, cards, strict=True)
        ]
    )
    debrief_at = day + timedelta(days=3)  # the last day's loops meet in the future: pending, not due
    return Loop(
        candidate=candidate,
        position=position,
        recruiter=recruiter,
        debrief_at=debrief_at,
        decision=outcome.decision,
        decision_reason=" ".join(outcome.reasons),
        decision_changed_at=day + timedelta(hours=24),
        status=Loop.Status.CLOSED if debrief_at < now - timedelta(days=7) else Loop.Status.OPEN,
        outcome=outcome.decision if debrief_at < now - timedelta(days=7) and outcome.decision != "pending" else "",
        outcome_at=debrief_at if debrief_at < now - timedelta(days=7) else None,
        outcome_by=recruiter if debrief_at < now - timedelta(days=7) else None,
    )


def _sent(
    kind: str, interview: Interview | None, recipient_id: int, due: datetime, *, loop: Loop | None = None
) -> Reminder:
    return Reminder(
        kind=kind,
        interview=interview,
        loop=loop if loop is not None else interview.loop,  # type: ignore[union-attr]
        recipient_id=recipient_id,
        due_at=due,
        next_attempt_at=due,
        sent_at=due + timedelta(seconds=3),
        attempts=1,
    )


# --- per run: what the load needs ----------------------------------------------------------------


def fresh_interviews():
    """Ended interviews with a note and no scorecard: what the submit scenario scores."""
    return Interview.objects.filter(ended_at__isnull=False, note__isnull=False, scorecard__isnull=True)


def ended_panels(
    candidates: list[Candidate],
    *,
    rng: random.Random,
    rubric: Rubric,
    positions: list[Position],
    recruiters: list[Any],
    interviewers: list[Any],
    ended_at: datetime,
    debrief_at: datetime | None = None,
) -> list[Interview]:
    """A new loop for each candidate with PANEL one-hour interviews, all ended at `ended_at` (pools for the
    submit scenario and the dispatcher)."""
    loops = Loop.objects.bulk_create(
        [
            Loop(
                candidate=candidate,
                position=rng.choice(positions),
                recruiter=rng.choice(recruiters),
                debrief_at=debrief_at,
            )
            for candidate in candidates
        ],
        batch_size=BATCH,
    )
    return Interview.objects.bulk_create(
        [
            Interview(
                loop=loop,
                interviewer=interviewer,
                rubric=rubric,
                scheduled_start=ended_at - timedelta(minutes=60),
                scheduled_end=ended_at,
                ended_at=ended_at,
            )
            for loop in loops
            for interviewer in rng.sample(interviewers, PANEL)
        ],
        batch_size=BATCH,
    )


def top_up_submit_pool(*, wanted: int, rng: random.Random | None = None, now: datetime | None = None) -> int:
    """Make at least `wanted` fresh interviews (ended ten minutes ago, note written, nothing scored).

    They sit in new loops of five, like the rest; submitted ones stay, as they would in production.
    Returns how many were created.
    """
    rng = rng or random.Random()
    have = fresh_interviews().count()
    missing = max(0, wanted - have)
    if not missing:
        return 0
    now = now or timezone.now()
    rubric = _published_rubric()
    User = get_user_model()
    interviewers = list(User.objects.filter(groups__name=INTERVIEWERS).order_by("id"))
    recruiters = list(User.objects.filter(groups__name=RECRUITERS).order_by("id"))
    positions = list(Position.objects.filter(rubric=rubric)) or [
        Position.objects.create(title=POSITIONS[0], rubric=rubric)
    ]
    loops_needed = -(-missing // PANEL)
    window = timedelta(minutes=settings.NOTE_WINDOW_MINUTES)
    with transaction.atomic():
        candidates = _seed_candidates(loops_needed, rng)
        interviews = ended_panels(
            candidates, rng=rng, rubric=rubric, positions=positions, recruiters=recruiters,
            interviewers=interviewers, ended_at=now - timedelta(minutes=10),
        )  # fmt: skip
        Note.objects.bulk_create(
            [
                Note(
                    interview=interview,
                    best_thing=rng.choice(BEST),
                    biggest_concern=rng.choice(CONCERN),
                    vote="yes",
                    want_to_work_with="yes",
                    submitted_at=interview.ended_at + timedelta(minutes=2),  # type: ignore[operator]
                    due_at=interview.ended_at + window,  # type: ignore[operator]
                )
                for interview in interviews
            ],
            batch_size=BATCH,
        )
    store_debriefs({interview.loop_id for interview in interviews})
    return len(interviews)


def store_debriefs(loop_ids: set[int], *, batch: int = 200) -> None:
    """Write the stored debriefs of loops made here straight in the database, as the services would have: without
    them the loops list (whose first page is the newest loops, these) would build each row on every read."""
    ordered = sorted(loop_ids)
    for start in range(0, len(ordered), batch):
        debrief_documents_refresh(loop_ids=ordered[start : start + batch])


def company(*, submit_pool: int, sessions: int = 20) -> Company:
    """Tokens, loop ids, fresh session keys for recruiters, and the submit pool (topped up to `submit_pool`)."""
    User = get_user_model()
    top_up_submit_pool(wanted=submit_pool)
    rubric = _published_rubric()
    recruiters = list(User.objects.filter(groups__name=RECRUITERS).order_by("id"))
    interviewers = list(User.objects.filter(groups__name=INTERVIEWERS).order_by("id"))
    interviewer_ids = [user.pk for user in interviewers]
    # Tokens are stored hashed: each run issues fresh ones (expiring as any other) and drops the last run's.
    ApiToken.objects.filter(user__in=[*recruiters, *interviewers]).delete()
    tokens = api_tokens_issue(users=[*recruiters, *interviewers])
    seeded = list(
        Loop.objects.filter(interviews__scorecard__status=Scorecard.Status.SUBMITTED)
        .distinct()
        .order_by("id")
        .values_list("id", flat=True)
    )
    pool = list(fresh_interviews().order_by("id").values_list("id", "interviewer_id")[:submit_pool])
    return Company(
        recruiter_tokens=[tokens[user.pk] for user in recruiters],
        interviewer_tokens={user_id: tokens[user_id] for user_id in interviewer_ids},
        loop_ids=seeded,
        recruiter_sessions=[_session_for(user) for user in recruiters[:sessions]],
        submit_pool=[(tokens[interviewer_id], interview_id) for interview_id, interviewer_id in pool],
        dimension_keys=list(rubric.dimensions.values_list("key", flat=True)),
        red_flag_keys=list(rubric.red_flags.values_list("key", flat=True)),
        thread_keys=list(rubric.threads.values_list("key", flat=True)),
    )


def _session_for(user: Any) -> str:
    """A logged-in session, as `/accounts/login/` would leave it (without paying for a password hash per user)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(timedelta(hours=2))
    store.create()
    assert store.session_key is not None
    return store.session_key
