"""An assessment belongs to the recruiter who first published it; later versions keep it."""

import pytest

from assessments import services
from tests.support.documents import small_document

pytestmark = pytest.mark.django_db


def test_the_first_publisher_owns_the_assessment_and_keeps_it(recruiter, other_recruiter):
    first = services.publish_document(small_document(), user=recruiter)
    second = services.publish_document(small_document(title="Renamed"), user=other_recruiter)
    assert first.assessment == second.assessment
    second.assessment.refresh_from_db()
    assert second.assessment.owner == recruiter
    assert second.assessment.title == "Renamed"
