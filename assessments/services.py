"""Every write the assessments domain knows about, one function each."""

import csv
import io
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone

import flow
from assessments import events, notices
from assessments.answers import clean_answer
from assessments.documents import validate_document
from assessments.exceptions import (
    AlreadyPaused,
    AttemptClosed,
    InvalidAnswer,
    InvitationUnavailable,
    NotPaused,
    NotYetAvailable,
)
from assessments.models import (
    AccommodationRequest,
    Assessment,
    AssessmentVersion,
    Attempt,
    AutomationPause,
    Invitation,
    InvitationImport,
    NoticeVersion,
    Response,
)
from assessments.published import published_versions
from assessments.selectors import CANCELLED_MESSAGE, ERASED_EMAIL_DOMAIN
from assessments.tokens import hash_token, new_token
from audit.canonical import json_sha256
from audit.services import Action, actor_for_user, record_event
from outbox import services as outbox
from scoring.services.outbox import request_scoring  # the one door from assessments to scoring

logger = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 64 * 1024


@transaction.atomic
def publish_document(document: dict, *, user=None) -> AssessmentVersion:
    """Validate a whole assessment document and freeze it as the next version."""
    validate_document(document)
    assessment, _ = Assessment.objects.select_for_update().update_or_create(
        slug=document["slug"],
        defaults={
            "title": document["title"],
            "role": document.get("role", ""),
            "description": document.get("description", ""),
        },
        # The recruiter who first publishes an assessment owns its results.
        create_defaults={
            "title": document["title"],
            "role": document.get("role", ""),
            "description": document.get("description", ""),
            "owner": user,
        },
    )
    last = assessment.versions.order_by("-number").first()
    sha = json_sha256(document)
    version = AssessmentVersion.objects.create(
        assessment=assessment,
        number=(last.number + 1) if last else 1,
        content=document,
        content_sha256=sha,
        published_by=user,
    )
    record_event(
        Action.VERSION_PUBLISHED,
        actor=actor_for_user(user),
        subject=f"version:{version.pk}",
        payload={"assessment": assessment.slug, "number": version.number, "content_sha256": sha},
    )
    return version


@transaction.atomic
def create_invitation(
    version: AssessmentVersion,
    *,
    name: str,
    email: str,
    user=None,
    ttl: timedelta | None = None,
    allow_retake: bool = False,
    token: str | None = None,
    available_from: datetime | None = None,
    external_id: str = "",
) -> tuple[Invitation, str]:
    """Invite one candidate; returns the invitation and the only copy of its token.

    The invitation carries the notice as it reads now. When the assessment's jurisdictions ask
    for a notice period, the assessment can be started only once it has run: ``available_from``
    may set a later start, never an earlier one.
    """
    token = token or new_token()
    now = timezone.now()
    notice_end = notices.notice_period_end(version.assessment, now)
    starts = max(filter(None, (available_from, notice_end)), default=None)
    invitation = Invitation.objects.create(
        version=version,
        candidate_name=name,
        candidate_email=email,
        token_hash=hash_token(token),
        expires_at=max(now, starts or now) + (ttl or timedelta(days=settings.INVITATION_TTL_DAYS)),
        allow_retake=allow_retake,
        created_by=user,
        available_from=starts,
        notice=notices.current_notice(version),
        external_id=external_id,
    )
    record_event(
        Action.INVITATION_CREATED,
        actor=actor_for_user(user),
        subject=f"invitation:{invitation.public_id}",
        payload={
            "version": version.pk,
            "expires_at": invitation.expires_at.isoformat(),
            "available_from": starts.isoformat() if starts else None,
            "notice": invitation.notice.number,
            "notice_sha256": invitation.notice.content_sha256,
        },
    )
    events.invitation_created(invitation)
    return invitation, token


def _deadline_passed(attempt: Attempt) -> bool:
    return timezone.now() >= attempt.deadline


