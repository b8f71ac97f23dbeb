from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from interviewloop import sso, views
from interviewloop.api import errors
from interviewloop.login import LoginView

admin.site.site_header = "interviewloop admin"
admin.site.site_title = "interviewloop"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("profile/", views.profile, name="profile"),
    path("profile/notifications/", views.profile_notifications, name="profile-notifications"),
    path("profile/calendar/new-link/", views.calendar_new_link, name="calendar-new-link"),
    path("calendar/<str:secret>.ics", views.calendar_feed, name="calendar-feed"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Single sign-on (interviewloop.sso): 404 while OIDC_RP_CLIENT_ID is unset. Names are mozilla-django-oidc's.
    path("oidc/authenticate/", sso.start, name="oidc_authentication_init"),
    path("oidc/callback/", sso.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("admin/", admin.site.urls),
    path("api/", include("interviewloop.api.urls")),
    path("", include("scorecards.urls")),
    path("", include("debriefs.urls")),
]

# The API answers JSON even where Django answers (a path no route matches, a body over the size limit).
handler400 = errors.bad_request
handler404 = errors.page_not_found
handler500 = errors.server_error
