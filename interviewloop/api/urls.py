from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from interviewloop.api import views

urlpatterns = [
    path("health/", views.HealthView.as_view(), name="api-health"),
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("auth/tokens/", views.TokensView.as_view(), name="api-tokens"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from drf-spectacular-sidecar's static files, its init script from this URL with ?script: the
    # page works offline and under the strict CSP (no CDN, no inline script or style).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/docs.html"),
        name="swagger-ui",
    ),
    path("", include("interviewloop.api.loops_urls")),
    path("", include("scorecards.api_urls")),
    path("", include("debriefs.api_urls")),
]
