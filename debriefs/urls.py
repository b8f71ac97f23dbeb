from django.urls import path

from debriefs import views

urlpatterns = [
    path("loops/", views.loop_list, name="loop-list"),
    path("loops/new/", views.loop_schedule, name="loop-schedule"),
    path("loops/<int:loop_id>/", views.loop_debrief, name="loop-debrief"),
    path("loops/<int:loop_id>/decision/", views.loop_decision, name="loop-decision"),
]
