"""Every write of the credentials domain: issue, revoke, rotate, and the learner's record.

Issuance is an outbox (``outbox.OutboxJob``): `request_issuance_for_passes` finds passed,
current score runs without a job and writes an `IssuanceJob` per run and achievement (unique
constraints make a second request or a duplicated message harmless), and
`issue_credential(job_id)` signs exactly one credential per job. Scoring never calls in here:
credentials reads scoring, not the reverse.
"""

import hashlib
import json
import logging
import math
import secrets
import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.crypto import salted_hmac

from assessments.models import AssessmentVersion
from assessments.selectors import automation_paused, invitation_erased, paused_assessment_ids
from assessments.tokens import hash_token, new_token
from audit.roles import Role, has_role
from audit.services import Action, actor_for_user, record_event
from credentials import conf, documents, events, keys
from credentials.exceptions import (
    AccessDenied,
    InvalidInput,
    LinkUnavailable,
    PermanentIssuanceError,
)
from credentials.models import (
    Credential,
    IssuanceJob,
    LearnerRecord,
    LerAccessToken,
    ShareLink,
    StatusList,
)
from credentials.proofs import Limits, ProofError, StatusBitstring, sign
from credentials.schemas import ACHIEVEMENT_CREDENTIAL, schema_errors
from outbox import services as outbox
from scoring.engine import ENGINE_VERSION, SKILL_BANDS
from scoring.models import ScoreRun

logger = logging.getLogger(__name__)

# A CLR bundles many credentials; we build it ourselves, so it may be bigger than what the
# public verifier accepts from strangers.
CLR_LIMITS = Limits(max_bytes=4 * 1024 * 1024, max_seconds=30.0)


def current_issuer() -> documents.Issuer:
    """The issuer as this deployment is configured now."""
    return documents.Issuer(
        id=keys.issuer_id(),
        name=conf.issuer_name(),
        url=conf.issuer_url(),
        description=conf.issuer_description(),
        email=conf.issuer_email(),
    )


def achievement_key(version) -> str:
    """The achievement a pass of this version earns: `<slug>/v<number>`."""
    return f"{version.assessment.slug}/v{version.number}"


def scored_version(run: ScoreRun) -> AssessmentVersion:
    """The version whose frozen content the run scored: the run's own when it names one (a
    re-score against a corrected version), else the attempt's."""
    version_id = getattr(run, "version_id", None)
    if version_id and version_id != run.attempt.version_id:
        return AssessmentVersion.objects.select_related("assessment").get(pk=version_id)
    return run.attempt.version


# --- Status lists ----------------------------------------------------------------------------


def status_list_url(status_list: StatusList) -> str:
    """The stable public URL of a status list credential."""
    return f"{conf.site_url()}/credentials/status/{status_list.pk}"


