from django.urls import path
from rest_framework.routers import SimpleRouter

import interviewloop.converters  # noqa: F401 (registers <id:...>)
from scorecards import api, api_questions

router = SimpleRouter(use_regex_path=False)  # so the detail route takes <id:pk> (RubricViewSet)
router.register("rubrics", api.RubricViewSet, basename="rubric")
router.register("questions", api_questions.QuestionViewSet, basename="question")

urlpatterns = [
    *router.urls,
    path("interviews/", api.InterviewListView.as_view(), name="api-interview-list"),
    path("interviews/<id:pk>/end/", api.InterviewEndView.as_view(), name="api-interview-end"),
    path("interviews/<id:pk>/note/", api.NoteView.as_view(), name="api-interview-note"),
    path("interviews/<id:pk>/scorecard/", api.ScorecardView.as_view(), name="api-scorecard"),
    path("interviews/<id:pk>/scorecard/check/", api.ScorecardCheckView.as_view(), name="api-scorecard-check"),
    path("interviews/<id:pk>/scorecard/submit/", api.ScorecardSubmitView.as_view(), name="api-scorecard-submit"),
    path("interviews/<id:pk>/scorecard/amend/", api.ScorecardAmendView.as_view(), name="api-scorecard-amend"),
]
