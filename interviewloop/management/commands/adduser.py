"""`python manage.py adduser NAME --role interviewer|recruiter|admin --email E --password P`.

The password must pass AUTH_PASSWORD_VALIDATORS (length, common passwords, likeness to the user's name and
email, all digits), as it would in Django's own `createsuperuser` and password forms: a refusal names every
reason and changes nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
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
        self.stdout.write(f"{'Created' if created else 'Updated'} {role} {username}.")