def _new_status_list() -> StatusList:
    size = conf.status_list_size()
    StatusBitstring(size)  # refuses a size below the specification's minimum
    multiplier = secrets.randbelow(size - 1) + 1
    while math.gcd(multiplier, size) != 1:
        multiplier = secrets.randbelow(size - 1) + 1
    return StatusList.objects.create(
        size=size, bits=bytes(size // 8), multiplier=multiplier, offset=secrets.randbelow(size)
    )


@transaction.atomic
def reserve_status_index() -> tuple[StatusList, int]:
    """The next unused index of the open status list (a new list when it is full)."""
    status_list = StatusList.objects.select_for_update().order_by("-pk").first()
    if status_list is None or status_list.is_full:
        status_list = StatusList.objects.select_for_update().get(pk=_new_status_list().pk)
    position = status_list.next_position
    StatusList.objects.filter(pk=status_list.pk).update(next_position=F("next_position") + 1)
    return status_list, status_list.index_at(position)


def publish_status_list(status_list: StatusList) -> StatusList:
    """Sign the list's current bits as a BitstringStatusListCredential and store it to serve."""
    with transaction.atomic():
        status_list = StatusList.objects.select_for_update().get(pk=status_list.pk)
        key = keys.signing_key()
        now = timezone.now()
        unsigned = documents.status_list_credential(
            status_list_url(status_list),
            keys.issuer_id(),
            StatusBitstring.from_bytes(bytes(status_list.bits)).encode(),
            documents.format_datetime(now),
            status_list.purpose,
        )
        signed = sign(unsigned, key.private_key, key.verification_method, now)
        text = json.dumps(signed, ensure_ascii=False, indent=2)
        status_list.signed_json = text
        status_list.signed_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        status_list.signed_at = now
        status_list.save(update_fields=["signed_json", "signed_sha256", "signed_at"])
    return status_list


# --- Issuance --------------------------------------------------------------------------------


def issuable_runs():
    """Passed, current, final score runs whose attempt has no issuance job yet, of assessments
    whose automation is not paused (human oversight: they wait for the resume)."""
    return (
        ScoreRun.objects.filter(passed=True, needs_review=False, superseded_by__isnull=True)
        .filter(~Exists(IssuanceJob.objects.filter(attempt=OuterRef("attempt"))))
        .exclude(attempt__version__assessment_id__in=paused_assessment_ids())
        .select_related("attempt__version__assessment")
        .order_by("created_at", "pk")
    )


def request_issuance(run: ScoreRun) -> IssuanceJob | None:
    """Write the outbox row for a passed run (idempotent); the message leaves after commit.
    Nothing while the assessment's automation is paused."""
    if not run.passed or run.needs_review:
        return None
    if automation_paused(run.attempt.version.assessment_id):
        return None
    try:
        with transaction.atomic():
            job = IssuanceJob.objects.create(
                run=run,
                attempt=run.attempt,
                achievement=achievement_key(scored_version(run)),
                **outbox.pending_fields(),
            )
            outbox.enqueue_on_commit(job)
    except IntegrityError:
        return None  # another request wrote it first
    return job


def request_issuance_for_passes(limit: int = 200, *, run_id: int | None = None) -> int:
    """Write the jobs of passed runs that have none yet (only run ``run_id`` when given);
    returns how many. A stale job's lost message is the outbox sweeper's, not this."""
    runs = issuable_runs() if run_id is None else issuable_runs().filter(pk=run_id)
    created = sum(1 for run in runs[:limit] if request_issuance(run) is not None)
    if created:
        logger.info("Issuance: %d new job(s)", created)
    return created


def learner_email_hash(email: str) -> str:
    """The key of a learner record: an HMAC of the trimmed, lower-cased address.

    Keyed (``conf.ler_email_hash_key``) so that a copy of the table does not confirm an address
    to whoever hashes a guess: an unkeyed hash of an email address is as good as the address.
    """
    normalised = email.strip().lower()
    return salted_hmac(
        "skillproof.ler.email", normalised, secret=conf.ler_email_hash_key(), algorithm="sha256"
    ).hexdigest()


def record_for_email(email: str, display_name: str = "") -> LearnerRecord:
    """The learner record of an address, created at the first credential."""
    record, created = LearnerRecord.objects.get_or_create(
        email_hash=learner_email_hash(email), defaults={"display_name": display_name[:200]}
    )
    if not created and display_name and not record.display_name:
        record.display_name = display_name[:200]
        record.save(update_fields=["display_name"])
    return record


def _reserve_for_job(job_id: int) -> bool:
    """Reserve the job's status index in its own short transaction; False when nothing to do."""
    with transaction.atomic():
        job = (
            IssuanceJob.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id, state=IssuanceJob.State.PENDING)
            .first()
        )
        if job is None:
            return False
        if job.status_index is None:
            job.status_list, job.status_index = reserve_status_index()
            job.save(update_fields=["status_list", "status_index"])
    return True


def _valid_until(content: dict, issued_at):
    days = content.get("validity_days")
    return issued_at + timedelta(days=int(days)) if days else None


