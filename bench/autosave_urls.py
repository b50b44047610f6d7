"""The project's URLs plus the baseline of bench/bench_autosave.py: a bare Django JSON view
behind the same middleware (CSRF included) as the autosave endpoint."""

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hiring.urls import urlpatterns as project_urlpatterns


@require_POST
@never_cache
def bare_json(request, token: str, step_id: str):
    """Answers like autosave does, without touching the database."""
    return JsonResponse({"saved": True, "saved_at": timezone.now().isoformat()})


urlpatterns = [
    path("bench/bare/<str:token>/<slug:step_id>", bare_json),
    *project_urlpatterns,
]
