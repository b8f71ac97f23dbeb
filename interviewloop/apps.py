from django.apps import AppConfig


class InterviewloopConfig(AppConfig):
    name = "interviewloop"
    verbose_name = "Loops and interviews"
