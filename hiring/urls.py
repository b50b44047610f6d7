"""Root URLconf: the only place that imports the apps' URLconfs."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from hiring.health import healthz
from results.views import front_door

admin.site.site_header = "Skillproof"
admin.site.site_title = "Skillproof admin"
admin.site.index_title = "Assessments, scoring, credentials and compliance"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("staff/", include("staff.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include("assessments.urls")),
    path("", include("scoring.urls")),
    path("review/", include("scoring.review_urls")),
    path("", include("compliance.urls")),
    path("", include("credentials.urls")),
    path("results/", include("results.urls")),
    path("", front_door, name="front-door"),
]
