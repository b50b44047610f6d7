"""Integration API keys and the responses kept for Idempotency-Key replays.

A key acts for its owner, a staff user: it sees exactly what the owner may see, narrowed by
its scopes. Only a hash of the key is stored; the key itself is shown once, at creation.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class Scope(models.TextChoices):
    """What a key may do; every endpoint names the one scope it needs."""

    INVITE = "invite", "Read assessments and invite candidates"
    RESULTS_READ = "results:read", "Read attempts and results"
    CREDENTIALS_MANAGE = "credentials:manage", "List and revoke credentials"
    COMPLIANCE_READ = "compliance:read", "Read bias-audit reports (Compliance role)"
    WEBHOOKS_MANAGE = "webhooks:manage", "Manage webhook subscriptions"


class ApiKey(models.Model):
    """A Bearer key for one integration (an applicant tracking system, a script)."""

    name = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_keys"
    )
    # The first characters of the key, so people can tell keys apart in lists and logs.
    prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    rate_per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Requests per minute for this key; empty uses API_KEY_RATE_PER_MINUTE.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotentRequest(models.Model):
    """The first response to a POST sent with an Idempotency-Key, returned again for repeats."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # What the first request asked for: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="one_response_per_key"),
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.api_key_id}:{self.key}"
