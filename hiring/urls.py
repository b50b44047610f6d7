"""Root URLconf: the only place that imports the apps' URLconfs."""

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apikeys.views import UnknownEndpoint
from assessments import api as assessments_api
from compliance import api as compliance_api
from credentials import api as credentials_api
from hiring.health import healthz
from results import api as results_api
from results.views import front_door
from webhooks import api as webhooks_api

admin.site.site_header = "Skillproof"
admin.site.site_title = "Skillproof admin"
admin.site.index_title = "Assessments, scoring, credentials and compliance"

# The integration API (each app's api.py; keys, scopes, pages and errors from apikeys).
api_v1 = [
    path("assessments", assessments_api.AssessmentList.as_view(), name="assessments"),
    path("assessments/<slug:slug>", assessments_api.AssessmentDetail.as_view(), name="assessment"),
    path(
        "assessments/<slug:slug>/bias-audit",
        compliance_api.BiasAuditView.as_view(),
        name="bias-audit",
    ),
    path("invitations", assessments_api.InvitationList.as_view(), name="invitations"),
    path("invitations/batch", assessments_api.InvitationBatch.as_view(), name="invitation-batch"),
    path(
        "invitations/<uuid:public_id>",
        assessments_api.InvitationDetail.as_view(),
        name="invitation",
    ),
    path(
        "invitations/<uuid:public_id>/cancel",
        assessments_api.InvitationCancel.as_view(),
        name="invitation-cancel",
    ),
    path("attempts", results_api.AttemptList.as_view(), name="attempts"),
    path("attempts/<uuid:public_id>", results_api.AttemptDetail.as_view(), name="attempt"),
    path("credentials", credentials_api.CredentialList.as_view(), name="credentials"),
    path(
        "credentials/<uuid:public_id>/revoke",
        credentials_api.CredentialRevoke.as_view(),
        name="credential-revoke",
    ),
    path("webhooks", webhooks_api.SubscriptionList.as_view(), name="webhooks"),
    path("webhooks/<int:pk>", webhooks_api.SubscriptionDetail.as_view(), name="webhook"),
    re_path(r"^(?P<path>.*)$", UnknownEndpoint.as_view(), name="unknown"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("staff/", include("staff.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # Swagger UI's stylesheet draws its icons as data: SVGs; scripts stay 'self' only.
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="api/docs.html"
            )
        ),
        name="api-docs",
    ),
    path("api/v1/", include((api_v1, "api"))),
    path("", include("assessments.urls")),
    path("", include("scoring.urls")),
    path("review/", include("scoring.review_urls")),
    path("", include("compliance.urls")),
    path("", include("credentials.urls")),
    path("results/", include("results.urls")),
    path("", front_door, name="front-door"),
]
