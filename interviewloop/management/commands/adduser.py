"""`python manage.py adduser NAME --role interviewer|recruiter|admin --email E --password P`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from interviewloop.roles import INTERVIEWERS, RECRUITERS

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

    @transaction.atomic
    def handle(self, *args, username: str, role: str, email: str, password: str, **options):
        if not password:
            raise CommandError("--password must not be empty.")
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username)
        user.email = email or user.email
        user.first_name = options["first_name"] or user.first_name
        user.last_name = options["last_name"] or user.last_name
        user.set_password(password)
        user.is_staff = user.is_superuser = role == "admin"
        user.save()
        user.groups.set([Group.objects.get(name=ROLE_TO_GROUP[role])] if role in ROLE_TO_GROUP else [])
        self.stdout.write(f"{'Created' if created else 'Updated'} {role} {username}.")
