from django.urls import path

from scoring import views

app_name = "scoring"

urlpatterns = [
    path("a/<str:token>/result", views.result, name="result"),
    path("a/<str:token>/result/status", views.result_status, name="result-status"),
]
