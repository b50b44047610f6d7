"""Integration API of compliance: the bias audit of an assessment as JSON (Compliance scope).

The key's owner must hold the Compliance role; each request is an audited export, exactly as
a download from the compliance pages is. Small cells are suppressed and too small a
population is refused, as everywhere else.
"""

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from apikeys.models import Scope
from apikeys.views import IntegrationView
from audit.roles import Role, has_role
from audit.services import actor_for_user
from compliance import selectors, services
from compliance.exceptions import ComplianceError, UnknownAssessment


class BiasAuditQuery(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text="First day covered (ISO date).")
    date_to = serializers.DateField(required=False, help_text="Last day covered (ISO date).")
    exclude_small_categories = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Leave categories under 2% of the data out of the impact ratios (LL 144).",
    )

    def validate(self, data):
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError({"date_to": ["The end date is before the start date."]})
        return data


class BiasAuditView(IntegrationView):
    required_scope = Scope.COMPLIANCE_READ

    @extend_schema(
        operation_id="get_bias_audit",
        summary="Bias audit of an assessment",
        parameters=[BiasAuditQuery],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, slug: str):
        """Selection rates and impact ratios by sex, race/ethnicity and their intersection
        (NYC Local Law 144), as the compliance pages' JSON download. 400 when too few
        candidates are covered for figures that cannot point at people."""
        if not has_role(request.user, Role.COMPLIANCE):
            raise PermissionDenied("The key's owner does not hold the Compliance role.")
        query = BiasAuditQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            assessment = selectors.assessment_by_slug(slug)
        except UnknownAssessment as error:
            raise NotFound(str(error)) from error
        try:
            output = services.export_bias_audit(
                assessment,
                format="json",
                actor=actor_for_user(request.user),
                **query.validated_data,
            )
        except ComplianceError as error:
            raise ValidationError(str(error)) from error
        return Response(services.bias_audit_document(assessment, output.report))
