"""Demo data for `make run`: the default rubric, five people, and a loop of three interviews (ended, live, later).

Idempotent: running it again keeps what is there and prints the logins.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from debriefs.calibration_demo import seed_calibration_demo
from interviewloop.models import Loop, Position
from interviewloop.roles import INTERVIEWERS, RECRUITERS
from interviewloop.services import candidate_create, interview_end, interview_schedule, loop_create, position_create
from scorecards.models import Rubric

DEMO_PASSWORD = "interviewloop-demo"
DEMO_USERS = [
    # username, first, last, role
    ("rita", "Rita", "Recruiter", "recruiter"),
    ("ivan", "Ivan", "Interviewer", "interviewer"),
    ("iris", "Iris", "Interviewer", "interviewer"),
    ("igor", "Igor", "Interviewer", "interviewer"),
    ("admin", "Ada", "Admin", "admin"),
]


class Command(BaseCommand):
    help = "Load the default rubric and demo data (idempotent), then print the URL and the logins."

    def handle(self, *args, **options):
        call_command("seed_rubric", verbosity=0)
        self._seed()
        history = seed_calibration_demo()  # the calibration page's demo: lenient ivan, harsh igor (six past loops)
        url = settings.SITE_URL
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"interviewloop is starting on {url}/"))
        self.stdout.write(f"  API docs: {url}/api/docs/   health: {url}/api/health/   admin: {url}/admin/")
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _first, _last, role in DEMO_USERS:
            self.stdout.write(f"    {username:<6} {role}")
        self.stdout.write("  ivan's interview has just ended: his five-minute note is due.")
        self.stdout.write("  iris is mid-call: sign in as iris and end it to see the note_now email in the worker log.")
        if history:
            self.stdout.write(f"  {history} past loops show on /analytics/: ivan scores leniently, igor harshly.")
        self.stdout.write("")

    @transaction.atomic
    def _seed(self) -> None:
        User = get_user_model()
        groups = {"recruiter": Group.objects.get(name=RECRUITERS), "interviewer": Group.objects.get(name=INTERVIEWERS)}
        users = {}
        for username, first, last, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = user.is_superuser = role == "admin"
                user.save()
                if role in groups:
                    user.groups.add(groups[role])
            users[username] = user
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
