from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from interviewloop.api import views

urlpatterns = [
    path("health/", views.HealthView.as_view(), name="api-health"),
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", views.TokensView.as_view(), name="api-tokens"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="swagger-ui"),
    path("", include("interviewloop.api.loops_urls")),
    path("", include("scorecards.api_urls")),
    path("", include("debriefs.api_urls")),
]
