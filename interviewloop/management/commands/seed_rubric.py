"""Load the default rubric (the guide's) unless a rubric exists already: safe on every deploy."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from scorecards.models import Rubric


class Command(BaseCommand):
    help = "Load fixtures/default_rubric.json when the database has no rubric yet."

    def handle(self, *args, **options):
        if Rubric.objects.exists():
            self.stdout.write("A rubric exists already; nothing loaded.")
            return
        call_command("loaddata", "default_rubric", verbosity=0)
        self.stdout.write("Loaded the default rubric.")
