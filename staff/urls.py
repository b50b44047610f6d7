from django.urls import path

from staff import views

app_name = "staff"

urlpatterns = [
    path("two-factor/", views.verify, name="two-factor"),
    path("two-factor/set-up", views.set_up, name="two-factor-setup"),
]
