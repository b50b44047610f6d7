"""The public verification API (POST a credential as JSON, get the report of every check) and
the integration API's credential endpoints (list and revoke, with the credentials:manage scope)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.filters import ListFilters, valid_filters
from apikeys.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from apikeys.models import Scope
from apikeys.views import IntegrationView
from assessments.selectors import assessments_visible_to
from credentials.exceptions import AccessDenied, InvalidInput
from credentials.models import Credential
from credentials.proofs import VERIFY_LIMITS
from credentials.services import revoke_credential
from credentials.throttles import VerifyThrottle
from credentials.verification import max_embedded_for, unreadable, verify_credential


class RawJsonParser(BaseParser):
    """Keeps the body as bytes: the verifier parses it itself, within its size limit."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read(VERIFY_LIMITS.max_bytes + 1) if stream is not None else b""


class CheckSerializer(serializers.Serializer):
    name = serializers.ChoiceField(
        ["proof", "issuer", "trust", "status", "validity", "schema", "embedded"]
    )
    label = serializers.CharField()
    status = serializers.ChoiceField(["passed", "failed", "unchecked", "not_applicable"])
    detail = serializers.CharField(help_text="Why, in a sentence.")


class ReportSerializer(serializers.Serializer):
    verified = serializers.BooleanField(
        help_text="Every check passed or does not apply, the issuer's trust included."
    )
    outcome = serializers.ChoiceField(
        ["verified", "failed", "untrusted", "incomplete"],
        help_text="`untrusted`: the signature is valid, but the key is neither this service's "
        "nor on its trust list; anyone can make such a key, so the issuer name proves nothing.",
    )
    summary = serializers.CharField(help_text="The verdict in a sentence a person can read.")
    checks = CheckSerializer(many=True)
    credential = serializers.DictField(help_text="id, type, name, issuer, validity, as given.")
    checked_at = serializers.DateTimeField()


class VerifyCredentialView(APIView):
    """Verify a credential. Body: the credential JSON (at most 256 KiB).

    Answers 200 with `{"verified", "outcome", "summary", "checks": [...], "credential",
    "checked_at"}` whatever the outcome; 413 when the body is too large; 415 when it is not
    application/json; 429 when this client address sent too many (VERIFY_API_RATE, shared
    with the verification page).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [RawJsonParser]
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        operation_id="verify_credential",
        summary="Verify a credential",
        request={"application/json": OpenApiTypes.OBJECT},
        responses={
            200: ReportSerializer,
            413: OpenApiResponse(ReportSerializer, description="The body is too large."),
            429: OpenApiResponse(description="Too many verifications from this address."),
        },
        auth=[],
    )
    def post(self, request):
        body = request.data if isinstance(request.data, bytes) else b""
        if len(body) > VERIFY_LIMITS.max_bytes:
            report = unreadable(f"The request body is larger than {VERIFY_LIMITS.max_bytes} bytes.")
            return Response(report.to_dict(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        report = verify_credential(body, max_embedded=max_embedded_for(request.user))
        return Response(report.to_dict())


# --- The integration API: list and revoke ------------------------------------------------------


class CredentialSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    urn = serializers.CharField(help_text="The credential's id inside its document.")
    name = serializers.CharField()
    achievement = serializers.CharField(help_text="Which achievement of the assessment.")
    attempt = serializers.UUIDField(source="attempt.public_id")
    invitation = serializers.UUIDField(source="attempt.invitation.public_id")
    external_id = serializers.CharField(source="attempt.invitation.external_id", allow_blank=True)
    assessment = serializers.SlugField(source="attempt.version.assessment.slug")
    issued_at = serializers.DateTimeField()
    valid_until = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class RevokeRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000, help_text="Why: kept in the audit log (not shown to verifiers)."
    )


def _credentials(user):
    return (
        Credential.objects.filter(attempt__version__assessment__in=assessments_visible_to(user))
        .select_related("attempt__invitation", "attempt__version__assessment")
        .order_by("-issued_at", "-pk")
    )


class CredentialList(IntegrationView):
    is_list = True
    required_scope = Scope.CREDENTIALS_MANAGE
    serializer_class = CredentialSerializer

    @extend_schema(
        operation_id="list_credentials",
        summary="List credentials",
        parameters=[ListFilters],
    )
    def get(self, request):
        """Credentials issued for the assessments the key's owner may see, newest first."""
        credentials = _credentials(request.user)
        wanted = valid_filters(ListFilters, request.query_params)
        if "assessment" in wanted:
            credentials = credentials.filter(
                attempt__version__assessment__slug=wanted["assessment"]
            )
        if "external_id" in wanted:
            credentials = credentials.filter(attempt__invitation__external_id=wanted["external_id"])
        self.paginator.ordering = ("-issued_at", "-pk")
        return self.paginated(credentials)


class CredentialRevoke(IntegrationView):
    required_scope = Scope.CREDENTIALS_MANAGE
    serializer_class = CredentialSerializer

    @extend_schema(
        operation_id="revoke_credential",
        summary="Revoke a credential",
        request=RevokeRequestSerializer,
        responses={200: CredentialSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request, public_id):
        """Revoke a credential: its status bit is set and the status list re-signed, so every
        verifier sees it revoked. Revoking twice is harmless."""
        credential = get_object_or_404(_credentials(request.user), public_id=public_id)
        body = RevokeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            revoke_credential(credential, reason=body.validated_data["reason"], user=request.user)
        except AccessDenied as error:
            raise PermissionDenied(str(error)) from error
        except InvalidInput as error:
            raise ValidationError({"reason": [str(error)]}) from error
        credential.refresh_from_db()
        return Response(self.get_serializer(credential).data)
