"""`python manage.py erase_candidate ID [--by USERNAME]`: erase a candidate's personal data (see interviewloop.privacy)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from interviewloop.models import Candidate
from interviewloop.privacy import candidate_erase


class Command(BaseCommand):
    help = (
        "Erase a candidate's personal data (name, email, phone, and the free text written about them, history "
        "included) while keeping the anonymised scores and votes. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("candidate_id", type=int)
        parser.add_argument(
            "--by", default=None, help="Username of the person who asked for the erasure, recorded in the admin log."
        )

    def handle(self, *args, candidate_id: int, by: str | None, **options):
        candidate = Candidate.objects.filter(pk=candidate_id).first()
        if candidate is None:
            raise CommandError(f"No candidate with id {candidate_id}.")
        user = None
        if by is not None:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"No user named {by!r}.")
        result = candidate_erase(candidate=candidate, by=user)
        self.stdout.write(result.summary())
