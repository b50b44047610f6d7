"""Share links are stored hashed, like invitation and sign-in tokens: the link is shown to its
holder once, and links made before the change keep working."""

import importlib
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client

from assessments.tokens import hash_token
from credentials import services
from credentials.models import ShareLink
from tests.credentials.conftest import (
    issue_for,
    issuer_settings,  # noqa: F401 (autouse: the issuer and keys of the credentials tests)
    keyed_document,
    take_attempt,
)
from tests.support.factories import published_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def credential():
    return issue_for(take_attempt(published_version(keyed_document()))[1])


@pytest.fixture
def holder(credential) -> Client:
    """A browser signed in to the credential's learner record."""
    client = Client()
    token = services.create_ler_token(credential.record, timedelta(minutes=5))
    assert client.post(f"/ler/open/{token}").status_code == 302
    return client


def test_a_share_link_is_stored_only_as_the_hash_of_its_token(holder, credential):
    page_url = f"/ler/credentials/{credential.public_id}/"
    created = holder.post(f"{page_url}share", {"label": "Acme", "expires_in_days": "30"})
    shown = holder.get(created["Location"])
    url = shown.context["new_share"]["url"]
    token = url.removeprefix("http://testserver/c/").rstrip("/")
    assert url in shown.content.decode()

    share = ShareLink.objects.get()
    assert share.token_hash == hash_token(token)
    assert token not in json.dumps(list(ShareLink.objects.values()), default=str)
    assert Client().get(f"/c/{token}/").status_code == 200
    assert Client().get(f"/c/{share.token_hash}/").status_code == 404  # the hash opens nothing

    again = holder.get(page_url)  # shown once: the page cannot show it again
    assert again.context["new_share"] is None
    assert token not in again.content.decode()
    assert "Acme" in again.content.decode()  # still listed, to delete it


def test_share_links_made_before_hashing_keep_working_after_the_migration(credential):
    raw = "a-share-token-from-before-the-change"
    # Before the migration the column (then named ``token``) held the token itself.
    ShareLink.objects.create(credential=credential, token_hash=raw)
    migration = importlib.import_module(
        "credentials.migrations.0002_share_token_hash_erasable_record"
    )
    migration.hash_share_tokens(apps, None)
    assert ShareLink.objects.get().token_hash == hash_token(raw)
    assert Client().get(f"/c/{raw}/").status_code == 200