def _award(
    job: IssuanceJob, version, record: LearnerRecord, issued_at, valid_until
) -> documents.Award:
    run, attempt = job.run, job.attempt
    content = version.content
    breakdown = json.loads(run.breakdown_json)
    return documents.Award(
        credential_id=f"urn:uuid:{job.credential_uuid}",
        content=content,
        version_number=version.number,
        email=attempt.invitation.candidate_email,
        salt=secrets.token_hex(16),
        subject_did=record.subject_did,
        issued_at=documents.format_datetime(issued_at),
        valid_until=documents.format_datetime(valid_until) if valid_until else None,
        activity_start=documents.format_datetime(attempt.started_at),
        activity_end=documents.format_datetime(attempt.submitted_at or issued_at),
        overall_score=float(breakdown["overall"]["score"]),
        skill_results=documents.skill_results(breakdown, content["pass_rules"]["certifies"]),
        breakdown_sha256=run.breakdown_sha256,
        engine_version=breakdown.get("engine_version") or run.engine_version or ENGINE_VERSION,
        status_list_url=status_list_url(job.status_list),
        status_index=job.status_index,
    )


def issue_credential(job_id: int) -> Credential | None:
    """Sign and store the job's credential exactly once; a no-op when done or being run."""
    if not _reserve_for_job(job_id):
        return None
    with transaction.atomic():
        job = (
            IssuanceJob.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "run", "attempt__version__assessment", "attempt__invitation", "status_list"
            )
            .filter(pk=job_id, state=IssuanceJob.State.PENDING)
            .first()
        )
        if job is None:
            return None
        if automation_paused(job.attempt.version.assessment_id):
            # Written before the stop button was pressed: held, still pending, until the
            # resume (the outbox sweeper sends its message again).
            return None
        invitation = job.attempt.invitation
        if invitation_erased(invitation):
            raise PermanentIssuanceError("The candidate's personal data was erased.")
        record = record_for_email(invitation.candidate_email, invitation.candidate_name)
        key = keys.signing_key()
        issued_at = timezone.now().replace(microsecond=0)
        version = scored_version(job.run)
        valid_until = _valid_until(version.content, issued_at)
        award = _award(job, version, record, issued_at, valid_until)
        unsigned = documents.credential_document(
            award, conf.site_url(), current_issuer(), SKILL_BANDS
        )
        try:
            signed = sign(unsigned, key.private_key, key.verification_method, issued_at)
        except ProofError as exc:
            raise PermanentIssuanceError(f"The credential would not sign: {exc}") from exc
        problems = schema_errors(signed, ACHIEVEMENT_CREDENTIAL)
        if problems:
            raise PermanentIssuanceError(
                "The credential does not validate against the OB 3.0 schema: " + "; ".join(problems)
            )
        text = json.dumps(signed, ensure_ascii=False, indent=2)
        credential = Credential.objects.create(
            public_id=job.credential_uuid,
            job=job,
            run=job.run,
            attempt=job.attempt,
            achievement=job.achievement,
            record=record,
            issuer_key=key.record,
            status_list=job.status_list,
            status_index=job.status_index,
            name=signed["name"][:300],
            document=text,
            document_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            issued_at=issued_at,
            valid_until=valid_until,
        )
        record_event(
            Action.CREDENTIAL_ISSUED,
            actor="system",
            subject=f"attempt:{job.attempt.public_id}",
            payload={
                "credential": credential.urn,
                "achievement": job.achievement,
                "run": job.run_id,
                "document_sha256": credential.document_sha256,
                "key": key.record.kid,
                "status_list": job.status_list_id,
                "status_index": job.status_index,
            },
        )
        outbox.mark_done(job)
        _queue_credential_email(credential)
        events.credential_issued(credential)
    return credential


