from django.urls import path

import interviewloop.converters  # noqa: F401 (registers <id:...>)
from scorecards import views

urlpatterns = [
    path("interviews/", views.my_interviews, name="my-interviews"),
    path("interviews/<id:pk>/", views.interview_kit, name="interview-kit"),
    path("interviews/<id:pk>/end/", views.interview_end_view, name="interview-end"),
    path("interviews/<id:pk>/note/", views.note, name="interview-note"),
    path("interviews/<id:pk>/scorecard/", views.scorecard, name="interview-scorecard"),
    path("interviews/<id:pk>/scorecard/check/", views.scorecard_check, name="interview-scorecard-check"),
    path("interviews/<id:pk>/scorecard/autosave/", views.scorecard_autosave, name="interview-scorecard-autosave"),
]
