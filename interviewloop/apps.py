from django.apps import AppConfig
from django.db.backends.signals import connection_created


class InterviewloopConfig(AppConfig):
    name = "interviewloop"
    verbose_name = "Loops and interviews"

    def ready(self) -> None:
        from interviewloop.postgresql import use_c_timestamptz_loader

        connection_created.connect(use_c_timestamptz_loader, dispatch_uid="interviewloop-c-timestamptz-loader")
