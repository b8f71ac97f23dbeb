from django.urls import path

import interviewloop.converters  # noqa: F401 (registers <id:...>)
from debriefs import loop_export, views, views_analytics

urlpatterns = [
    path("loops/", views.loop_list, name="loop-list"),
    path("loops/export.csv", loop_export.loop_list_csv, name="loop-list-csv"),
    path("analytics/", views_analytics.analytics, name="analytics"),
    path("analytics/interviewers.csv", views_analytics.analytics_csv, name="analytics-csv"),
    path("loops/new/", views.loop_schedule, name="loop-schedule"),
    path("loops/<id:loop_id>/", views.loop_debrief, name="loop-debrief"),
    path("loops/<id:loop_id>/decision/", views.loop_decision, name="loop-decision"),
    path("loops/<id:loop_id>/interviews/", views.loop_add_interview, name="loop-add-interview"),
    path("loops/<id:loop_id>/debrief-time/", views.loop_debrief_time, name="loop-debrief-time"),
    path("loops/<id:loop_id>/cancel-remaining/", views.loop_cancel_remaining, name="loop-cancel-remaining"),
    path(
        "loops/<id:loop_id>/interviews/<id:interview_id>/reschedule/",
        views.interview_reschedule_page,
        name="loop-interview-reschedule",
    ),
    path(
        "loops/<id:loop_id>/interviews/<id:interview_id>/interviewer/",
        views.interview_change_interviewer_page,
        name="loop-interview-interviewer",
    ),
    path(
        "loops/<id:loop_id>/interviews/<id:interview_id>/cancel/",
        views.interview_cancel_page,
        name="loop-interview-cancel",
    ),
]
