"""Every write of webhooks: subscriptions (audited), events written as deliveries in the
caller's transaction, one delivery attempt, redelivery, and disabling a failing endpoint.

Apps emit events by calling ``emit_event`` from their services, inside the transaction of the
state change, so a delivery exists if and only if the change committed (the outbox).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.services import Action, actor_for_user, record_event
from outbox import services as outbox
from outbox.models import OutboxJob
from webhooks import signing, targets
from webhooks.exceptions import InvalidSubscription, ReceiverFailed
from webhooks.models import Delivery, DeliveryAttempt, EventType, Subscription


def _clean_events(events) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise InvalidSubscription("Choose at least one event type.", field="events")
    unknown = [event for event in events if event not in EventType.values]
    if unknown:
        raise InvalidSubscription(
            f"Unknown event type {unknown[0]!r}; choose from {', '.join(EventType.values)}.",
            field="events",
        )
    return list(dict.fromkeys(events))


def _audit(action: str, subscription: Subscription, user, **extra) -> None:
    record_event(
        action,
        actor=actor_for_user(user),
        subject=f"webhook:{subscription.pk}",
        payload={"url": subscription.url, "events": subscription.events, **extra},
    )


@transaction.atomic
def subscribe(*, owner, url: str, events, description: str = "", user=None) -> Subscription:
    """Subscribe ``url`` to events about what ``owner`` may see; its secret is read once."""
    targets.resolve(url)
    subscription = Subscription.objects.create(
        owner=owner,
        url=url,
        events=_clean_events(events),
        description=description.strip(),
        secret=signing.new_secret(),
    )
    _audit(Action.WEBHOOK_SUBSCRIBED, subscription, user, owner=owner.pk)
    return subscription


@transaction.atomic
def change_subscription(
    subscription: Subscription,
    *,
    user=None,
    url: str | None = None,
    events=None,
    description: str | None = None,
    active: bool | None = None,
) -> Subscription:
    """Change a subscription; turning it back on clears its failure count."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if url is not None:
        targets.resolve(url)
        subscription.url = url
    if events is not None:
        subscription.events = _clean_events(events)
    if description is not None:
        subscription.description = description.strip()
    if active is not None and active != subscription.active:
        subscription.active = active
        subscription.consecutive_failures = 0
        subscription.disabled_at = None if active else timezone.now()
        subscription.disabled_reason = "" if active else "Turned off by its owner."
    subscription.save()
    _audit(Action.WEBHOOK_CHANGED, subscription, user, active=subscription.active)
    return subscription


@transaction.atomic
def delete_subscription(subscription: Subscription, *, user=None) -> None:
    """Delete a subscription and its delivery log."""
    _audit(Action.WEBHOOK_DELETED, subscription, user)
    subscription.delete()


# --- Events ------------------------------------------------------------------------------------


def _new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def emit_event(
    event_type: EventType,
    build_data: Callable[[], dict],
    *,
    may_see: Callable[[object], bool],
) -> int:
    """Write one delivery per active subscription to ``event_type`` whose owner ``may_see``
    the object (the emitting app's access rule), in the caller's transaction; sent after
    commit. Returns how many deliveries were written.

    ``build_data()`` makes the payload's data (ids and fields, never free text a candidate
    wrote), only when someone listens: with no subscription an event costs one query.
    """
    # Membership is tested in Python: a JSON ``contains`` lookup is not available on SQLite,
    # the embedded database of `make run`, and an employer has a handful of subscriptions.
    subscriptions = [
        subscription
        for subscription in Subscription.objects.filter(
            active=True, owner__is_active=True
        ).select_related("owner")
        if str(event_type) in subscription.events and may_see(subscription.owner)
    ]
    if not subscriptions:
        return 0
    body = json.dumps(
        {"type": str(event_type), "timestamp": timezone.now().isoformat(), "data": build_data()},
        separators=(",", ":"),
        default=str,
    )
    for subscription in subscriptions:
        delivery = Delivery.objects.create(
            subscription=subscription,
            message_id=_new_message_id(),
            event_type=event_type,
            body=body,
            **outbox.pending_fields(),
        )
        outbox.enqueue_on_commit(delivery)
    return len(subscriptions)


# --- Delivery ----------------------------------------------------------------------------------


