"""Public issuer documents, the public assessment page, verification, sharing and the LER.

Machine-readable documents (DID document, issuer profile, status lists) are public and
cacheable. The learner's record is reached only through a one-time emailed link, which opens a
session for that record; everything under /ler/ reads the record from that session.
"""

import json
import logging
import math

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.models import AssessmentVersion
from credentials import conf, documents, keys, selectors, services
from credentials.exceptions import AccessDenied, InvalidInput, IssuerKeyError, LinkUnavailable
from credentials.models import StatusList
from credentials.presenters import (
    assessment_public,
    credential_display,
    credential_status,
    holder_matches,
    linkedin_add_url,
)
from credentials.proofs import VERIFY_LIMITS
from credentials.throttles import VerifyThrottle
from credentials.verification import Report, max_embedded_for, unreadable, verify_credential
from web.pages import link_page
from web.request_size import limit_request_body

logger = logging.getLogger(__name__)

SESSION_KEY = "credentials_ler_record"
NEXT_KEY = "credentials_ler_next"
# A new share link's token, kept in the session only until the page that shows it once.
NEW_SHARE_KEY = "credentials_ler_new_share"
DOCUMENT_MAX_AGE = 300
# The verification form carries a pasted credential and a file, each up to the verifier's limit;
# anything bigger is refused before it is read (see web.request_size).
VERIFY_FORM_MAX_BYTES = 2 * VERIFY_LIMITS.max_bytes + 16 * 1024


def _json_document(document: dict, *, max_age: int = DOCUMENT_MAX_AGE) -> HttpResponse:
    response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=max_age)
    # Verifiers running in browsers read these documents from other origins.
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- Issuer documents ------------------------------------------------------------------------


@require_GET
def did_document(request):
    """The did:web DID document: every issuer key, active and retired, as a Multikey."""
    published = keys.published_keys()
    if not published:
        try:
            keys.signing_key()  # generated on first use, so the issuer has a key to show
        except IssuerKeyError:
            logger.exception("No issuer key could be made for the DID document")
        published = keys.published_keys()
    did = keys.issuer_id()
    return _json_document(
        documents.did_document(did, [(key.kid, key.public_key_multibase) for key in published])
    )


@require_GET
def issuer_profile(request):
    """The issuer's Open Badges 3.0 Profile."""
    return _json_document(documents.profile_document(services.current_issuer()))


@require_GET
def status_list(request, pk: int):
    """A signed BitstringStatusListCredential, with an ETag and a short max-age."""
    found = get_object_or_404(StatusList, pk=pk)
    if not found.signed_json:
        found = services.publish_status_list(found)
    etag = f'"{found.signed_sha256}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(found.signed_json, content_type="application/json")
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=conf.status_list_max_age())
    return response


# --- The public page of an assessment --------------------------------------------------------


@require_GET
def assessment_page(request, slug: str, number: int):
    """How a version is assessed: skills, alignments, rubric structure and pass rules."""
    version = get_object_or_404(
        AssessmentVersion.objects.select_related("assessment"),
        assessment__slug=slug,
        number=number,
    )
    response = render(
        request, "credentials/assessment.html", {"assessment": assessment_public(version)}
    )
    patch_cache_control(response, public=True, max_age=DOCUMENT_MAX_AGE)
    return response


# --- Verification ----------------------------------------------------------------------------


def _share_token_from_link(link: str) -> str:
    """The token of one of our share links, given its URL (never fetched)."""
    link = link.strip()
    prefix = conf.site_url() + "/c/"
    if link.startswith(prefix):
        return link[len(prefix) :].split("/")[0].split("?")[0]
    if link.startswith("/c/"):
        return link[3:].split("/")[0].split("?")[0]
    raise InvalidInput(
        "Only share links of this service can be followed (they start with "
        f"{prefix}); other credentials can be pasted or uploaded."
    )


def _verify_share(token: str) -> tuple[Report, dict | None]:
    share = selectors.share_by_token(token)
    document = json.loads(share.credential.document)
    return verify_credential(share.credential.document), document


def _verify_input(request) -> tuple[Report | None, dict | None, str]:
    """Run verification on what the form carries: pasted JSON, an uploaded file or a link."""
    limit = VERIFY_LIMITS.max_bytes
    upload = request.FILES.get("file")
    pasted = request.POST.get("credential", "")
    link = request.POST.get("link", "") or request.GET.get("link", "")
    if request.GET.get("share"):
        link = f"/c/{request.GET['share']}/"
    try:
        if upload is not None:
            if upload.size > limit:
                return (
                    unreadable(f"The file is {upload.size} bytes; the limit is {limit}."),
                    None,
                    "",
                )
            data = upload.read(limit + 1)
        elif pasted.strip():
            data = pasted
        elif link.strip():
            return (*_verify_share(_share_token_from_link(link)), "")
        else:
            return None, None, "Paste a credential, choose a file, or give a share link."
    except (InvalidInput, LinkUnavailable) as error:
        return None, None, str(error)
    report = verify_credential(data, max_embedded=max_embedded_for(request.user))
    try:
        document = json.loads(data) if report.credential else None
    except ValueError:
        document = None
    return report, document if isinstance(document, dict) else None, ""


