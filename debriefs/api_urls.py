from django.urls import path

from debriefs import api

urlpatterns = [
    path("loops/<int:loop_id>/debrief/", api.DebriefView.as_view(), name="api-loop-debrief"),
    path("loops/<int:loop_id>/decision/", api.DecisionView.as_view(), name="api-loop-decision"),
]
