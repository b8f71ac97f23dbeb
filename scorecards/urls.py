from django.urls import path

from scorecards import views

urlpatterns = [
    path("interviews/", views.my_interviews, name="my-interviews"),
    path("interviews/<int:pk>/", views.interview_kit, name="interview-kit"),
    path("interviews/<int:pk>/end/", views.interview_end_view, name="interview-end"),
    path("interviews/<int:pk>/note/", views.note, name="interview-note"),
    path("interviews/<int:pk>/scorecard/", views.scorecard, name="interview-scorecard"),
    path("interviews/<int:pk>/scorecard/check/", views.scorecard_check, name="interview-scorecard-check"),
    path("interviews/<int:pk>/scorecard/autosave/", views.scorecard_autosave, name="interview-scorecard-autosave"),
]
