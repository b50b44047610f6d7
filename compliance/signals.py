"""Staff logins, failed logins and role changes into the audit chain.

These happen inside Django's auth machinery (the admin login view, the user admin's group
widget), which has no service of ours to call, so two receivers record them: the one place in
the project where a signal writes. They only append an audit event, in the same transaction.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from audit.context import current_actor
from audit.services import Action, record_event
from web.clients import client_address

User = get_user_model()
_ROLE_FLAGS = ("is_superuser", "is_staff", "is_active")


@receiver(user_logged_in, dispatch_uid="compliance.staff_login")
def record_staff_login(sender, request, user, **kwargs) -> None:
    record_event(
        Action.STAFF_LOGIN,
        actor=f"user:{user.pk}",
        subject=f"user:{user.pk}",
        payload={"backend": getattr(user, "backend", "") or ""},
    )


@receiver(user_login_failed, dispatch_uid="compliance.staff_login_failed")
def record_failed_login(sender, credentials, request=None, factor="password", **kwargs) -> None:
    """A refused sign-in: a wrong password (Django's authenticate, including while locked out)
    or a wrong authenticator code (``factor="token"``, sent by the staff two-factor pages)."""
    # The name typed is not kept: people type their password into it by mistake.
    user = User._default_manager.filter(
        **{User.USERNAME_FIELD: credentials.get(User.USERNAME_FIELD, "")}
    ).first()
    record_event(
        Action.STAFF_LOGIN_FAILED,
        actor="system",
        subject=f"user:{user.pk}" if user else "user:unknown",
        payload={
            "factor": factor,
            "address": client_address(request) if request else None,
            # Set by django-axes, whose receiver runs first (its app is installed earlier).
            "locked_out": bool(getattr(request, "axes_locked_out", False)),
        },
    )


def _group_names(pks) -> list[str]:
    return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="compliance.role_change")
def record_role_change(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    if action == "pre_clear":
        # The cleared rows are gone by post_clear, so note them now.
        if reverse:
            instance._audit_cleared = list(instance.user_set.values_list("pk", flat=True))
        else:
            instance._audit_cleared = list(instance.groups.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    change = "added" if action == "post_add" else "removed"
    pks = sorted(pk_set or getattr(instance, "_audit_cleared", []) or [])
    if not pks:
        return
    if reverse:
        # group.user_set.add(users…): one event per user, naming the group.
        for user_pk in pks:
            _record_role(user_pk, **{change: [instance.name]})
    else:
        _record_role(instance.pk, **{change: _group_names(pks)})


def _record_role(user_pk: int, *, added=(), removed=(), flags=None) -> None:
    payload = {"user": user_pk, "added": list(added), "removed": list(removed)}
    if flags:
        payload["flags"] = flags
    record_event(
        Action.ROLE_CHANGED, actor=current_actor(), subject=f"user:{user_pk}", payload=payload
    )


@receiver(pre_save, sender=User, dispatch_uid="compliance.role_flags_before")
def remember_role_flags(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    untouched = update_fields is not None and not set(update_fields) & set(_ROLE_FLAGS)
    if raw or instance.pk is None or untouched:
        # e.g. the login's save(update_fields=["last_login"]): no role can change.
        instance._audit_flags = None
        return
    instance._audit_flags = User.objects.filter(pk=instance.pk).values(*_ROLE_FLAGS).first()


@receiver(post_save, sender=User, dispatch_uid="compliance.role_flags_after")
def record_role_flags(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_audit_flags", None)
    if created:
        flags = {flag: getattr(instance, flag) for flag in _ROLE_FLAGS if getattr(instance, flag)}
        if flags.get("is_superuser") or flags.get("is_staff"):
            _record_role(instance.pk, flags=flags)
        return
    if before is None:
        return
    changed = {
        flag: getattr(instance, flag)
        for flag in _ROLE_FLAGS
        if before.get(flag) != getattr(instance, flag)
    }
    if changed:
        _record_role(instance.pk, flags=changed)
