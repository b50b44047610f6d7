"""Integration API of the assessments domain: assessments and their published versions, and
invitations (create one or many, list, read, cancel).

A key sees the assessments its owner may see (assessments.selectors); it invites only to
those its owner recruits for. The invitation link is in the 201 response and never again:
only its token's hash is stored.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, TextChoices
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apikeys.filters import ListFilters, valid_filters
from apikeys.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from apikeys.models import Scope
from apikeys.views import IntegrationView
from assessments import selectors, services
from assessments.emails import candidate_link
from assessments.exceptions import InvitationUnavailable
from assessments.models import AssessmentVersion, Attempt, Invitation

MAX_BATCH = 100
MAX_VALID_DAYS = 365

# --- Assessments -------------------------------------------------------------------------------


class SkillSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True, required=False)


class PassRulesSerializer(serializers.Serializer):
    overall_threshold = serializers.FloatField(help_text="Overall score (0..100) to pass.")
    skill_thresholds = serializers.DictField(
        child=serializers.FloatField(), help_text="Per skill id, the score (0..100) to pass."
    )
    certifies = serializers.ListField(
        child=serializers.CharField(), help_text="Skill ids a pass certifies (credentials)."
    )


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    content_sha256 = serializers.CharField(help_text="SHA-256 of the frozen document.")
    time_limit_minutes = serializers.IntegerField()
    skills = SkillSerializer(many=True, source="content.skills")
    pass_rules = PassRulesSerializer(source="content.pass_rules")


class AssessmentSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    role = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    versions = VersionSerializer(
        many=True, help_text="Published versions, newest first; invitations use the newest."
    )


def _published_assessments(user):
    versions = AssessmentVersion.objects.order_by("-number")
    return (
        selectors.assessments_visible_to(user)
        .filter(versions__isnull=False)
        .distinct()
        .prefetch_related(Prefetch("versions", queryset=versions))
    )


class AssessmentList(IntegrationView):
    is_list = True
    required_scope = (Scope.INVITE, Scope.RESULTS_READ)
    serializer_class = AssessmentSerializer

    @extend_schema(operation_id="list_assessments", summary="List assessments")
    def get(self, request):
        """The published assessments the key's owner may see, by slug."""
        self.paginator.ordering = ("slug",)
        return self.paginated(_published_assessments(request.user))


class AssessmentDetail(IntegrationView):
    required_scope = (Scope.INVITE, Scope.RESULTS_READ)
    serializer_class = AssessmentSerializer

    @extend_schema(operation_id="get_assessment", summary="Read an assessment")
    def get(self, request, slug: str):
        """One assessment with its published versions, skills and pass rules."""
        assessment = get_object_or_404(_published_assessments(request.user), slug=slug)
        return Response(self.get_serializer(assessment).data)


# --- Invitations -------------------------------------------------------------------------------


class InvitationStatus(TextChoices):
    """Where an invitation stands, for the API (derived, never stored)."""

    PENDING = "pending"
    STARTED = "started"
    SUBMITTED = "submitted"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


def invitation_status(invitation: Invitation) -> InvitationStatus:
    """From its attempts (prefetched), cancellation and expiry."""
    attempts = list(invitation.attempts.all())
    if attempts:
        latest = max(attempts, key=lambda attempt: attempt.started_at)
        submitted = latest.state == Attempt.State.SUBMITTED
        return InvitationStatus.SUBMITTED if submitted else InvitationStatus.STARTED
    if invitation.cancelled_at:
        return InvitationStatus.CANCELLED
    if selectors.invitation_expired(invitation):
        return InvitationStatus.EXPIRED
    return InvitationStatus.PENDING


class InvitationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    assessment = serializers.SlugField(source="version.assessment.slug")
    version = serializers.IntegerField(source="version.number")
    name = serializers.CharField(source="candidate_name")
    email = serializers.EmailField(source="candidate_email")
    external_id = serializers.CharField(allow_blank=True)
    status = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    available_from = serializers.DateTimeField(
        allow_null=True, help_text="The assessment can be started from then (notice period)."
    )
    sent_at = serializers.DateTimeField(allow_null=True, help_text="When it was emailed.")
    cancelled_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(InvitationStatus.choices))
    def get_status(self, invitation: Invitation) -> str:
        return invitation_status(invitation)

    @extend_schema_field(
        serializers.ListField(
            child=serializers.UUIDField(), help_text="Its attempts (GET /api/v1/attempts/{id})."
        )
    )
    def get_attempts(self, invitation: Invitation) -> list[str]:
        return [str(attempt.public_id) for attempt in invitation.attempts.all()]


class CreatedInvitationSerializer(InvitationSerializer):
    invitation_url = serializers.URLField(
        help_text="The candidate's link. Returned once, here: only its hash is stored."
    )


class InvitationRequestSerializer(serializers.Serializer):
    assessment = serializers.SlugField(help_text="The assessment's slug; its newest version.")
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    external_id = serializers.CharField(
        max_length=200, required=False, default="", help_text="Your id for this candidate."
    )
    send_email = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Email the link to the candidate; otherwise send `invitation_url` yourself.",
    )
    valid_days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_VALID_DAYS,
        required=False,
        help_text=f"Days the link stays valid (default {settings.INVITATION_TTL_DAYS}).",
    )
    allow_retake = serializers.BooleanField(required=False, default=False)

    def validate_name(self, name: str) -> str:
        if not name.strip():
            raise ValidationError("Give the candidate's name.")
        return name.strip()

    def validate_assessment(self, slug: str) -> AssessmentVersion:
        """The newest version of an assessment the key's owner recruits for."""
        user = self.context["request"].user
        assessment = selectors.assessments_recruited_by(user).filter(slug=slug).first()
        version = assessment and assessment.versions.order_by("-number").first()
        if version is None:
            raise ValidationError(
                f"No published assessment {slug!r} that this key's owner recruits for."
            )
        return version


