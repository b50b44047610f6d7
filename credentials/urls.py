from django.urls import path

from credentials import api, views

app_name = "credentials"

urlpatterns = [
    # Issuer documents (machine-readable, public, cacheable).
    path(".well-known/did.json", views.did_document, name="did"),
    path("issuer", views.issuer_profile, name="issuer"),
    path("credentials/status/<int:pk>", views.status_list, name="status-list"),
    # What a credential's evidence points to.
    path("assessments/<slug:slug>/v<int:number>/", views.assessment_page, name="assessment"),
    # Verification.
    path("verify/", views.verify_page, name="verify"),
    path("api/credentials/verify", api.VerifyCredentialView.as_view(), name="api-verify"),
    # Shared credentials.
    path("c/<str:token>/", views.share_page, name="share"),
    path("c/<str:token>/credential.json", views.share_download, name="share-download"),
    path("c/<str:token>/holder", views.share_holder_check, name="share-holder"),
    # The learner's record.
    path("ler/", views.ler_home, name="ler"),
    path("ler/sign-in", views.ler_sign_in, name="ler-sign-in"),
    path("ler/open/<str:token>", views.ler_open, name="ler-open"),
    path("ler/sign-out", views.ler_sign_out, name="ler-sign-out"),
    path("ler/export", views.ler_export, name="ler-export"),
    path("ler/settings", views.ler_settings, name="ler-settings"),
    path("ler/credentials/<uuid:public_id>/", views.ler_credential, name="ler-credential"),
    path(
        "ler/credentials/<uuid:public_id>/credential.json",
        views.ler_download,
        name="ler-download",
    ),
    path("ler/credentials/<uuid:public_id>/share", views.ler_share_create, name="ler-share"),
    path("ler/shares/<int:share_id>/delete", views.ler_share_delete, name="ler-share-delete"),
]
