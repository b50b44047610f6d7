"""Compliance pages (under /compliance/) and the candidate's data-rights pages (under /a/)."""

from django.urls import path

from compliance import request_views, views

app_name = "compliance"

urlpatterns = [
    path("compliance/", views.index, name="index"),
    path("compliance/audit-chain", views.chain, name="chain"),
    path("compliance/retention", views.retention, name="retention"),
    path("compliance/records", views.records, name="records"),
    path("compliance/records/<uuid:public_id>", views.records_package, name="records-package"),
    path(
        "compliance/records/<uuid:public_id>/status",
        views.records_package_status,
        name="records-package-status",
    ),
    path(
        "compliance/records/<uuid:public_id>/download",
        views.records_package_download,
        name="records-package-download",
    ),
    path("compliance/assessments/<slug:slug>/", views.assessment, name="assessment"),
    path(
        "compliance/assessments/<slug:slug>/audit-export",
        views.audit_export,
        name="audit-export",
    ),
    path(
        "compliance/assessments/<slug:slug>/attempts/<uuid:public_id>/audit-receipt",
        views.audit_receipt,
        name="audit-receipt",
    ),
    path("compliance/assessments/<slug:slug>/bias-audit", views.bias_audit, name="bias-audit"),
    path(
        "compliance/assessments/<slug:slug>/published-audits",
        views.published_audits,
        name="published-audits",
    ),
    # Public: the summary an employer links from its careers site (no login).
    path("bias-audit/<slug:slug>/", views.public_bias_audit, name="public-bias-audit"),
    path(
        "bias-audit/<slug:slug>/<int:number>/",
        views.public_bias_audit,
        name="public-bias-audit-number",
    ),
    path(
        "bias-audit/<slug:slug>/<int:number>/figures.json",
        views.public_bias_audit_figures,
        name="public-bias-audit-figures",
    ),
    path("a/<str:token>/my-data.json", views.my_data, name="my-data"),
    path("a/<str:token>/self-identify", views.self_identify, name="self-identify"),
    path("a/<str:token>/erase", views.erase, name="erase"),
    # Explanation and correction requests: the candidate asks, compliance staff answer.
    path("a/<str:token>/ask", request_views.ask, name="data-request"),
    path("compliance/requests/", request_views.request_list, name="requests"),
    path("compliance/requests/<uuid:public_id>/", request_views.request_detail, name="request"),
]
