from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.backends.signals import connection_created


class InterviewloopConfig(AppConfig):
    name = "interviewloop"
    verbose_name = "Loops and interviews"

    def ready(self) -> None:
        from interviewloop.postgresql import use_c_timestamptz_loader
        from interviewloop.profiles import remember_time_zone_at_login

        connection_created.connect(use_c_timestamptz_loader, dispatch_uid="interviewloop-c-timestamptz-loader")
        user_logged_in.connect(remember_time_zone_at_login, dispatch_uid="interviewloop-remember-time-zone")