@limit_request_body(VERIFY_FORM_MAX_BYTES)
@never_cache
@require_http_methods(["GET", "POST"])
def verify_page(request):
    """Paste JSON, upload a file, or follow a share link: every check, and a sentence why.

    Each verification counts against the client's rate, together with the API's."""
    report = document = None
    error = ""
    status = 200
    retry_after = 0
    if request.method == "POST" or request.GET.get("share") or request.GET.get("link"):
        throttle = VerifyThrottle()
        if throttle.allow_request(request, None):
            report, document, error = _verify_input(request)
            status = 400 if error else 200
        else:
            retry_after = math.ceil(throttle.wait() or 1)
            error = (
                "Too many verifications from your network address in a short time. Nothing was "
                f"checked; try again in {retry_after} seconds."
            )
            status = 429
    context = {
        "report": report,
        "display": credential_display(document) if document else None,
        "error": error,
        "pasted": request.POST.get("credential", ""),
        "link": request.POST.get("link", "") or request.GET.get("link", ""),
        "max_kib": VERIFY_LIMITS.max_bytes // 1024,
        "api_url": conf.site_url() + reverse("credentials:api-verify"),
        "nav": "verify",
    }
    response = render(request, "credentials/verify.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


# --- Share pages -----------------------------------------------------------------------------


# A share link that opens nothing says so on the credentials' own page.
share_link_page = link_page("credentials/unavailable.html")


@require_GET
@share_link_page
def share_page(request, token: str):
    """A shared credential with a live verification, the criteria, skills and alignments."""
    share = selectors.share_by_token(token)
    services.record_share_view(share)
    return _render_share(request, share, token)


@require_POST
@share_link_page
def share_holder_check(request, token: str):
    """Does an email address the verifier types hash to the credential's subject? Not stored."""
    share = selectors.share_by_token(token)
    email = request.POST.get("email", "").strip()[:254]
    document = json.loads(share.credential.document)
    holder_check = {"email": email, "matches": bool(email) and holder_matches(document, email)}
    return _render_share(request, share, token, holder_check=holder_check)


def _render_share(request, share, token: str, holder_check: dict | None = None):
    credential = share.credential
    document = json.loads(credential.document)
    display = credential_display(document)
    share_url = conf.site_url() + reverse("credentials:share", kwargs={"token": token})
    context = {
        "share": share,
        "token": token,
        "credential": credential,
        "display": display,
        "report": verify_credential(credential.document),
        "holder": credential.record.display_name,
        "share_url": share_url,
        "linkedin_url": linkedin_add_url(display, share_url, str(credential.public_id)),
        "verify_url": reverse("credentials:verify") + f"?share={token}",
        "holder_check": holder_check,
    }
    # Never cached (share_link_page): a deleted link must stop working at once.
    return render(request, "credentials/share.html", context)


@require_GET
@share_link_page
def share_download(request, token: str):
    """The shared credential's JSON, exactly as signed."""
    share = selectors.share_by_token(token)
    return _credential_file(share.credential)


def _credential_file(credential) -> HttpResponse:
    response = HttpResponse(credential.document, content_type="application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="credential-{credential.public_id}.json"'
    )
    patch_cache_control(response, no_store=True)
    return response


# --- The learner's record (LER) --------------------------------------------------------------


def _session_record(request):
    public_id = request.session.get(SESSION_KEY)
    return selectors.record_by_public_id(public_id) if public_id else None


def _sign_in(request, *, message: str = "", status: int = 200, next_url: str = ""):
    if next_url:
        # Where to go after the emailed link is opened (usually in this same browser).
        request.session[NEXT_KEY] = next_url
    response = render(
        request,
        "credentials/ler_sign_in.html",
        {"message": message, "nav": "ler"},
        status=status,
    )
    patch_cache_control(response, no_store=True)
    return response


@never_cache
@require_GET
def ler_home(request):
    """The learner's credentials, or the sign-in form when the browser has no session."""
    record = _session_record(request)
    if record is None:
        return _sign_in(request)
    now = timezone.now()
    items = []
    for credential in selectors.record_credentials(record):
        display = credential_display(json.loads(credential.document))
        items.append(
            {
                "credential": credential,
                "display": display,
                "status": credential_status(credential, now),
                "shares": len(credential.shares.all()),
            }
        )
    return render(request, "credentials/ler.html", {"record": record, "items": items, "nav": "ler"})


@never_cache
@require_POST
def ler_sign_in(request):
    """Email a one-time link to an address that holds a record; the same answer either way."""
    email = request.POST.get("email", "").strip()
    if "@" not in email or len(email) > 254:
        return _sign_in(
            request, message="Enter the email address your invitation went to.", status=400
        )
    services.request_ler_link(email)
    response = render(request, "credentials/ler_link_sent.html", {"email": email, "nav": "ler"})
    patch_cache_control(response, no_store=True)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def ler_open(request, token: str):
    """A one-time link: GET asks to confirm (mail scanners follow links), POST signs in."""
    if request.method == "GET":
        return render(request, "credentials/ler_open.html", {"token": token, "nav": "ler"})
    try:
        record = services.redeem_ler_token(token)
    except LinkUnavailable as error:
        return _sign_in(request, message=str(error), status=400)
    request.session.cycle_key()
    request.session[SESSION_KEY] = str(record.public_id)
    request.session.set_expiry(conf.ler_session_hours() * 3600)
    next_url = request.session.pop(NEXT_KEY, "")
    if next_url.startswith("/ler/") and "//" not in next_url:
        return redirect(next_url)
    return redirect("credentials:ler")


@require_POST
def ler_sign_out(request):
    """End the record's session in this browser."""
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    return redirect("credentials:ler")


def _credential_in_session(request, public_id):
    return selectors.access_credential_in_record(_session_record(request), public_id)


@never_cache
@require_GET
def ler_credential(request, public_id):
    """One credential with its skills, share links and a LinkedIn link."""
    try:
        credential = _credential_in_session(request, public_id)
    except AccessDenied:
        if _session_record(request) is None:
            return _sign_in(
                request,
                message="Sign in to your record to see this credential.",
                next_url=request.path,
            )
        raise Http404("There is no such credential in your record.") from None
    document = json.loads(credential.document)
    display = credential_display(document)
    now = timezone.now()
    shares = [
        {"share": share, "expired": share.expires_at is not None and share.expires_at <= now}
        for share in credential.shares.order_by("-created_at", "-pk")
    ]
    context = {
        "credential": credential,
        "display": display,
        "status": credential_status(credential, now),
        "shares": shares,
        "new_share": _new_share_once(request, credential, display),
        "report": verify_credential(credential.document),
        "nav": "ler",
    }
    return render(request, "credentials/ler_credential.html", context)


def _new_share_once(request, credential, display) -> dict | None:
    """The share link made a moment ago, if it is this credential's: its token is only in the
    session until this page shows it (only its hash is stored)."""
    new = request.session.pop(NEW_SHARE_KEY, None)
    if not new or new.get("credential") != str(credential.public_id):
        return None
    share = credential.shares.filter(pk=new.get("share")).first()
    if share is None:
        return None
    url = conf.site_url() + reverse("credentials:share", kwargs={"token": new["token"]})
    return {
        "share": share,
        "url": url,
        "linkedin_url": linkedin_add_url(display, url, str(credential.public_id)),
    }


@never_cache
@require_GET
def ler_download(request, public_id):
    """The credential's JSON file, exactly as signed."""
    try:
        credential = _credential_in_session(request, public_id)
    except AccessDenied as error:
        raise Http404(str(error)) from None
    return _credential_file(credential)


@require_POST
def ler_share_create(request, public_id):
    """Make a share link, optionally expiring after a number of days."""
    try:
        credential = _credential_in_session(request, public_id)
    except AccessDenied as error:
        raise Http404(str(error)) from None
    days_text = request.POST.get("expires_in_days", "").strip()
    try:
        days = int(days_text) if days_text else None
        share, token = services.create_share_link(
            credential, expires_in_days=days, label=request.POST.get("label", "")
        )
    except (ValueError, InvalidInput) as error:
        message = str(error) if isinstance(error, InvalidInput) else "Choose how many days."
        messages.error(request, message)
    else:
        request.session[NEW_SHARE_KEY] = {
            "credential": str(credential.public_id),
            "share": share.pk,
            "token": token,
        }
        return redirect(
            reverse("credentials:ler-credential", kwargs={"public_id": credential.public_id})
            + "#new-share"
        )
    return redirect("credentials:ler-credential", public_id=credential.public_id)


@require_POST
def ler_share_delete(request, share_id: int):
    """Delete a share link; its page stops working immediately."""
    try:
        share = selectors.access_share_in_record(_session_record(request), share_id)
    except AccessDenied as error:
        raise Http404(str(error)) from None
    public_id = share.credential.public_id
    services.delete_share_link(share)
    messages.success(request, "Share link deleted: it no longer opens the credential.")
    return redirect("credentials:ler-credential", public_id=public_id)


@require_POST
def ler_export(request):
    """The whole record as a signed CLR 2.0 ClrCredential."""
    record = _session_record(request)
    if record is None:
        return _sign_in(request, message="Sign in to export your record.", status=403)
    try:
        clr = services.export_clr(record)
    except InvalidInput as error:
        messages.error(request, str(error))
        return redirect("credentials:ler")
    response = HttpResponse(
        json.dumps(clr, ensure_ascii=False, indent=2), content_type="application/json"
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="skill-credentials-clr-{stamp}.json"'
    patch_cache_control(response, no_store=True)
    return response


@require_POST
def ler_settings(request):
    """Name a DID the learner controls as the subject of their future credentials."""
    record = _session_record(request)
    if record is None:
        return _sign_in(request, message="Sign in to change your settings.", status=403)
    try:
        services.set_subject_did(record, request.POST.get("subject_did", ""))
    except InvalidInput as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Saved. Credentials issued from now on will name this DID.")
    return redirect(reverse("credentials:ler") + "#settings")