@transaction.atomic
def start_attempt(invitation: Invitation, *, notice: NoticeVersion | None = None) -> Attempt:
    """Record consent to ``notice`` (the notice the page showed) and open an attempt with a
    server-side deadline.

    Returns the open attempt when one exists, so a second device or a reload resumes it.
    Raises NotYetAvailable while the invitation's notice period runs.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    existing = invitation.attempts.order_by("-started_at").first()
    if existing and existing.state == Attempt.State.IN_PROGRESS:
        return existing
    if existing and not invitation.allow_retake:
        raise InvitationUnavailable("This invitation has already been used.")
    if invitation.cancelled_at is not None:
        raise InvitationUnavailable(CANCELLED_MESSAGE)
    now = timezone.now()
    if invitation.available_from and invitation.available_from > now:
        raise NotYetAvailable(invitation.available_from)
    if invitation.expires_at <= now:
        raise InvitationUnavailable("This invitation has expired.")
    if notice is None or notice.assessment_id != invitation.version.assessment_id:
        notice = notices.current_notice(invitation.version)
    content = invitation.version.content
    minutes = int(content["time_limit_minutes"]) + invitation.extra_time_minutes
    attempt = Attempt.objects.create(
        invitation=invitation,
        version=invitation.version,
        consent_at=now,
        notice=notice,
        deadline=now + timedelta(minutes=minutes),
        current_step=content["start"],
        path=[content["start"]],
    )
    subject = f"attempt:{attempt.public_id}"
    actor = f"candidate:{attempt.public_id}"
    record_event(
        Action.CONSENT_GIVEN,
        actor=actor,
        subject=subject,
        payload={
            "at": now.isoformat(),
            "notice": notice.number,
            "notice_sha256": notice.content_sha256,
        },
    )
    record_event(
        Action.ATTEMPT_STARTED,
        actor=actor,
        subject=subject,
        payload={
            "version_sha256": attempt.version.content_sha256,
            "deadline": attempt.deadline.isoformat(),
        },
    )
    events.attempt_started(attempt)
    return attempt


def _check_answer_size(answer: dict) -> None:
    if not isinstance(answer, dict):
        raise InvalidAnswer("An answer must be a JSON object.")
    size = len(json.dumps(answer, ensure_ascii=False).encode("utf-8"))
    if size > MAX_ANSWER_BYTES:
        raise InvalidAnswer(
            f"This answer is too large ({size} bytes; the limit is {MAX_ANSWER_BYTES})."
        )


def _lock_open_attempt(attempt: Attempt) -> Attempt:
    # The version comes along (without its document: see assessments.published).
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("version")
        .defer("version__content")
        .get(pk=attempt.pk)
    )
    if attempt.state != Attempt.State.IN_PROGRESS:
        raise AttemptClosed("This assessment has already been submitted.")
    if _deadline_passed(attempt):
        raise AttemptClosed("The time limit has passed; your saved answers have been submitted.")
    return attempt


def save_answer(attempt: Attempt, step_id: str, answer: dict) -> Response:
    """Autosave the answer to a step the candidate has reached.

    The answer is checked against the step's item first: a malformed or oversized answer
    raises InvalidAnswer and changes nothing. Usually one statement: the answer is checked
    against the attempt as the caller read it and written only if the attempt is still
    exactly that; when it is not, the attempt is locked and read again, and that decides.
    """
    _check_answer_size(answer)
    return _save_if_unchanged(attempt, step_id, answer) or _save_answer_locked(
        attempt, step_id, answer
    )


def _open(attempt: Attempt) -> bool:
    return attempt.state == Attempt.State.IN_PROGRESS and not _deadline_passed(attempt)


def _storable_answer(attempt: Attempt, step_id: str, answer: dict) -> dict:
    """The answer as stored, if the attempt accepts one for this step (else InvalidAnswer)."""
    if step_id not in attempt.path:
        raise InvalidAnswer("This step is not part of your assessment path.")
    if answer_is_final(attempt, step_id):
        raise InvalidAnswer(FINAL_ANSWER_MESSAGE)
    return clean_answer(published_versions.steps(attempt.version)[step_id]["item"], answer)


# Writes the answer only while the attempt is as the caller read it: open, before its deadline,
# on the same path and step. FOR SHARE makes a concurrent submit or Continue (which lock the
# attempt FOR UPDATE) wait for this statement, or this statement re-read the attempt after
# theirs and write nothing. One statement, so no transaction round trips either.
_SAVE_IF_UNCHANGED = f"""
    INSERT INTO {Response._meta.db_table} (attempt_id, step_id, answer, saved_at)
    SELECT id, %(step_id)s, %(answer)s::jsonb, %(now)s FROM {Attempt._meta.db_table}
    WHERE id = %(attempt)s AND state = %(open)s AND deadline > %(now)s
        AND path = %(path)s::jsonb AND current_step = %(current_step)s
    FOR SHARE
    ON CONFLICT (attempt_id, step_id)
        DO UPDATE SET answer = EXCLUDED.answer, saved_at = EXCLUDED.saved_at
    RETURNING saved_at
