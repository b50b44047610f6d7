"""Staff logins and role changes are recorded in the audit chain, with who did it."""

import json

import pytest
from django.contrib.auth.models import Group, User
from django.test import RequestFactory

from audit.context import AuditActorMiddleware
from audit.models import AuditEvent
from audit.roles import Role
from audit.services import Action

pytestmark = pytest.mark.django_db


def _last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


def _payload(event: AuditEvent) -> dict:
    return json.loads(event.payload)


def test_a_staff_login_is_recorded(client, recruiter):
    client.post("/admin/login/", {"username": "recruiter", "password": "pw"})
    event = _last(Action.STAFF_LOGIN)
    assert event.actor == f"user:{recruiter.pk}" and event.subject == f"user:{recruiter.pk}"


def test_adding_and_removing_a_role_is_recorded(recruiter):
    compliance = Group.objects.get(name=Role.COMPLIANCE.value)
    recruiter.groups.add(compliance)
    added = _last(Action.ROLE_CHANGED)
    assert _payload(added) == {"user": recruiter.pk, "added": ["Compliance"], "removed": []}
    recruiter.groups.remove(compliance)
    assert _payload(_last(Action.ROLE_CHANGED))["removed"] == ["Compliance"]


def test_clearing_roles_names_the_roles_removed(recruiter):
    recruiter.groups.clear()
    assert _payload(_last(Action.ROLE_CHANGED))["removed"] == ["Recruiter"]


def test_a_change_from_the_group_side_is_recorded_per_user(recruiter, reviewer):
    group = Group.objects.get(name=Role.REVIEWER.value)
    group.user_set.add(recruiter)
    event = _last(Action.ROLE_CHANGED)
    assert event.subject == f"user:{recruiter.pk}"
    assert _payload(event)["added"] == ["Reviewer"]


def test_becoming_a_superuser_is_a_role_change(recruiter):
    recruiter.is_superuser = True
    recruiter.save()
    assert _payload(_last(Action.ROLE_CHANGED))["flags"] == {"is_superuser": True}


def test_a_login_alone_records_no_role_change(client, recruiter):
    before = AuditEvent.objects.filter(action=Action.ROLE_CHANGED).count()
    client.post("/admin/login/", {"username": "recruiter", "password": "pw"})
    assert AuditEvent.objects.filter(action=Action.ROLE_CHANGED).count() == before


def test_the_acting_user_is_named_when_the_middleware_runs(recruiter, compliance_user):
    request = RequestFactory().post("/admin/auth/user/")
    request.user = compliance_user
    group = Group.objects.get(name=Role.REVIEWER.value)

    def change_role(request):
        recruiter.groups.add(group)

    AuditActorMiddleware(change_role)(request)
    assert _last(Action.ROLE_CHANGED).actor == f"user:{compliance_user.pk}"


def test_a_role_change_from_a_shell_is_recorded_as_system():
    user = User.objects.create_user("temp", "t@example.com", "pw")
    user.groups.add(Group.objects.get(name=Role.RECRUITER.value))
    assert _last(Action.ROLE_CHANGED).actor == "system"