def _queue_credential_email(credential: Credential) -> None:
    """Tell the candidate a credential is waiting, with a one-time link to their record: an
    email in the outbox, in the issuing transaction, so it is sent (with retries) or neither is."""
    from credentials.emails import credential_issued_message

    token = create_ler_token(credential.record, timedelta(days=conf.ler_issuance_link_days()))
    outbox.queue_email(
        credential_issued_message(credential, token), reference=f"credential:{credential.urn}"
    )
    credential.emailed_at = timezone.now()
    credential.save(update_fields=["emailed_at"])


# --- Revocation and keys ---------------------------------------------------------------------


def can_revoke(user) -> bool:
    """Recruiters and compliance officers may revoke credentials."""
    return has_role(user, Role.RECRUITER) or has_role(user, Role.COMPLIANCE)


def revoke_credential(credential: Credential, *, reason: str, user) -> Credential:
    """Revoke a credential with a reason: set its status bit, re-sign the list, audit it."""
    if not can_revoke(user):
        raise AccessDenied("Only recruiters and compliance officers can revoke credentials.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason for revoking; it is kept in the audit log.")
    with transaction.atomic():
        credential = Credential.objects.select_for_update().get(pk=credential.pk)
        if credential.revoked_at is not None:
            return credential
        status_list = StatusList.objects.select_for_update().get(pk=credential.status_list_id)
        bitstring = StatusBitstring.from_bytes(bytes(status_list.bits))
        bitstring.set(credential.status_index)
        status_list.bits = bitstring.to_bytes()
        status_list.save(update_fields=["bits"])
        credential.revoked_at = timezone.now()
        credential.revocation_reason = reason[:4000]
        credential.revoked_by = user
        credential.save(update_fields=["revoked_at", "revocation_reason", "revoked_by"])
        publish_status_list(status_list)
        record_event(
            Action.CREDENTIAL_REVOKED,
            actor=actor_for_user(user),
            subject=f"attempt:{credential.attempt.public_id}",
            payload={
                "credential": credential.urn,
                "reason": reason[:1000],
                "status_list": status_list.pk,
                "status_index": credential.status_index,
            },
        )
        events.credential_revoked(credential)
    return credential


def rotate_issuer_key(user=None):
    """A new signing key from now on; every earlier key stays published and keeps verifying."""
    with transaction.atomic():
        key = keys.rotate()
        record_event(
            Action.ISSUER_KEY_ROTATED,
            actor=actor_for_user(user),
            subject=f"issuer_key:{key.kid}",
            payload={"kid": key.kid, "public_key_multibase": key.public_key_multibase},
        )
    return key


# --- The learner's record --------------------------------------------------------------------


def create_ler_token(record: LearnerRecord, ttl: timedelta) -> str:
    """A single-use sign-in token for a record; only its hash is stored."""
    token = new_token()
    LerAccessToken.objects.create(
        record=record, token_hash=hash_token(token), expires_at=timezone.now() + ttl
    )
    return token


def request_ler_link(email: str) -> bool:
    """Email a sign-in link if a record exists for this address (and it is not rate-limited).

    The caller shows the same message either way, so nobody learns who holds credentials.
    """
    from credentials.emails import ler_link_message

    email = (email or "").strip()
    record = LearnerRecord.objects.filter(email_hash=learner_email_hash(email)).first()
    if record is None:
        return False
    recent = record.tokens.filter(created_at__gte=timezone.now() - timedelta(hours=1)).count()
    if recent >= conf.ler_links_per_hour():
        return False
    with transaction.atomic():
        token = create_ler_token(record, timedelta(minutes=conf.ler_link_minutes()))
        outbox.queue_email(ler_link_message(email, token), reference=f"ler:{record.public_id}")
    return True


