from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("a/<str:token>/", views.landing, name="landing"),
    path("a/<str:token>/start", views.start, name="start"),
    path("a/<str:token>/accommodation", views.accommodation, name="accommodation"),
    path("a/<str:token>/step/<slug:step_id>", views.step, name="step"),
    path("a/<str:token>/step/<slug:step_id>/answer", views.answer, name="answer"),
    path("a/<str:token>/step/<slug:step_id>/autosave", views.autosave, name="autosave"),
    path("a/<str:token>/review", views.review, name="review"),
    path("a/<str:token>/submit", views.submit, name="submit"),
]
