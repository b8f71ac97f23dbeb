from django.urls import path
from rest_framework.routers import SimpleRouter

from scorecards import api, api_questions

router = SimpleRouter()
router.register("rubrics", api.RubricViewSet, basename="rubric")
router.register("questions", api_questions.QuestionViewSet, basename="question")

urlpatterns = [
    *router.urls,
    path("interviews/", api.InterviewListView.as_view(), name="api-interview-list"),
    path("interviews/<int:pk>/end/", api.InterviewEndView.as_view(), name="api-interview-end"),
    path("interviews/<int:pk>/note/", api.NoteView.as_view(), name="api-interview-note"),
    path("interviews/<int:pk>/scorecard/", api.ScorecardView.as_view(), name="api-scorecard"),
    path("interviews/<int:pk>/scorecard/check/", api.ScorecardCheckView.as_view(), name="api-scorecard-check"),
    path("interviews/<int:pk>/scorecard/submit/", api.ScorecardSubmitView.as_view(), name="api-scorecard-submit"),
    path("interviews/<int:pk>/scorecard/amend/", api.ScorecardAmendView.as_view(), name="api-scorecard-amend"),
]
