"""What a pass earns: issuer keys, issuance jobs, credentials, status lists and the LER.

Secret keys never live in these tables: `IssuerKey` holds the public half and where the
secret is kept (a file under ISSUER_KEY_DIR, or the ISSUER_SECRET_KEY environment variable).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from outbox.models import OutboxJob


class IssuerKey(models.Model):
    """One Ed25519 signing key of the issuer. At most one is active; retired keys stay published."""

    class Storage(models.TextChoices):
        FILE = "file", "Key file"
        ENVIRONMENT = "env", "Environment variable"

    kid = models.CharField("key id", max_length=40, unique=True)
    public_key_multibase = models.CharField(max_length=64, unique=True)
    controller = models.CharField(
        max_length=300, help_text="The issuer DID when the key was made (it signs as this DID)."
    )
    storage = models.CharField(max_length=10, choices=Storage.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_issuer_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kid} ({'active' if self.is_active else 'retired'})"


class StatusList(models.Model):
    """A Bitstring Status List (revocation) and the signed credential that publishes it.

    Indexes are handed out from `next_position` under a row lock and never reused; a position
    is scrambled into an index by an affine bijection modulo the (power-of-two) size, so that
    neighbouring credentials do not sit on neighbouring bits.
    """

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", "Revocation"

    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.REVOCATION)
    size = models.PositiveIntegerField()
    bits = models.BinaryField()
    next_position = models.PositiveIntegerField(default=0)
    multiplier = models.PositiveIntegerField(help_text="Odd, so the index bijection holds.")
    offset = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # The signed BitstringStatusListCredential as served, its sha256 (the ETag), and when.
    signed_json = models.TextField(blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_position__lte=models.F("size")), name="status_list_not_overfull"
            ),
        ]

    def __str__(self) -> str:
        return f"Status list {self.pk} ({self.next_position}/{self.size} used)"

    @property
    def is_full(self) -> bool:
        return self.next_position >= self.size

    def index_at(self, position: int) -> int:
        """The bit index of the `position`-th credential on this list."""
        return (position * self.multiplier + self.offset) % self.size


class LearnerRecord(models.Model):
    """A candidate's Learning and Employment Record, created at their first credential.

    It is keyed by a keyed HMAC of their email address (``services.learner_email_hash``): the
    address itself stays with the invitation, and a sign-in link is sent only to an address
    someone types in that hashes to this record. Erasing the last invitation to the address
    deletes the record, hash and all; its credentials stay, signed, without a record.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email_hash = models.CharField(max_length=64, unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    subject_did = models.CharField(
        "holder DID",
        max_length=300,
        blank=True,
        help_text="When set, later credentials name this DID as their subject.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"LER {self.public_id}"


class IssuanceJob(OutboxJob):
    """Outbox row: one per passed score run and achievement."""

    task_name = "credentials.tasks.issue_credentials"

    run = models.ForeignKey(
        "scoring.ScoreRun", on_delete=models.PROTECT, related_name="issuance_jobs"
    )
    attempt = models.ForeignKey(
        "assessments.Attempt", on_delete=models.PROTECT, related_name="issuance_jobs"
    )
    achievement = models.CharField(max_length=120, help_text="<assessment slug>/v<version>")
    credential_uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The status list index is reserved (and committed) before signing, so retries reuse it.
    status_list = models.ForeignKey(
        StatusList, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status_index = models.PositiveIntegerField(null=True, blank=True)

    class Meta(OutboxJob.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["run", "achievement"], name="one_job_per_run_achievement"
            ),
            models.UniqueConstraint(
                fields=["attempt", "achievement"], name="one_job_per_attempt_achievement"
            ),
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="job_status_index_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Issuance job {self.pk} ({self.state})"


class Credential(models.Model):
    """An issued, signed Open Badges 3.0 credential. The document is stored byte for byte."""

    public_id = models.UUIDField(unique=True, editable=False)
    job = models.OneToOneField(IssuanceJob, on_delete=models.PROTECT, related_name="credential")
    run = models.ForeignKey("scoring.ScoreRun", on_delete=models.PROTECT, related_name="+")
    attempt = models.ForeignKey(
        "assessments.Attempt", on_delete=models.PROTECT, related_name="credentials"
    )
    achievement = models.CharField(max_length=120)
    # Null once the candidate's record was erased: the signed credential outlives it.
    record = models.ForeignKey(
        LearnerRecord,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credentials",
    )
    issuer_key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="+")
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    status_index = models.PositiveIntegerField()
    name = models.CharField(max_length=300)
    # Text, not jsonb: the stored bytes are the signed bytes (jsonb would reorder keys).
    document = models.TextField()
    document_sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    # When the email telling the candidate was queued (outbox.Email, sent with retries).
    emailed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "achievement"], name="one_credential_per_run_achievement"
            ),
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="credential_status_index_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.public_id})"

    @property
    def urn(self) -> str:
        return f"urn:uuid:{self.public_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class LerAccessToken(models.Model):
    """A single-use sign-in link to a learner record. Only the token's hash is stored."""

    record = models.ForeignKey(LearnerRecord, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Sign-in link for {self.record_id} ({'used' if self.used_at else 'unused'})"


class ShareLink(models.Model):
    """A public link to one credential that its holder made and can delete at any time.

    Only the token's hash is stored (as for invitations and sign-in links): the link is shown
    to its holder once, when it is made.
    """

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="shares")
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Share link {self.pk} for {self.credential_id}"
