from django.urls import path

import interviewloop.converters  # noqa: F401 (registers <id:...>)
from debriefs import api, api_analytics, api_webhooks

urlpatterns = [
    path("loops/<id:loop_id>/debrief/", api.DebriefView.as_view(), name="api-loop-debrief"),
    path("loops/<id:loop_id>/decision/", api.DecisionView.as_view(), name="api-loop-decision"),
    path(
        "analytics/interviewers/", api_analytics.InterviewerCalibrationView.as_view(), name="api-analytics-interviewers"
    ),
    path("webhooks/", api_webhooks.WebhookEndpointListCreate.as_view(), name="api-webhooks"),
]
