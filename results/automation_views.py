"""Automation per criterion (#14): how much of each free-text criterion the machine scores
alone, and how well it agrees with people, for the recruiters who see the assessment's results
and for compliance staff (the results app's one door, ``access_assessment_results``).

It lives in results, not scoring: scoring may not import results' access rules, and recruiters
reach it from the results table. HTML with a server-drawn chart, and the same figures as JSON.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from results import selectors
from results.automation import automation_chart
from results.views import results_view
from scoring.selectors import MIN_QC_REVIEWS_FOR_FLAG, automation_by_criterion
from scoring.services.config import auto_target_qwk, qc_sample_rate


def _automation(request, slug: str):
    access = selectors.access_assessment_results(request.user, slug)
    return access, automation_by_criterion(access.assessment, target_qwk=auto_target_qwk())


@never_cache
@require_GET
@results_view
def automation(request, slug: str):
    """The page: a card per criterion with its chart, figures and the below-target flag."""
    access, rows = _automation(request, slug)
    return render(
        request,
        "results/automation.html",
        {
            "nav": "results",
            "access": access,
            "assessment": access.assessment,
            "criteria": [(row, automation_chart(row)) for row in rows],
            "target": auto_target_qwk(),
            "qc_rate": qc_sample_rate(),
            "min_qc_reviews": MIN_QC_REVIEWS_FOR_FLAG,
        },
    )


@never_cache
@require_GET
@results_view
def automation_json(request, slug: str):
    """The same figures as JSON."""
    access, rows = _automation(request, slug)
    return JsonResponse(
        {
            "assessment": access.assessment.slug,
            "target_qwk": auto_target_qwk(),
            "quality_control_sample_rate": qc_sample_rate(),
            "min_quality_control_reviews_for_flag": MIN_QC_REVIEWS_FOR_FLAG,
            "criteria": [row.as_json() for row in rows],
        }
    )
