"""The debriefs app: its stored debriefs follow the names they show, saved wherever they are saved."""

from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save


class DebriefsConfig(AppConfig):
    name = "debriefs"
    verbose_name = "Debriefs and reminders"

    def ready(self) -> None:
        # Imported here: the app registry must be ready before models and services load.
        from debriefs.services import debrief_names_saved
        from interviewloop.models import Candidate, Position

        for model in (Candidate, Position, get_user_model()):
            post_save.connect(debrief_names_saved, sender=model, dispatch_uid=f"debrief_names_{model.__name__}")
