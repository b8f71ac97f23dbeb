"""Demo data for `make run`: the default rubric, seven people, a loop of three interviews (ended, live, later), and
a loop of five rounds on four rubric templates (`coding_round`, `pm_product_design`, `leadership_principles` with its
principles split across two interviewers, `bar_raiser`) with focus, bank questions and submitted scorecards, so
one debrief shows rubric groups, coverage gaps and the bar raiser.

Idempotent: running it again keeps what is there and prints the logins.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from debriefs.calibration_demo import seed_calibration_demo
from interviewloop.models import Interview, Loop, Position
from interviewloop.roles import INTERVIEWERS, RECRUITERS
from interviewloop.services import candidate_create, interview_end, interview_schedule, loop_create, position_create
from scorecards.models import QuestionBank, Rubric
from scorecards.selectors import focused, pinned_rubric
from scorecards.serializers import scorecard_input
from scorecards.services import note_write, scorecard_submit

DEMO_PASSWORD = "interviewloop-demo"
DEMO_USERS = [
    # username, first, last, role
    ("rita", "Rita", "Recruiter", "recruiter"),
    ("ivan", "Ivan", "Interviewer", "interviewer"),
    ("iris", "Iris", "Interviewer", "interviewer"),
    ("igor", "Igor", "Interviewer", "interviewer"),
    ("admin", "Ada", "Admin", "admin"),
]


def demo_user(username: str, first: str, last: str, role: str) -> Any:
    """The demo user (made once, with the demo password and the role's group)."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_staff = user.is_superuser = role == "admin"
        user.save()
        if role in (RECRUITER, INTERVIEWER):
            user.groups.add(Group.objects.get(name=RECRUITERS if role == RECRUITER else INTERVIEWERS))
    return user


RECRUITER, INTERVIEWER = "recruiter", "interviewer"
# Two more interviewers for the loop of every round (one interview per interviewer per loop), made with it.
ROUND_USERS = [("lena", "Lena", "Leadership", "interviewer"), ("bea", "Bea", "Barraiser", "interviewer")]


class Command(BaseCommand):
    help = "Load the default rubric and demo data (idempotent), then print the URL and the logins."

    def handle(self, *args, **options):
        call_command("seed_rubric", verbosity=0)
        self._seed()
        self._seed_rounds()
        history = seed_calibration_demo()  # the calibration page's demo: lenient ivan, harsh igor (six past loops)
        url = settings.SITE_URL
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"interviewloop is starting on {url}/"))
        self.stdout.write(f"  API docs: {url}/api/docs/   health: {url}/api/health/   admin: {url}/admin/")
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _first, _last, role in DEMO_USERS + (ROUND_USERS if self.rounds_loop is not None else []):
            self.stdout.write(f"    {username:<6} {role}")
        self.stdout.write("  ivan's interview has just ended: his five-minute note is due.")
        self.stdout.write("  iris is mid-call: sign in as iris and end it to see the note_now email in the worker log.")
        if self.rounds_loop is not None:
            self.stdout.write(
                f"  Every round of a loop: {url}/loops/{self.rounds_loop.pk}/ (rita): five rounds on four rubrics, "
                "coverage gaps, the bar raiser."
            )
        if history:
            self.stdout.write(f"  {history} past loops show on /analytics/: ivan scores leniently, igor harshly.")
        self.stdout.write("")

    @transaction.atomic
    def _seed(self) -> None:
        users = {username: demo_user(username, first, last, role) for username, first, last, role in DEMO_USERS}
        if Loop.objects.exists():
            return
        # The guide's rubric when it is there: `make run` also loads the templates, all at version 1.
        published = Rubric.objects.filter(status=Rubric.Status.PUBLISHED).order_by("-version", "id")
        rubric = published.filter(key="default_rubric").first() or published.first()
        if rubric is None:
            return
        position = Position.objects.filter(rubric=rubric).first() or position_create(
            title=rubric.role or rubric.name, rubric=rubric
        )
        candidate = candidate_create(name="Jordan Rivera", email="jordan.rivera@example.com")
        now = timezone.now()
        # Through the services, as a recruiter would: the debrief meeting gets its reminders.
        loop = loop_create(
            candidate=candidate, position=position, recruiter=users["rita"], debrief_at=now + timedelta(days=1)
        )
        # ivan has just finished (his note is due), iris is mid-call (end it to watch note_now arrive),
        # igor is later today.
        starts = {
            "ivan": now - timedelta(minutes=62),
            "iris": now - timedelta(minutes=45),
            "igor": now + timedelta(hours=3),
        }
        for username, start in starts.items():
            interview = interview_schedule(
                loop=loop,
                interviewer=users[username],
                rubric=rubric,
                scheduled_start=start,
                scheduled_end=start + timedelta(minutes=60),
            )
            if username == "ivan":
                interview_end(interview=interview, at=now - timedelta(minutes=1))

    rounds_loop: Loop | None = None

    @transaction.atomic
    def _seed_rounds(self) -> None:
        """The loop of every round (DESIGN.md, "Every round of a loop"), once; skipped, saying how, when the rubric
        templates are not loaded."""
        existing = Loop.objects.filter(position__title=ROUNDS_POSITION).first()
        if existing is not None:
            self.rounds_loop = existing
            return
        rubrics = {
            rubric.key: rubric
            for rubric in Rubric.objects.filter(key__in=[r[1] for r in DEMO_ROUNDS], status=Rubric.Status.PUBLISHED)
        }
        missing = sorted({key for _, key, *_ in DEMO_ROUNDS} - set(rubrics))
        if missing:
            self.stdout.write(
                f"  The five-round demo loop is skipped: rubric templates {', '.join(missing)} are not loaded "
                "(python manage.py loaddata rubric_templates, then seed_demo again)."
            )
            return
        users = {username: demo_user(username, *rest) for username, *rest in DEMO_USERS + ROUND_USERS}
        questions = demo_questions()
        rounds = []
        for index, (title, key, minutes, focus, bar_raiser) in enumerate(DEMO_ROUNDS):
            keys = list(rubrics[key].dimensions.values_list("key", flat=True))
            rounds.append(
                {
                    "title": title,
                    "rubric": rubrics[key],
                    "duration_minutes": minutes,
                    "focus": [keys[position] for position in focus if position < len(keys)],
                    "questions": questions[index * 2 : index * 2 + 2],
                    "bar_raiser": bar_raiser,
                }
            )
        position = position_create(title=ROUNDS_POSITION, rubric=rubrics[DEMO_ROUNDS[0][1]], rounds=rounds)
        candidate = candidate_create(name="Morgan Lee", email="morgan.lee@example.com")
        loop = loop_create(candidate=candidate, position=position, recruiter=users["rita"])
        start = timezone.now() - timedelta(days=1)
        for username, template in zip(ROUND_PANEL, position.rounds.order_by("order", "id"), strict=True):
            interview = interview_schedule(
                loop=loop, interviewer=users[username], round=template, scheduled_start=start
            )
            start = interview.scheduled_end
            interview_end(interview=interview, at=interview.scheduled_end)
            note_write(
                interview=interview, best_thing="Structured the problem before solving it.",
                biggest_concern="Light on how they would measure it.", vote="yes", want_to_work_with="yes",
                at=interview.scheduled_end + timedelta(minutes=3),
            )  # fmt: skip
            submit_demo_scorecard(interview)
        self.rounds_loop = loop


