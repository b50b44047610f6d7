"""The credential pages in headless Chromium: the holder's journey, sharing, verifying, and no
axe violations on any of them."""

from datetime import timedelta

import pytest

from credentials import services
from credentials.models import ShareLink
from tests.credentials.conftest import issue_for, take_attempt
from tests.support.browser import assert_no_axe_violations

pytestmark = pytest.mark.browser


def test_holder_shares_a_credential_and_a_verifier_checks_it(live_server, page, transactional_db):
    from tests.credentials.conftest import keyed_document
    from tests.support.factories import published_version

    version = published_version(keyed_document(validity_days=365))
    credential = issue_for(take_attempt(version)[1])
    base = live_server.url

    page.goto(f"{base}/ler/")
    assert page.get_by_role("button", name="Email me a sign-in link").is_visible()
    assert_no_axe_violations(page, "sign-in")

    token = services.create_ler_token(credential.record, timedelta(minutes=5))
    page.goto(f"{base}/ler/open/{token}")
    assert_no_axe_violations(page, "open")
    page.get_by_role("button", name="Open my record").click()
    page.wait_for_url(f"{base}/ler/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Ada Candidate")
    assert page.get_by_text("Issued by Acme Hiring").is_visible()
    assert_no_axe_violations(page, "record")

    page.get_by_role("link", name="View and share Small support scenario").click()
    page.get_by_label("Label (only you see it)").fill("Acme application")
    page.get_by_label("Expires after").select_option("7")
    page.get_by_role("button", name="Create share link").click()
    assert page.get_by_text("Your new share link is ready").is_visible()
    assert_no_axe_violations(page, "credential")
    share = ShareLink.objects.get()
    assert share.label == "Acme application"
    shown = page.get_by_label("Copy it now and send it to an employer").input_value()
    share_url = shown.replace("http://testserver", base)  # SITE_URL of the tests

    page.goto(share_url)
    assert page.locator("[data-outcome]").first.get_attribute("data-outcome") == "verified"
    linkedin = page.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href")
    assert linkedin.startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME")
    page.get_by_label("The candidate's email address").fill("ada@example.com")
    page.get_by_role("button", name="Check", exact=True).click()
    assert "It matches" in page.locator("#holder-result").inner_text()
    assert_no_axe_violations(page, "share")

    page.goto(f"{base}/verify/")
    page.get_by_label("Paste the credential (JSON)").fill(
        credential.document.replace("Acme Hiring", "Acme Hiring Inc")
    )
    page.get_by_role("button", name="Verify").click()
    assert page.locator("[data-outcome]").first.get_attribute("data-outcome") == "failed"
    assert "changed after it was signed" in page.get_by_test_id("summary").first.inner_text()
    assert_no_axe_violations(page, "verify")

    page.goto(f"{base}/assessments/small-support/v1/")
    assert page.get_by_role("heading", name="Judgement").is_visible()
    assert_no_axe_violations(page, "assessment")

    page.goto(f"{base}/ler/credentials/{credential.public_id}/")
    page.get_by_role("button", name="Delete Acme application").click()
    assert page.get_by_text("Share link deleted").is_visible()
    response = page.goto(share_url)
    assert response.status == 404
    assert_no_axe_violations(page, "deleted share")
