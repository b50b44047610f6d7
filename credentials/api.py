"""The public verification API: POST a credential as JSON, get the report of every check."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from credentials.proofs import VERIFY_LIMITS
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