"""


def _save_if_unchanged(attempt: Attempt, step_id: str, answer: dict) -> Response | None:
    """The saved answer; None when the caller's copy of the attempt is out of date or refuses
    it (the locked path then decides, and says why), or off PostgreSQL."""
    if connection.vendor != "postgresql" or not _open(attempt):
        return None
    try:
        cleaned = _storable_answer(attempt, step_id, answer)
    except InvalidAnswer:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            _SAVE_IF_UNCHANGED,
            {
                "step_id": step_id,
                "answer": json.dumps(cleaned),
                "now": timezone.now(),
                "attempt": attempt.pk,
                "open": Attempt.State.IN_PROGRESS,
                "path": json.dumps(attempt.path),
                "current_step": attempt.current_step,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Response(attempt=attempt, step_id=step_id, answer=cleaned, saved_at=row[0])


@transaction.atomic
def _save_answer_locked(attempt: Attempt, step_id: str, answer: dict) -> Response:
    attempt = _lock_open_attempt(attempt)
    response = Response(
        attempt=attempt, step_id=step_id, answer=_storable_answer(attempt, step_id, answer)
    )
    Response.objects.bulk_create(
        [response],
        update_conflicts=True,
        unique_fields=["attempt", "step_id"],
        update_fields=["answer", "saved_at"],
    )
    return response


# ``Attempt.current_step`` once the candidate has passed the last step and reached the review
# page. Step ids match [a-z0-9-]+, so this can never be one.
REVIEW_STEP = "_review"

FINAL_ANSWER_MESSAGE = (
    "This answer decided where the scenario went next, so it is final now that you have "
    "moved on from it."
)


def steers(step: dict) -> bool:
    """Whether a step's answer can change which step comes next (a branch point)."""
    targets = {step.get("next")}
    targets |= {rule["next"] for rule in step.get("rules", [])}
    for option in step["item"].get("options", []):
        targets.add(option.get("next") or step.get("next"))
    return len(targets) > 1


def answer_is_final(attempt: Attempt, step_id: str) -> bool:
    """A branch point's answer is final once the candidate has continued past it.

    Otherwise a candidate could look down one branch, come back and pick another: in a
    scenario, as at work, a decision cannot be undone after its consequences are seen.
    """
    steps = published_versions.steps(attempt.version)
    if step_id not in attempt.path or not steers(steps[step_id]):
        return False
    return step_id != attempt.path[-1] or attempt.current_step == REVIEW_STEP


@transaction.atomic
def advance(attempt: Attempt, step_id: str) -> str | None:
    """Move past ``step_id``: the server decides the next step from the frozen version.

    Returns the next step id, or None when the step ends the assessment. Steps already seen
    after ``step_id`` stay on the path (with their answers) while the answers still lead
    through them; those on a branch the candidate left are dropped with their answers.
    """
    attempt = _lock_open_attempt(attempt)
    if step_id not in attempt.path:
        raise InvalidAnswer("This step is not part of your assessment path.")
    steps = published_versions.steps(attempt.version)
    answers = {r.step_id: r.answer for r in attempt.responses.all()}
    following = flow.next_step_id(steps[step_id], answers.get(step_id))
    index = attempt.path.index(step_id)
    path = attempt.path[: index + 1]
    upcoming = following
    for seen in attempt.path[index + 1 :]:
        if seen != upcoming:
            break
        path.append(seen)
        upcoming = flow.next_step_id(steps[seen], answers.get(seen))
    if following is not None and following not in path:
        path.append(following)
    reached_end_before = attempt.current_step == REVIEW_STEP and path == attempt.path
    if following is None or (reached_end_before and upcoming is None):
        attempt.current_step = REVIEW_STEP
    else:
        attempt.current_step = following
    attempt.path = path
    attempt.save(update_fields=["path", "current_step"])
    # Answers on a branch the candidate left would otherwise be scored.
    attempt.responses.exclude(step_id__in=path).delete()
    return following


def reached_review(attempt: Attempt) -> bool:
    """Whether the candidate has passed the last step of their path."""
    return attempt.current_step == REVIEW_STEP