@transaction.atomic
def redeem_ler_token(token: str) -> LearnerRecord:
    """Use a sign-in token once; returns its record or raises `LinkUnavailable`."""
    if not token or len(token) > 200:
        raise LinkUnavailable("This sign-in link is not valid.")
    access = (
        LerAccessToken.objects.select_for_update()
        .select_related("record")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if access is None:
        raise LinkUnavailable("This sign-in link is not valid.")
    if access.used_at is not None:
        raise LinkUnavailable("This sign-in link has already been used; ask for a new one.")
    if access.expires_at <= timezone.now():
        raise LinkUnavailable("This sign-in link has expired; ask for a new one.")
    access.used_at = timezone.now()
    access.save(update_fields=["used_at"])
    return access.record


def set_subject_did(record: LearnerRecord, did: str) -> LearnerRecord:
    """Name a DID the learner controls as the subject of their later credentials ('' clears)."""
    did = (did or "").strip()
    if did and (
        not did.startswith("did:")
        or len(did) > 300
        or any(char.isspace() for char in did)
        or did.count(":") < 2
    ):
        raise InvalidInput("A DID looks like did:key:z6Mk… or did:web:example.com.")
    record.subject_did = did
    record.save(update_fields=["subject_did"])
    return record


def create_share_link(
    credential: Credential, *, expires_in_days: int | None = None, label: str = ""
) -> tuple[ShareLink, str]:
    """A public link to one credential, optionally expiring: the link and its token.

    Only the token's hash is stored, so the caller shows the token now or never.
    """
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise InvalidInput("A share link can expire after 1 to 3650 days, or never.")
    token = new_token()
    share = ShareLink.objects.create(
        credential=credential,
        token_hash=hash_token(token),
        label=(label or "").strip()[:120],
        expires_at=(timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None),
    )
    return share, token


def delete_share_link(share: ShareLink) -> None:
    """Delete a share link: its page stops working at once."""
    ShareLink.objects.filter(pk=share.pk).delete()


def record_share_view(share: ShareLink) -> None:
    """Count one view of a share page."""
    ShareLink.objects.filter(pk=share.pk).update(
        view_count=F("view_count") + 1, last_viewed_at=timezone.now()
    )


def export_clr(record: LearnerRecord, email: str | None = None) -> dict:
    """A signed CLR 2.0 ClrCredential holding the record's credentials that are not revoked.

    The subject is identified like the credentials inside it: by a salted hash of the
    candidate's address, read from the invitation of their latest credential.
    """
    credentials = list(
        record.credentials.filter(revoked_at__isnull=True)
        .select_related("attempt__invitation")
        .order_by("issued_at", "pk")
    )
    if not credentials:
        raise InvalidInput("There is no credential to export yet.")
    address = email or credentials[-1].attempt.invitation.candidate_email
    key = keys.signing_key()
    now = timezone.now().replace(microsecond=0)
    unsigned = documents.clr_document(
        f"urn:uuid:{uuid.uuid4()}",
        current_issuer(),
        documents.format_datetime(now),
        address,
        secrets.token_hex(16),
        record.subject_did,
        [json.loads(credential.document) for credential in credentials],
    )
    try:
        return sign(unsigned, key.private_key, key.verification_method, now, limits=CLR_LIMITS)
    except ProofError as exc:
        raise InvalidInput(f"The record could not be signed: {exc}") from exc


def erase_learner_record(email: str) -> dict:
    """Delete the learner record of an address, with its email hash, name, DID, sign-in and
    share links. For `compliance` erasure; returns what was removed.

    The signed credentials stay, detached from any record: they hold only a salted hash of the
    address, and deleting them would break verification for employers who hold copies.
    Revoking them is a separate, audited decision (`revoke_credential`).
    """
    record = LearnerRecord.objects.filter(email_hash=learner_email_hash(email)).first()
    if record is None:
        return {"record": False, "share_links": 0, "sign_in_links": 0}
    with transaction.atomic():
        share_links, _ = ShareLink.objects.filter(credential__record=record).delete()
        sign_in_links, _ = record.tokens.all().delete()
        record.delete()  # its credentials' record becomes null (SET_NULL)
    return {"record": True, "share_links": share_links, "sign_in_links": sign_in_links}
