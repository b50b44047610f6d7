"""Webhooks in the admin: subscriptions (the secret shown once, at creation), and the delivery
log with each attempt's status code and timing, and a redeliver action.

Staff manage the subscriptions they own; a superuser sees and manages everyone's.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model

from webhooks import services
from webhooks.exceptions import InvalidSubscription
from webhooks.models import Delivery, DeliveryAttempt, EventType, Subscription


class _OwnRowsAdmin(admin.ModelAdmin):
    """Any active staff user, limited to the rows of their own subscriptions."""

    owner_path = "owner"

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        return rows.filter(**{self.owner_path: request.user})


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscription
        fields = ["owner", "url", "events", "description", "active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        owners = get_user_model().objects.filter(is_active=True, is_staff=True)
        self.fields["owner"].queryset = owners if user.is_superuser else owners.filter(pk=user.pk)
        self.fields["owner"].initial = user.pk
        self.fields["owner"].help_text = "Events reach this URL about what this person may see."
        if self.instance.pk:
            self.fields["owner"].disabled = True


@admin.register(Subscription)
class SubscriptionAdmin(_OwnRowsAdmin):
    list_display = ("url", "owner", "event_list", "active", "consecutive_failures", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "description")
    readonly_fields = ("disabled_at", "disabled_reason", "consecutive_failures", "created_at")

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        class Form(SubscriptionForm):
            def __init__(form, *args, **form_kwargs):
                super().__init__(*args, user=request.user, **form_kwargs)

        return Form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                services.change_subscription(
                    obj,
                    user=request.user,
                    url=data["url"],
                    events=data["events"],
                    description=data["description"],
                    active=data["active"],
                )
                return
            subscription = services.subscribe(
                owner=data["owner"],
                url=data["url"],
                events=data["events"],
                description=data["description"],
                user=request.user,
            )
        except InvalidSubscription as error:
            messages.error(request, str(error))
            return
        obj.pk = subscription.pk
        messages.warning(
            request,
            f"The signing secret for {subscription.url}, shown this once: {subscription.secret}",
        )

    def delete_model(self, request, obj):
        services.delete_subscription(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for subscription in queryset:
            services.delete_subscription(subscription, user=request.user)

    @admin.display(description="events")
    def event_list(self, subscription: Subscription) -> str:
        return ", ".join(subscription.events)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("attempted_at", "status_code", "duration_ms", "error")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(_OwnRowsAdmin):
    owner_path = "subscription__owner"
    list_display = (
        "message_id",
        "event_type",
        "subscription",
        "state",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
    )
    list_filter = ("state", "event_type")
    search_fields = ("message_id", "subscription__url")
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]
    readonly_fields = (
        "subscription",
        "message_id",
        "event_type",
        "state",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
        "retries",
        "last_error",
        "body",
    )
    exclude = ("enqueued_at", "enqueue_count", "finished_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Redeliver the selected events (same webhook-id and body)")
    def redeliver(self, request, queryset):
        for delivery in queryset.select_related("subscription"):
            services.redeliver(delivery, user=request.user)
        messages.success(request, f"{queryset.count()} deliveries queued again.")
