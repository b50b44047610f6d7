"""Staff roles. Each is a Django group created by a migration; candidates never have accounts."""

from django.db import models


class Role(models.TextChoices):
    RECRUITER = "Recruiter"
    REVIEWER = "Reviewer"
    COMPLIANCE = "Compliance"


def has_role(user, role: Role) -> bool:
    """Whether ``user`` is active staff in ``role`` (superusers hold every role)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=role.value).exists()


class RoleAdminMixin:
    """Admin access by role instead of per-model permissions.

    ``view_roles`` may look, ``change_roles`` may add and change; nobody deletes what an
    auditor may ask about unless ``delete_roles`` says so.
    """

    view_roles: tuple[Role, ...] = (Role.RECRUITER, Role.COMPLIANCE)
    change_roles: tuple[Role, ...] = (Role.RECRUITER,)
    delete_roles: tuple[Role, ...] = ()

    def _holds(self, request, roles) -> bool:
        return any(has_role(request.user, role) for role in roles)

    def has_module_permission(self, request) -> bool:
        return self._holds(request, self.view_roles + self.change_roles)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._holds(request, self.view_roles + self.change_roles)

    def has_add_permission(self, request, *args) -> bool:
        return self._holds(request, self.change_roles)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._holds(request, self.change_roles)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._holds(request, self.delete_roles)
