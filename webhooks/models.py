"""Webhook subscriptions and their deliveries (outbox rows), following Standard Webhooks.

A subscription belongs to a staff user (the owner of the API key that created it, or the
admin user): it receives only the events about assessments its owner may see.
"""

from django.conf import settings
from django.db import models

from outbox.models import OutboxJob


class EventType(models.TextChoices):
    INVITATION_CREATED = "invitation.created"
    ATTEMPT_STARTED = "attempt.started"
    ATTEMPT_SUBMITTED = "attempt.submitted"
    ATTEMPT_SCORED = "attempt.scored"
    REVIEW_COMPLETED = "review.completed"
    DECISION_RECORDED = "decision.recorded"
    CREDENTIAL_ISSUED = "credential.issued"
    CREDENTIAL_REVOKED = "credential.revoked"


class Subscription(models.Model):
    """An endpoint that receives signed events of the chosen types."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(max_length=2000)
    events = models.JSONField(help_text="The event types delivered to this URL.")
    description = models.CharField(max_length=200, blank=True)
    # The signing secret, `whsec_` + base64 of 32 random bytes. Kept in clear because every
    # delivery is signed with it; shown once, at creation.
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # Failed delivery attempts since the last success: too many disable the subscription.
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "webhook subscription"

    def __str__(self) -> str:
        return self.url


class Delivery(OutboxJob):
    """One event for one subscription: pending until the receiver answers 2xx."""

    task_name = "webhooks.tasks.deliver_webhook"

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The Standard Webhooks `webhook-id`: receivers deduplicate on it, so retries and a
    # redelivery from the admin keep it.
    message_id = models.CharField(max_length=40, db_index=True)
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    # The exact bytes sent and signed (JSON).
    body = models.TextField()
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta(OutboxJob.Meta):
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription.url} ({self.state})"


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery: the log an integrator reads when a receiver fails."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "attempted_at"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.attempted_at:%H:%M:%S}: {self.status_code or 'error'}"
