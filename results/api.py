"""Integration API of results: attempts with their status, scores, bands, review state and the
recruiter's decision, filtered as an applicant tracking system polls them.

A key sees the attempts at the assessments its owner may see (results.selectors): Recruiters
those they own or share, Compliance every one. Nothing here returns an answer's text.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from apikeys.filters import ListFilters, valid_filters
from apikeys.models import Scope
from apikeys.views import IntegrationView
from assessments.models import Attempt
from results import selectors, services
from results.models import Decision
from scoring.events import report_url


class SkillResultSerializer(serializers.Serializer):
    skill = serializers.CharField(help_text="The skill's id in the assessment.")
    score = serializers.FloatField(help_text="0..100")
    band = serializers.CharField(allow_blank=True, help_text="The level's label.")


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(Decision.Outcome.values)
    decided_at = serializers.DateTimeField()


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A scored attempt with a decision",
            response_only=True,
            value={
                "id": "6f1c1e8e-2d0b-4a53-9a7e-1b2c3d4e5f60",
                "invitation": "0b7e5c1a-9f3d-4c2b-8a1e-2d3c4b5a6978",
                "external_id": "greenhouse-application-4711",
                "assessment": "support-escalation",
                "version": 3,
                "status": "scored",
                "started_at": "2026-12-03T09:00:00Z",
                "deadline": "2026-12-03T09:45:00Z",
                "submitted_at": "2026-12-03T09:31:12Z",
                "auto_submitted": False,
                "scored_at": "2026-12-03T09:31:14Z",
                "overall_score": 78.5,
                "passed": True,
                "waiting_for_review": False,
                "skills": [
                    {"skill": "de-escalation", "score": 82.0, "band": "Strong"},
                    {"skill": "written-communication", "score": 75.0, "band": "Solid"},
                ],
                "decision": {"outcome": "advance", "decided_at": "2026-12-03T14:02:00Z"},
                "report_url": "https://skillproof.example.com/results/support-escalation/"
                "6f1c1e8e-2d0b-4a53-9a7e-1b2c3d4e5f60/",
                "updated_at": "2026-12-03T14:02:00Z",
            },
        )
    ]
)
class AttemptSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    invitation = serializers.UUIDField(source="invitation.public_id")
    external_id = serializers.CharField(source="invitation.external_id", allow_blank=True)
    assessment = serializers.SlugField(source="version.assessment.slug")
    version = serializers.IntegerField(source="version.number")
    status = serializers.ChoiceField(
        selectors.Status.values,
        help_text="`review`: scored, and waiting for a reviewer on some criterion.",
    )
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    auto_submitted = serializers.BooleanField(help_text="Submitted at the time limit.")
    scored_at = serializers.SerializerMethodField()
    overall_score = serializers.SerializerMethodField()
    passed = serializers.SerializerMethodField()
    waiting_for_review = serializers.SerializerMethodField()
    skills = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    report_url = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        help_text="The latest of start, submission, score and decision (see updated_since)."
    )

    def _result(self, attempt: Attempt):
        return getattr(attempt, "result", None)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_scored_at(self, attempt: Attempt):
        result = self._result(attempt)
        return result and serializers.DateTimeField().to_representation(result.scored_at)

    @extend_schema_field(serializers.FloatField(allow_null=True, help_text="0..100"))
    def get_overall_score(self, attempt: Attempt):
        result = self._result(attempt)
        return result.overall_score if result else None

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_passed(self, attempt: Attempt):
        result = self._result(attempt)
        return result.passed if result else None

    @extend_schema_field(serializers.BooleanField())
    def get_waiting_for_review(self, attempt: Attempt) -> bool:
        result = self._result(attempt)
        return bool(result and result.needs_review)

    @extend_schema_field(SkillResultSerializer(many=True))
    def get_skills(self, attempt: Attempt) -> list[dict]:
        result = self._result(attempt)
        if result is None:
            return []
        return [
            {"skill": skill, "score": score, "band": result.skill_bands.get(skill, "")}
            for skill, score in result.skill_scores.items()
        ]

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, attempt: Attempt):
        if not attempt.decision:
            return None
        return DecisionSerializer(
            {"outcome": attempt.decision, "decided_at": attempt.decided_at}
        ).data

    @extend_schema_field(
        serializers.URLField(help_text="The candidate's report page (staff sign-in).")
    )
    def get_report_url(self, attempt: Attempt) -> str:
        return report_url(attempt)


def _attempts(request):
    assessment_ids = list(selectors.visible_assessments(request.user).values_list("pk", flat=True))
    services.refresh_result_rows(assessment_ids)  # the projection is never stale when read
    return selectors.integration_attempts(assessment_ids)


class AttemptFilters(ListFilters):
    status = serializers.ChoiceField(selectors.Status.values, required=False)
    updated_since = serializers.DateTimeField(
        required=False,
        help_text="ISO 8601: only attempts that changed after it. Poll with the newest "
        "`updated_at` you have seen.",
    )


def _filtered(attempts, params):
    wanted = valid_filters(AttemptFilters, params)
    if "assessment" in wanted:
        attempts = attempts.filter(version__assessment__slug=wanted["assessment"])
    if "status" in wanted:
        attempts = attempts.filter(status=wanted["status"])
    if "external_id" in wanted:
        attempts = attempts.filter(invitation__external_id=wanted["external_id"])
    if "updated_since" in wanted:
        attempts = attempts.filter(updated_at__gt=wanted["updated_since"])
    return attempts


class AttemptList(IntegrationView):
    is_list = True
    required_scope = Scope.RESULTS_READ
    serializer_class = AttemptSerializer

    @extend_schema(
        operation_id="list_attempts",
        summary="List attempts and results",
        parameters=[AttemptFilters],
    )
    def get(self, request):
        """Attempts at the assessments the key's owner may see, least recently changed first."""
        self.paginator.ordering = ("updated_at", "pk")
        return self.paginated(_filtered(_attempts(request), request.query_params))


class AttemptDetail(IntegrationView):
    required_scope = Scope.RESULTS_READ
    serializer_class = AttemptSerializer

    @extend_schema(operation_id="get_attempt", summary="Read an attempt and its result")
    def get(self, request, public_id):
        """One attempt: status, timestamps, scores, bands, review state and decision."""
        attempt = get_object_or_404(_attempts(request), public_id=public_id)
        return Response(self.get_serializer(attempt).data)
