"""Integration API of webhooks: subscribe an endpoint (the secret is in the 201 response
only), list, read, change and delete the key owner's subscriptions."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apikeys.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from apikeys.models import Scope
from apikeys.views import IntegrationView
from webhooks import services
from webhooks.exceptions import InvalidSubscription
from webhooks.models import EventType, Subscription


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.URLField(max_length=2000)
    events = serializers.ListField(
        child=serializers.ChoiceField(EventType.values), allow_empty=False
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(
        required=False, help_text="Off after repeated failures; set true to turn it on again."
    )
    disabled_reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class CreatedSubscriptionSerializer(SubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="`whsec_…`: verify each delivery's `webhook-signature` with it (Standard "
        "Webhooks). Returned once, here.",
    )


class SubscriptionChangeSerializer(SubscriptionSerializer):
    url = serializers.URLField(max_length=2000, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(EventType.values), allow_empty=False, required=False
    )


def _saved(call):
    """Run a subscription service, its refusals as field errors."""
    try:
        with transaction.atomic():
            return call()
    except InvalidSubscription as error:
        raise ValidationError({error.field or "non_field_errors": [str(error)]}) from error


_CREATED_SUBSCRIPTION_EXAMPLE = OpenApiExample(
    "Subscribed with its secret",
    description="The signing secret is in this answer only.",
    response_only=True,
    status_codes=["201"],
    value={
        "id": 7,
        "url": "https://ats.example.com/hooks/skillproof",
        "events": ["attempt.scored", "decision.recorded"],
        "description": "",
        "active": True,
        "disabled_reason": "",
        "created_at": "2026-12-03T08:00:00Z",
        "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2H6JXTs1pGU=",
    },
)


class SubscriptionList(IntegrationView):
    is_list = True
    required_scope = Scope.WEBHOOKS_MANAGE
    serializer_class = SubscriptionSerializer

    @extend_schema(operation_id="list_webhooks", summary="List webhook subscriptions")
    def get(self, request):
        """The subscriptions of the key's owner, newest first."""
        return self.paginated(Subscription.objects.filter(owner=request.user))

    @extend_schema(
        operation_id="create_webhook",
        summary="Subscribe to events",
        request=SubscriptionSerializer,
        responses={201: CreatedSubscriptionSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        examples=[
            OpenApiExample(
                "Scores and decisions",
                value={
                    "url": "https://ats.example.com/hooks/skillproof",
                    "events": ["attempt.scored", "decision.recorded"],
                },
                request_only=True,
            ),
            _CREATED_SUBSCRIPTION_EXAMPLE,
        ],
    )
    @idempotent
    def post(self, request):
        """Deliver the chosen events about the assessments the key's owner may see to `url`,
        signed (Standard Webhooks). The response carries the signing secret, once."""
        body = SubscriptionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        subscription = _saved(
            lambda: services.subscribe(
                owner=request.user,
                url=data["url"],
                events=data["events"],
                description=data.get("description", ""),
                user=request.user,
            )
        )
        return Response(
            CreatedSubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED
        )


class SubscriptionDetail(IntegrationView):
    required_scope = Scope.WEBHOOKS_MANAGE
    serializer_class = SubscriptionSerializer

    def _subscription(self, request, pk: int) -> Subscription:
        return get_object_or_404(Subscription.objects.filter(owner=request.user), pk=pk)

    @extend_schema(operation_id="get_webhook", summary="Read a webhook subscription")
    def get(self, request, pk: int):
        """One subscription (without its secret)."""
        return Response(self.get_serializer(self._subscription(request, pk)).data)

    @extend_schema(
        operation_id="update_webhook",
        summary="Change a webhook subscription",
        request=SubscriptionChangeSerializer,
        responses={200: SubscriptionSerializer},
    )
    def patch(self, request, pk: int):
        """Change the URL, events, description, or turn it on or off."""
        subscription = self._subscription(request, pk)
        body = SubscriptionChangeSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changed = _saved(
            lambda: services.change_subscription(
                subscription, user=request.user, **body.validated_data
            )
        )
        return Response(self.get_serializer(changed).data)

    @extend_schema(operation_id="delete_webhook", summary="Delete a webhook subscription")
    def delete(self, request, pk: int):
        """Stop deliveries to this URL and delete its log."""
        services.delete_subscription(self._subscription(request, pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
