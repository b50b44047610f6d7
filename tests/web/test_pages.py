"""Pages behind a link: one friendly page with the right status, never cached, view intact."""

import json

from django.test import RequestFactory

from assessments.exceptions import InvitationErased, InvitationUnavailable
from web.pages import LinkUnavailable, candidate_page, link_endpoint, link_page


def _refused(status: int | None = None):
    def view(request, token: str):
        """Always refuses."""
        raise LinkUnavailable(f"Link {token} opens nothing.", status=status)

    return view


def test_a_refused_link_shows_the_candidate_page_with_its_status_and_no_cache():
    response = candidate_page(_refused())(RequestFactory().get("/a/x/"), token="x")
    assert response.status_code == 404
    assert "Link x opens nothing." in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    gone = candidate_page(_refused(410))(RequestFactory().get("/a/x/"), token="x")
    assert gone.status_code == 410


def test_a_page_may_use_its_own_template():
    page = link_page("credentials/unavailable.html")(_refused())
    response = page(RequestFactory().get("/c/x"), token="x")
    assert "does not open a credential" in response.content.decode()


def test_an_endpoint_answers_json_and_the_view_keeps_its_name():
    endpoint = link_endpoint(_refused())
    response = endpoint(RequestFactory().get("/a/x/status"), token="x")
    assert response.status_code == 404
    assert json.loads(response.content) == {"error": "Link x opens nothing."}
    assert (endpoint.__name__, endpoint.__doc__) == ("view", "Always refuses.")


def test_an_erased_invitation_is_gone_for_good():
    assert InvitationErased("erased").status == 410
    assert InvitationUnavailable("unknown").status == 404
