from django.urls import path

import interviewloop.converters  # noqa: F401 (registers <id:...>)
from interviewloop.api import export, loops

urlpatterns = [
    path("positions/", loops.PositionListCreate.as_view(), name="api-positions"),
    path("candidates/", loops.CandidateListCreate.as_view(), name="api-candidates"),
    path("loops/", loops.LoopListCreate.as_view(), name="api-loops"),
    path("loops/<id:loop_id>/", loops.LoopDetail.as_view(), name="api-loop"),
    path("loops/<id:loop_id>/export/", export.LoopScorecardExport.as_view(), name="api-loop-export"),
    path("loops/<id:loop_id>/interviews/", loops.LoopInterviewCreate.as_view(), name="api-loop-interviews"),
    path("loops/<id:loop_id>/cancel-remaining/", loops.LoopCancelRemaining.as_view(), name="api-loop-cancel-remaining"),
    path("interviews/<id:pk>/", loops.InterviewDetail.as_view(), name="api-interview"),
    path("interviews/<id:pk>/cancel/", loops.InterviewCancel.as_view(), name="api-interview-cancel"),
]
