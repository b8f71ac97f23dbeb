from django.urls import path

from interviewloop.api import loops

urlpatterns = [
    path("positions/", loops.PositionListCreate.as_view(), name="api-positions"),
    path("candidates/", loops.CandidateListCreate.as_view(), name="api-candidates"),
    path("loops/", loops.LoopListCreate.as_view(), name="api-loops"),
    path("loops/<int:loop_id>/", loops.LoopDetail.as_view(), name="api-loop"),
    path("loops/<int:loop_id>/interviews/", loops.LoopInterviewCreate.as_view(), name="api-loop-interviews"),
]
