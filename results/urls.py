"""The recruiter's workspace, under /results/ (the front door `/` is mounted by hiring/urls.py)."""

from django.urls import path

from results import automation_views, views

app_name = "results"

urlpatterns = [
    path("", views.index, name="index"),
    path("digest", views.digest, name="digest"),
    path("<slug:slug>/", views.table, name="table"),
    path("<slug:slug>/export.csv", views.export_csv, name="export"),
    path("<slug:slug>/sharing", views.share, name="share"),
    path("<slug:slug>/compare", views.compare, name="compare"),
    path("<slug:slug>/automation/", automation_views.automation, name="automation"),
    path("<slug:slug>/automation.json", automation_views.automation_json, name="automation-json"),
    path("<slug:slug>/<uuid:public_id>/", views.report, name="report"),
    path("<slug:slug>/<uuid:public_id>/report.pdf", views.report_pdf, name="report-pdf"),
    path("<slug:slug>/<uuid:public_id>/decision", views.decide, name="decide"),
]