class BatchRequestSerializer(serializers.Serializer):
    invitations = InvitationRequestSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)


class BatchResponseSerializer(serializers.Serializer):
    invitations = CreatedInvitationSerializer(many=True)


def _invite(data: dict, user) -> dict:
    days = data.get("valid_days")
    invitation, token = services.invite_candidate(
        data["assessment"],
        name=data["name"],
        email=data["email"],
        external_id=data["external_id"],
        send=data["send_email"],
        allow_retake=data["allow_retake"],
        ttl=timedelta(days=days) if days else None,
        user=user,
    )
    invitation = _invitations(user).get(pk=invitation.pk)
    invitation.invitation_url = candidate_link(token)
    return CreatedInvitationSerializer(invitation).data


def _invitations(user):
    return (
        Invitation.objects.filter(version__assessment__in=selectors.assessments_recruited_by(user))
        .select_related("version__assessment")
        .prefetch_related("attempts")
    )


_INVITATION_EXAMPLE = OpenApiExample(
    "Invite and send the link yourself",
    value={
        "assessment": "support-specialist",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "external_id": "greenhouse-application-4711",
    },
    request_only=True,
)


_CREATED_INVITATION_EXAMPLE = OpenApiExample(
    "Invited with its link",
    description="The link is in this answer only: only its hash is stored.",
    response_only=True,
    status_codes=["201"],
    value={
        "id": "0b7e5c1a-9f3d-4c2b-8a1e-2d3c4b5a6978",
        "assessment": "support-escalation",
        "version": 3,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "external_id": "greenhouse-application-4711",
        "status": "pending",
        "created_at": "2026-12-03T08:00:00Z",
        "expires_at": "2026-12-17T08:00:00Z",
        "available_from": None,
        "sent_at": None,
        "cancelled_at": None,
        "attempts": [],
        "invitation_url": "https://skillproof.example.com/a/Vq3n2u7p-Xh0d1r8YkqB5sLw9zT4cE6f/",
    },
)


class InvitationList(IntegrationView):
    is_list = True
    required_scope = Scope.INVITE
    serializer_class = InvitationSerializer

    @extend_schema(
        operation_id="list_invitations",
        summary="List invitations",
        parameters=[ListFilters],
    )
    def get(self, request):
        """Invitations to the assessments the key's owner recruits for, newest first."""
        invitations = _invitations(request.user)
        wanted = valid_filters(ListFilters, request.query_params)
        if "assessment" in wanted:
            invitations = invitations.filter(version__assessment__slug=wanted["assessment"])
        if "external_id" in wanted:
            invitations = invitations.filter(external_id=wanted["external_id"])
        return self.paginated(invitations)

    @extend_schema(
        operation_id="create_invitation",
        summary="Invite a candidate",
        request=InvitationRequestSerializer,
        responses={201: CreatedInvitationSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[_INVITATION_EXAMPLE, _CREATED_INVITATION_EXAMPLE],
    )
    @idempotent
    def post(self, request):
        """Invite one candidate to an assessment's newest version. The response carries the
        `invitation_url` once; `send_email` also emails it to the candidate."""
        serializer = InvitationRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return Response(_invite(serializer.validated_data, request.user), status=201)


class InvitationBatch(IntegrationView):
    required_scope = Scope.INVITE
    serializer_class = BatchResponseSerializer

    @extend_schema(
        operation_id="create_invitations",
        summary="Invite many candidates",
        request=BatchRequestSerializer,
        responses={201: BatchResponseSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request):
        """Invite up to 100 candidates at once: all of them, or (when any item is
        invalid) none, with every error's path (`invitations.2.email`)."""
        serializer = BatchRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            created = [
                _invite(item, request.user) for item in serializer.validated_data["invitations"]
            ]
        return Response({"invitations": created}, status=201)


class InvitationDetail(IntegrationView):
    required_scope = Scope.INVITE
    serializer_class = InvitationSerializer

    @extend_schema(operation_id="get_invitation", summary="Read an invitation")
    def get(self, request, public_id):
        """One invitation (without its link: only the token's hash is stored)."""
        invitation = get_object_or_404(_invitations(request.user), public_id=public_id)
        return Response(self.get_serializer(invitation).data)


class InvitationCancel(IntegrationView):
    required_scope = Scope.INVITE
    serializer_class = InvitationSerializer

    @extend_schema(
        operation_id="cancel_invitation",
        summary="Cancel an invitation",
        request=None,
        responses={200: InvitationSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request, public_id):
        """Withdraw an invitation that was not started: its link opens nothing any more.
        Cancelling twice is harmless; a started invitation answers 400."""
        invitation = get_object_or_404(_invitations(request.user), public_id=public_id)
        try:
            services.cancel_invitation(invitation, user=request.user)
        except InvitationUnavailable as error:
            raise ValidationError({"id": [str(error)]}) from error
        invitation = _invitations(request.user).get(pk=invitation.pk)
        return Response(self.get_serializer(invitation).data, status=status.HTTP_200_OK)