ROUNDS_POSITION = "Senior Product Manager (every round)"
ROUND_PANEL = ["ivan", "iris", "lena", "igor", "bea"]
# title, rubric template key, minutes, focus (positions of the rubric's dimensions; none: all), bar raiser.
# The leadership principles are split across two interviewers and the bar raiser (the seed: "each interviewer
# focuses on 2-3 leadership principles"), so the debrief's coverage names the principles nobody assessed.
DEMO_ROUNDS: list[tuple[str, str, int, tuple[int, ...], bool]] = [
    ("Coding", "coding_round", 60, (), False),
    ("Product design", "pm_product_design", 45, (0, 1, 3), False),
    ("Leadership principles I", "leadership_principles", 45, (0, 1, 2), False),
    ("Leadership principles II", "leadership_principles", 45, (3, 4, 5), False),
    ("Bar raiser", "bar_raiser", 60, (8, 10, 13), True),
]


def demo_questions() -> list[int]:
    """Questions from both seed banks, alternating (empty when the banks are not imported)."""
    banks = [
        list(bank.questions.order_by("order", "id").values_list("pk", flat=True)[:5])
        for bank in QuestionBank.objects.order_by("id")
    ]
    mixed = [pk for pair in zip(*banks, strict=False) for pk in pair] if len(banks) > 1 else (banks[0] if banks else [])
    return mixed


def submit_demo_scorecard(interview: Interview) -> None:
    """Submit `demo_scorecard` through the scorecard body's one validation path (the pinned rubric, the kit)."""
    data = scorecard_input(
        pinned=pinned_rubric(interview.rubric), body=demo_scorecard(interview), questions=interview.questions
    )
    scorecard_submit(interview=interview, data=data)


def demo_scorecard(interview: Interview) -> dict[str, Any]:
    """A complete scorecard of its focus (or every dimension), each question asked; 4s, and a 3 on the last; the
    pinned rubric's own gut-check questions answered."""
    pinned = focused(pinned_rubric(interview.rubric), interview.focus)
    keys = [spec.key for spec in pinned.specs if spec.required or not interview.focus]
    scores = {
        key: {"score": 3 if key == keys[-1] else 4, "evidence": "Walked through a concrete example."} for key in keys
    }
    return {
        "scores": scores,
        "gut_check": dict.fromkeys(pinned.gut_check_questions, "yes"),
        "vote": "yes",
        "summary": "A clear, structured thinker; check the gaps below.",
        "questions": [
            {
                "id": pk,
                "asked": True,
                "signal": "great" if n % 2 == 0 else "okay",
                "notes": "Answered with a real case.",
            }
            for n, pk in enumerate(interview.questions)
        ],
    }
