"""The reviewer's pages (mounted at /review/ by hiring/urls.py)."""

from django.urls import path

from scoring import review_views

app_name = "review"

urlpatterns = [
    path("", review_views.queue, name="queue"),
    path("items/<int:item_id>/", review_views.item, name="item"),
]
