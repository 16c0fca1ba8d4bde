"""Top-level URL map: the API under /api/v1/, its schema and docs, health probes, admin, and the
dispatcher console at the root."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.views import healthz, metrics, readyz

api_v1 = [
    path("", include("core.api.urls")),
    path("technician/", include("recovery.technician_api.urls")),
    path("", include("fleet.api.urls")),
    path("", include("recovery.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("telematics.api.urls")),
    path("", include("privacy.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("", include("notifications.urls")),
    # The split view serves its start-up script as a file: the CSP forbids inline scripts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", include("console.urls")),
]

# Under /api/ these answer in the API's JSON error shape; elsewhere Django's pages.
handler400 = "core.api.handlers.bad_request"
handler404 = "core.api.handlers.not_found"
handler500 = "core.api.handlers.server_error"