def deliver(delivery_id: int) -> Delivery | None:
    """Send one pending delivery, log the attempt, and mark it done on a 2xx answer.

    Raises ReceiverFailed for any other answer (the task retries with backoff) and
    TargetRefused when the URL now resolves where webhooks may not go (the delivery fails).
    No lock is held while the receiver answers: a duplicate message may send twice, which the
    receiver's deduplication on `webhook-id` absorbs (webhooks are at least once).
    """
    delivery = (
        Delivery.objects.select_related("subscription")
        .filter(pk=delivery_id, state=OutboxJob.State.PENDING)
        .first()
    )
    if delivery is None:
        return None
    subscription = delivery.subscription
    if not subscription.active:
        outbox.fail(Delivery, delivery.pk, "The subscription is disabled.")
        return None
    try:
        target = targets.resolve(subscription.url)
    except targets.TargetRefused as error:
        _log_attempt(delivery, targets.Answer(None, 0, str(error)))
        raise
    headers = signing.signed_headers(
        subscription.secret, delivery.message_id, int(timezone.now().timestamp()), delivery.body
    ) | {"content-type": "application/json", "user-agent": "Skillproof-Webhooks/1"}
    answer = targets.post(target, delivery.body.encode(), headers)
    _record_answer(delivery, answer)
    if not answer.ok:
        raise ReceiverFailed(answer.error or f"The receiver answered {answer.status}.")
    return delivery


def _log_attempt(delivery: Delivery, answer: targets.Answer) -> None:
    DeliveryAttempt.objects.create(
        delivery=delivery,
        attempted_at=timezone.now(),
        status_code=answer.status,
        duration_ms=answer.duration_ms,
        error=answer.error,
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1, last_status_code=answer.status
    )


@transaction.atomic
def _record_answer(delivery: Delivery, answer: targets.Answer) -> None:
    _log_attempt(delivery, answer)
    subscription = Subscription.objects.select_for_update().get(pk=delivery.subscription_id)
    if answer.ok:
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.state == OutboxJob.State.PENDING:
            locked.delivered_at = timezone.now()
            locked.save(update_fields=["delivered_at"])
            outbox.mark_done(locked)
        if subscription.consecutive_failures:
            subscription.consecutive_failures = 0
            subscription.save(update_fields=["consecutive_failures"])
        return
    subscription.consecutive_failures += 1
    subscription.save(update_fields=["consecutive_failures"])
    if subscription.active and (
        subscription.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES
    ):
        _disable(subscription, answer)


def _disable(subscription: Subscription, answer: targets.Answer) -> None:
    """Turn off an endpoint that keeps failing, fail what waits for it, tell its owner."""
    subscription.active = False
    subscription.disabled_at = timezone.now()
    subscription.disabled_reason = (
        f"{subscription.consecutive_failures} failed deliveries in a row; the last: "
        f"{answer.error or f'HTTP {answer.status}'}"
    )[:300]
    subscription.save(update_fields=["active", "disabled_at", "disabled_reason"])
    subscription.deliveries.filter(state=OutboxJob.State.PENDING).update(
        state=OutboxJob.State.FAILED,
        finished_at=timezone.now(),
        last_error="The subscription was disabled after repeated failures.",
    )
    _audit(Action.WEBHOOK_DISABLED, subscription, None, reason=subscription.disabled_reason)
    if subscription.owner.email:
        outbox.queue_email(
            EmailMessage(
                subject="Skillproof: a webhook endpoint was turned off",
                body=(
                    f"Deliveries to {subscription.url} failed "
                    f"{subscription.consecutive_failures} times in a row, so Skillproof "
                    f"stopped sending to it.\n\nLast failure: {subscription.disabled_reason}\n\n"
                    "Fix the receiver, then turn the subscription on again (PATCH "
                    f"/api/v1/webhooks/{subscription.pk} with active=true, or in the admin) "
                    "and redeliver what it missed from the admin's delivery log.\n"
                ),
                to=[subscription.owner.email],
            ),
            reference=f"webhook:{subscription.pk}",
        )


def redeliver(delivery: Delivery, *, user=None) -> Delivery:
    """Send a delivery again as a new outbox row with the same message (id and body)."""
    with transaction.atomic():
        again = Delivery.objects.create(
            subscription=delivery.subscription,
            message_id=delivery.message_id,
            event_type=delivery.event_type,
            body=delivery.body,
            **outbox.pending_fields(),
        )
        record_event(
            Action.WEBHOOK_CHANGED,
            actor=actor_for_user(user),
            subject=f"webhook:{delivery.subscription_id}",
            payload={"redelivered": delivery.message_id, "delivery": again.pk},
        )
        outbox.enqueue_on_commit(again)
    return again
