"""`manage.py adduser NAME --role interviewer|recruiter|admin --email E --password P [--time-zone Z] [--notify-by C]`.

The password must pass AUTH_PASSWORD_VALIDATORS (length, common passwords, likeness to the user's name and
email, all digits), as it would in Django's own `createsuperuser` and password forms: a refusal names every
reason and changes nothing. `--time-zone` is an IANA name (Europe/Paris), the zone the user reads times in; an
unknown one is refused before anything is written. Without it a new user reads times in TIME_ZONE and an existing
one keeps theirs. `--notify-by` (email, slack or both) is how their reminders reach them, as on their profile page;
without it a new user gets email and an existing one keeps their choice.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from debriefs.slack_rules import NOTIFY_CHOICES
from interviewloop.profiles import user_set_notify_by, user_set_time_zone
from interviewloop.roles import INTERVIEWERS, RECRUITERS
from interviewloop.time_zones import time_zone_problem

ROLE_TO_GROUP = {"interviewer": INTERVIEWERS, "recruiter": RECRUITERS}


class Command(BaseCommand):
    help = "Create a user (or update an existing one) with a role: interviewer, recruiter or admin."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=["interviewer", "recruiter", "admin"])
        parser.add_argument("--email", default="")
        parser.add_argument("--password", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--time-zone", default=None, help="IANA name, e.g. Europe/Paris (default: TIME_ZONE)")
        parser.add_argument(
            "--notify-by", default=None, choices=NOTIFY_CHOICES, help="how reminders reach them (default: email)"
        )

    @transaction.atomic
    def handle(self, *args, username: str, role: str, email: str, password: str, **options):
        if not password:
            raise CommandError("--password must not be empty.")
        time_zone = options["time_zone"]
        if time_zone is not None and (problem := time_zone_problem(time_zone)) is not None:
            raise CommandError(f"--time-zone was refused: {problem}")
        User = get_user_model()
        existing = User.objects.filter(username=username).first()
        created = existing is None
        user = User(username=username) if existing is None else existing
        user.email = email or user.email
        user.first_name = options["first_name"] or user.first_name
        user.last_name = options["last_name"] or user.last_name
        try:
            # Against the user as it will be saved: its name and email are what a password must not resemble.
            validate_password(password, user)
        except ValidationError as refused:
            raise CommandError("The password was refused: " + " ".join(refused.messages)) from None
        user.set_password(password)
        user.is_staff = user.is_superuser = role == "admin"
        user.save()
        user.groups.set([Group.objects.get(name=ROLE_TO_GROUP[role])] if role in ROLE_TO_GROUP else [])
        if time_zone is not None:
            user_set_time_zone(user=user, time_zone=time_zone)
        if options["notify_by"] is not None:
            user_set_notify_by(user=user, notify_by=options["notify_by"])
        zone = f", times in {time_zone}" if time_zone is not None else ""
        channel = f", reminders by {options['notify_by']}" if options["notify_by"] is not None else ""
        self.stdout.write(f"{'Created' if created else 'Updated'} {role} {username}{zone}{channel}.")