@transaction.atomic
def submit_attempt(attempt: Attempt, *, auto: bool = False) -> Attempt:
    """Close the attempt and write its scoring job, in one transaction; idempotent."""
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.state == Attempt.State.SUBMITTED:
        return attempt
    attempt.state = Attempt.State.SUBMITTED
    attempt.submitted_at = timezone.now()
    attempt.auto_submitted = auto
    attempt.save(update_fields=["state", "submitted_at", "auto_submitted"])
    record_event(
        Action.ATTEMPT_AUTO_SUBMITTED if auto else Action.ATTEMPT_SUBMITTED,
        actor="system" if auto else f"candidate:{attempt.public_id}",
        subject=f"attempt:{attempt.public_id}",
        payload={"responses": attempt.responses.count(), "path": attempt.path},
    )
    request_scoring(attempt)
    events.attempt_submitted(attempt)
    return attempt


def submit_expired_attempts(limit: int = 500) -> int:
    """Submit attempts whose deadline has passed with whatever was saved; returns how many."""
    expired = Attempt.objects.filter(
        state=Attempt.State.IN_PROGRESS, deadline__lte=timezone.now()
    ).values_list("pk", flat=True)[:limit]
    count = 0
    for pk in expired:
        submit_attempt(Attempt(pk=pk), auto=True)
        count += 1
    return count


def close_if_expired(attempt: Attempt) -> Attempt:
    """Submit an open attempt whose deadline has passed, now rather than at the next beat."""
    if attempt.state == Attempt.State.IN_PROGRESS and _deadline_passed(attempt):
        return submit_attempt(attempt, auto=True)
    return attempt


# --- Invitations: one, many from CSV, and the email that carries the link --------------------

MAX_CSV_ROWS = 5000
MAX_CSV_BYTES = 2 * 1024 * 1024


def send_invitation(invitation: Invitation, token: str, *, user=None) -> None:
    """Queue the invitation email in the outbox (sent after commit, with retries) and record
    when; ``sent_at`` is when it was handed to the outbox."""
    from assessments.emails import invitation_message

    # No savepoint: inside a caller's transaction (an import's batch) all or nothing is enough.
    with transaction.atomic(savepoint=False):
        outbox.queue_email(
            invitation_message(invitation, token), reference=f"invitation:{invitation.public_id}"
        )
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
        record_event(
            Action.INVITATION_SENT,
            actor=actor_for_user(user),
            subject=f"invitation:{invitation.public_id}",
            payload={"expires_at": invitation.expires_at.isoformat()},
        )


def invite_candidate(
    version: AssessmentVersion,
    *,
    name: str,
    email: str,
    user=None,
    ttl: timedelta | None = None,
    allow_retake: bool = False,
    send: bool = True,
    external_id: str = "",
) -> tuple[Invitation, str]:
    """Invite one candidate and (by default) email them the link; returns the token too."""
    with transaction.atomic():
        invitation, token = create_invitation(
            version,
            name=name,
            email=email,
            user=user,
            ttl=ttl,
            allow_retake=allow_retake,
            external_id=external_id,
        )
        if send:
            send_invitation(invitation, token, user=user)
    return invitation, token


@transaction.atomic
def cancel_invitation(invitation: Invitation, *, user=None) -> Invitation:
    """Withdraw an invitation before it is used: its link opens nothing any more.

    Idempotent. Raises InvitationUnavailable once an attempt was started: that candidate's
    results stay, and a recruiter decides on them instead.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.cancelled_at is not None:
        return invitation
    if invitation.attempts.exists():
        raise InvitationUnavailable(
            "The candidate has already started this assessment, so the invitation can no "
            "longer be withdrawn; record a decision on the result instead."
        )
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])
    record_event(
        Action.INVITATION_CANCELLED,
        actor=actor_for_user(user),
        subject=f"invitation:{invitation.public_id}",
        payload={"cancelled_at": invitation.cancelled_at.isoformat()},
    )
    return invitation


@transaction.atomic
def renew_invitation_link(
    invitation: Invitation, *, user=None, ttl: timedelta | None = None
) -> str:
    """A fresh token for an invitation (the old link stops working) and a renewed expiry.

    Only the hash of a token is stored, so "send again" always means "send a new link".
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    token = new_token()
    invitation.token_hash = hash_token(token)
    # A link renewed during the notice period lasts as long after it as a new one would.
    starts = max(timezone.now(), invitation.available_from or timezone.now())
    invitation.expires_at = starts + (ttl or timedelta(days=settings.INVITATION_TTL_DAYS))
    invitation.save(update_fields=["token_hash", "expires_at"])
    record_event(
        Action.INVITATION_RENEWED,
        actor=actor_for_user(user),
        subject=f"invitation:{invitation.public_id}",
        payload={"expires_at": invitation.expires_at.isoformat()},
    )
    return token


@transaction.atomic
def resend_invitation(invitation: Invitation, *, user=None) -> Invitation:
    """Email a new link for an invitation (after a lost email or an expiry)."""
    token = renew_invitation_link(invitation, user=user)
    invitation.refresh_from_db()
    send_invitation(invitation, token, user=user)
    return invitation


@dataclass
class CsvRowError:
    """One rejected row of an invitation CSV: the file's line number and why."""

    line: int
    message: str


_NAME_COLUMNS = ("name", "candidate_name", "full name", "full_name")
_EMAIL_COLUMNS = ("email", "candidate_email", "e-mail", "email address")


def _csv_text(data: bytes) -> str:
    if len(data) > MAX_CSV_BYTES:
        raise InvalidCsv(f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidCsv(
            "The file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again."
        ) from error


class InvalidCsv(InvalidAnswer):
    """The CSV as a whole cannot be read (no header, wrong encoding, too large)."""


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [cell.strip().lower() for cell in header]
    return next((lowered.index(name) for name in names if name in lowered), None)


def parse_invitation_csv(data: bytes) -> tuple[list[tuple[int, str, str]], list[CsvRowError]]:
    """Rows (line, name, email) that can be invited, and the rows that cannot, by line."""
    reader = csv.reader(io.StringIO(_csv_text(data), newline=""))
    try:
        header = next(reader)
    except StopIteration as error:
        raise InvalidCsv("The file is empty.") from error
    except csv.Error as error:
        raise InvalidCsv(f"Line 1: the file is not valid CSV ({error}).") from error
    name_at, email_at = _column(header, _NAME_COLUMNS), _column(header, _EMAIL_COLUMNS)
    if name_at is None or email_at is None:
        raise InvalidCsv("Line 1 must be a header with the columns 'name' and 'email'.")
    good: list[tuple[int, str, str]] = []
    errors: list[CsvRowError] = []
    seen: dict[str, int] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(CsvRowError(reader.line_num, f"not valid CSV ({error})"))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(good) + len(errors) >= MAX_CSV_ROWS:
            errors.append(CsvRowError(line, f"more than {MAX_CSV_ROWS} rows; the rest was ignored"))
            break
        name = row[name_at].strip() if name_at < len(row) else ""
        email = row[email_at].strip() if email_at < len(row) else ""
        if not name:
            errors.append(CsvRowError(line, "the name is missing"))
            continue
        if len(name) > 200:
            errors.append(CsvRowError(line, "the name is longer than 200 characters"))
            continue
        try:
            validate_email(email)
        except ValidationError:
            errors.append(CsvRowError(line, f"'{email}' is not a valid email address"))
            continue
        key = email.lower()
        if key in seen:
            errors.append(CsvRowError(line, f"{email} already appears on line {seen[key]}"))
            continue
        seen[key] = line
        good.append((line, name, email))
    return good, errors


IMPORT_BATCH_ROWS = 200  # rows invited per transaction: progress moves, a crash loses one batch


@transaction.atomic
def start_invitation_import(
    version: AssessmentVersion,
    data: bytes,
    *,
    user=None,
    valid_days: int,
    file_name: str = "",
    allow_retake: bool = False,
    send: bool = True,
) -> InvitationImport:
    """Read a CSV of candidates and queue the import job that invites them; returns at once.

    Rows that cannot be used are recorded by line at once and change nothing. Raises InvalidCsv
    (and stores nothing) when the file as a whole cannot be read.
    """
    rows, errors = parse_invitation_csv(data)
    job = InvitationImport.objects.create(
        version=version,
        created_by=user,
        file_name=file_name[:255],
        valid_days=valid_days,
        allow_retake=allow_retake,
        send_email=send,
        rows=[list(row) for row in rows],
        total_rows=len(rows),
        errors=[[error.line, error.message] for error in errors],
        **outbox.pending_fields(),
    )
    record_event(
        Action.INVITATION_IMPORT_STARTED,
        actor=actor_for_user(user),
        subject=f"invitation_import:{job.pk}",
        payload={"version": version.pk, "rows": len(rows), "refused": len(errors), "send": send},
    )
    outbox.enqueue_on_commit(job)
    return job


def import_invitations(job_id: int) -> InvitationImport | None:
    """Invite the next batch of an import's rows, then send the import's next message or
    finish it; a no-op when it is done or another worker holds it.

    One batch per task keeps every task short (far below the task time limit, whatever the
    file's size) and each batch committed with the progress that counts it: after a crash the
    sweeper's message resumes at the first batch not committed, so nobody is invited twice.
    """
    with transaction.atomic():
        job = (
            InvitationImport.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("version", "created_by")
            .filter(pk=job_id, state=InvitationImport.State.PENDING)
            .first()
        )
        if job is None:
            return None
        if job.processed < job.total_rows:
            _invite_batch(job)
        if job.processed < job.total_rows:
            outbox.enqueue_again_on_commit(job)
        else:
            _finish_import(job)
    return job


def _invite_batch(job: InvitationImport) -> None:
    batch = job.rows[job.processed : job.processed + IMPORT_BATCH_ROWS]
    already = {
        email.lower()
        for email in Invitation.objects.filter(
            version=job.version, candidate_email__in=[email for _, _, email in batch]
        ).values_list("candidate_email", flat=True)
    }
    for line, name, email in batch:
        if email.lower() in already:
            job.errors.append([line, f"{email} is already invited to this assessment version"])
            continue
        invitation, token = create_invitation(
            job.version,
            name=name,
            email=email,
            user=job.created_by,
            ttl=timedelta(days=job.valid_days),
            allow_retake=job.allow_retake,
        )
        if job.send_email:
            send_invitation(invitation, token, user=job.created_by)
        job.invited += 1
    job.processed += len(batch)
    job.save(update_fields=["processed", "invited", "errors"])


def _finish_import(job: InvitationImport) -> None:
    job.errors.sort(key=lambda error: error[0])
    job.rows = []  # names and addresses are in the invitations now; the copy goes
    job.save(update_fields=["errors", "rows"])
    outbox.mark_done(job)
    record_event(
        Action.INVITATION_IMPORT_FINISHED,
        actor=actor_for_user(job.created_by),
        subject=f"invitation_import:{job.pk}",
        payload={"invited": job.invited, "refused": len(job.errors)},
    )


# --- Accommodations -----------------------------------------------------------------------------


MAX_ACCOMMODATION_REQUESTS = 10  # per invitation: a link is public enough to be abused


@transaction.atomic
def request_accommodation(
    invitation: Invitation, *, kind: str, details: str = ""
) -> AccommodationRequest:
    """Record a candidate's request for an accommodation or an alternative process."""
    if kind not in AccommodationRequest.Kind.values:
        raise InvalidAnswer("Choose what kind of help you are asking for.")
    if invitation.accommodation_requests.count() >= MAX_ACCOMMODATION_REQUESTS:
        raise InvalidAnswer(
            "You have already sent several requests. The hiring team will reply by email; "
            "if it is urgent, reply to your invitation email."
        )
    now = timezone.now()
    request = AccommodationRequest.objects.create(
        invitation=invitation,
        kind=kind,
        details=details.strip()[:2000],
        due_at=now + timedelta(days=settings.REQUEST_RESPONSE_DAYS),
    )
    record_event(
        Action.ACCOMMODATION_REQUESTED,
        actor=f"candidate:invitation:{invitation.public_id}",
        subject=f"invitation:{invitation.public_id}",
        payload={"request": request.pk, "kind": kind, "due_at": request.due_at.isoformat()},
    )
    _tell_recruiters(request)
    return request


def _tell_recruiters(request: AccommodationRequest) -> None:
    """Email the owner of the assessment (and those it is shared with) about a new request,
    through the email outbox, in the request's transaction."""
    from assessments.emails import accommodation_request_message

    message = accommodation_request_message(request)
    if message is None:
        logger.warning("Accommodation request %s: the assessment has no recruiter", request.pk)
        return
    outbox.queue_email(message, reference=f"accommodation:{request.pk}")


@transaction.atomic
def decide_accommodation(
    request: AccommodationRequest,
    *,
    grant: bool,
    extra_minutes: int = 0,
    note: str = "",
    user=None,
    notify: bool = True,
) -> AccommodationRequest:
    """Grant or decline a request. Granted extra time replaces the invitation's extra time and
    moves the deadline of an attempt already in progress by the difference."""
    request = (
        AccommodationRequest.objects.select_for_update()
        .select_related("invitation__version")
        .get(pk=request.pk)
    )
    invitation = Invitation.objects.select_for_update().get(pk=request.invitation_id)
    request.state = (
        AccommodationRequest.State.GRANTED if grant else AccommodationRequest.State.DECLINED
    )
    request.granted_extra_minutes = max(0, int(extra_minutes or 0)) if grant else 0
    request.decision_note = note.strip()[:2000]
    request.decided_by = user
    request.decided_at = timezone.now()
    request.save()
    if grant and request.granted_extra_minutes != invitation.extra_time_minutes:
        change = request.granted_extra_minutes - invitation.extra_time_minutes
        invitation.extra_time_minutes = request.granted_extra_minutes
        invitation.save(update_fields=["extra_time_minutes"])
        for attempt in invitation.attempts.select_for_update().filter(
            state=Attempt.State.IN_PROGRESS
        ):
            attempt.deadline += timedelta(minutes=change)
            attempt.save(update_fields=["deadline"])
    request.invitation = invitation
    record_event(
        Action.ACCOMMODATION_DECIDED,
        actor=actor_for_user(user),
        subject=f"invitation:{invitation.public_id}",
        payload={
            "request": request.pk,
            "state": request.state,
            "extra_minutes": request.granted_extra_minutes,
        },
    )
    if notify:
        from assessments.emails import accommodation_decision_message

        outbox.queue_email(
            accommodation_decision_message(request), reference=f"accommodation:{request.pk}"
        )
    return request


# --- Data rights: erasure (called by compliance.services.erase_candidate) ----------------------
# Added by compliance: the one door through which a candidate's personal data is removed from
# the assessments tables. Scores, hashes, chosen options and the path stay (pseudonymous).

ERASED_NAME = "Erased candidate"


def erased_email(invitation: Invitation) -> str:
    """A placeholder address in the reserved .invalid domain, unique per invitation."""
    return f"erased-{invitation.public_id}{ERASED_EMAIL_DOMAIN}"


@transaction.atomic
def erase_invitation_personal_data(invitation: Invitation) -> dict:
    """Remove the name, email, free-text answers and accommodation notes of an invitation.

    Returns ``{"attempts": [public ids], "responses": n, "accommodation_requests": n}``.
    Idempotent: erasing twice changes nothing the second time.
    """
    from assessments.models import AccommodationRequest

    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation.candidate_name = ERASED_NAME
    invitation.candidate_email = erased_email(invitation)
    invitation.save(update_fields=["candidate_name", "candidate_email"])
    responses = 0
    # Free text is whatever a candidate typed: the "text" of short and long answers.
    for response in Response.objects.select_for_update().filter(attempt__invitation=invitation):
        answer = response.answer if isinstance(response.answer, dict) else {}
        if answer.get("text"):
            Response.objects.filter(pk=response.pk).update(answer={**answer, "text": ""})
            responses += 1
    accommodation_requests = (
        AccommodationRequest.objects.filter(invitation=invitation)
        .exclude(details="", decision_note="")
        .update(details="", decision_note="")
    )
    return {
        "attempts": list(invitation.attempts.values_list("public_id", flat=True)),
        "responses": responses,
        "accommodation_requests": accommodation_requests,
    }


# --- Who sees an assessment's results ---------------------------------------------------------

# Audit actions whose subject is ``assessment:<slug>``, whichever page made the change.
ASSESSMENT_SHARED = "assessment.shared"
ASSESSMENT_OWNER_CHANGED = "assessment.owner_changed"


def set_assessment_owner(assessment: Assessment, owner, *, user) -> None:
    """Hand an assessment's results to ``owner`` (None: no one; superusers still see them).

    Audited. The new owner leaves the shared list, as an owner needs no sharing.
    """
    with transaction.atomic():
        # From the locked row: an admin form has already put the new owner on the instance.
        previous = (
            Assessment.objects.select_for_update()
            .values_list("owner_id", flat=True)
            .get(pk=assessment.pk)
        )
        assessment.owner = owner
        assessment.save(update_fields=["owner"])
        if owner is not None:
            assessment.shared_with.remove(owner)
        record_event(
            ASSESSMENT_OWNER_CHANGED,
            actor=actor_for_user(user),
            subject=f"assessment:{assessment.slug}",
            payload={
                "owner": f"user:{owner.pk}" if owner is not None else None,
                "previous_owner": f"user:{previous}" if previous is not None else None,
            },
        )


def share_assessment_with(assessment: Assessment, people, *, user) -> None:
    """Set who, besides its owner, sees an assessment's results (audited).

    The callers choose among recruiters (``selectors.active_recruiters``); the owner is left out.
    """
    chosen = [person for person in people if person.pk != assessment.owner_id]
    with transaction.atomic():
        assessment.shared_with.set(chosen)
        record_event(
            ASSESSMENT_SHARED,
            actor=actor_for_user(user),
            subject=f"assessment:{assessment.slug}",
            payload={"shared_with": sorted(f"user:{person.pk}" for person in chosen)},
        )


ASSESSMENT_NOTICE_CHANGED = "assessment.notice_changed"


def set_assessment_notice(
    assessment: Assessment, *, qualifications: str, jurisdictions: list[str], user
) -> None:
    """Change what the candidates' notice says (audited). Invitations made from now on carry
    the new wording, as a new notice version; earlier consents keep the version they saw."""
    unknown = sorted(set(jurisdictions) - set(notices.jurisdictions()))
    if unknown:
        raise InvalidAnswer(f"Unknown notice rules: {', '.join(unknown)}.")
    with transaction.atomic():
        assessment.notice_qualifications = qualifications.strip()[:2000]
        assessment.notice_jurisdictions = sorted(set(jurisdictions))
        assessment.save(update_fields=["notice_qualifications", "notice_jurisdictions"])
        record_event(
            ASSESSMENT_NOTICE_CHANGED,
            actor=actor_for_user(user),
            subject=f"assessment:{assessment.slug}",
            payload={
                "qualifications": assessment.notice_qualifications,
                "jurisdictions": assessment.notice_jurisdictions,
            },
        )


# --- Human oversight: the stop button ----------------------------------------------------------
# While an assessment's automation is paused, the scoring job sends every criterion of its
# attempts to a person (scoring.services.runs) and no credential is issued (credentials
# issuance). Resuming restores automation for what is scored from then on; attempts scored
# during the pause keep their review items, so the people who were asked to decide them do, and
# their credentials (if they pass) are issued by the next issuance sweep.


def pause_assessment(assessment: Assessment, *, user, reason: str) -> AutomationPause:
    """Stop automated scoring and credential issuance for an assessment (audited)."""
    reason = reason.strip()
    if not reason:
        raise InvalidAnswer("Say why automation is paused: the reason goes into the audit log.")
    with transaction.atomic():
        Assessment.objects.select_for_update().get(pk=assessment.pk)
        if AutomationPause.objects.filter(assessment=assessment, resumed_at__isnull=True).exists():
            raise AlreadyPaused(f"Automation of {assessment.slug} is already paused.")
        pause = AutomationPause.objects.create(
            assessment=assessment, reason=reason[:2000], paused_by=user
        )
        record_event(
            Action.AUTOMATION_PAUSED,
            actor=actor_for_user(user),
            subject=f"assessment:{assessment.slug}",
            payload={"pause": pause.pk, "reason": pause.reason},
        )
    return pause


def resume_assessment(assessment: Assessment, *, user, note: str = "") -> AutomationPause:
    """Restore automation for an assessment whose automation is paused (audited)."""
    with transaction.atomic():
        pause = (
            AutomationPause.objects.select_for_update()
            .filter(assessment=assessment, resumed_at__isnull=True)
            .first()
        )
        if pause is None:
            raise NotPaused(f"Automation of {assessment.slug} is not paused.")
        pause.resumed_at = timezone.now()
        pause.resumed_by = user
        pause.resume_note = note.strip()[:2000]
        pause.save(update_fields=["resumed_at", "resumed_by", "resume_note"])
        record_event(
            Action.AUTOMATION_RESUMED,
            actor=actor_for_user(user),
            subject=f"assessment:{assessment.slug}",
            payload={
                "pause": pause.pk,
                "paused_at": pause.paused_at.isoformat(),
                "note": pause.resume_note,
            },
        )
    return pause
