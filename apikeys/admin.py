"""API keys in the admin: create (the key is shown once), list, revoke.

Staff manage their own keys; a superuser manages everyone's and chooses a key's owner. A key
never changes after creation except by revocation: a new scope means a new key.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model

from apikeys import services
from apikeys.exceptions import InvalidKeyRequest
from apikeys.models import ApiKey, Scope


class ApiKeyCreationForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)
    expires_in_days = forms.IntegerField(
        min_value=1, max_value=3650, required=False, help_text="Empty: the key does not expire."
    )

    class Meta:
        model = ApiKey
        fields = ["name", "owner", "scopes", "rate_per_minute"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        owners = get_user_model().objects.filter(is_active=True, is_staff=True)
        self.fields["owner"].queryset = owners if user.is_superuser else owners.filter(pk=user.pk)
        self.fields["owner"].initial = user.pk
        self.fields["owner"].help_text = "The key sees exactly what this person may see."


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "owner", "scope_list", "created_at", "expires_at", "state")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix")
    actions = ["revoke"]
    readonly_fields = (
        "name",
        "owner",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the audit log names the key

    def get_queryset(self, request):
        keys = super().get_queryset(request).select_related("owner")
        return keys if request.user.is_superuser else keys.filter(owner=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)

        class Form(ApiKeyCreationForm):
            def __init__(form, *args, **form_kwargs):
                super().__init__(*args, user=request.user, **form_kwargs)

        return Form

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "owner", "scopes", "expires_in_days", "rate_per_minute"]
        return [*self.readonly_fields, "rate_per_minute"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["rate_per_minute"])
            return
        days = form.cleaned_data.get("expires_in_days")
        try:
            api_key, key = services.create_api_key(
                name=form.cleaned_data["name"],
                owner=form.cleaned_data["owner"],
                scopes=form.cleaned_data["scopes"],
                expires_in=timedelta(days=days) if days else None,
                user=request.user,
            )
        except InvalidKeyRequest as error:
            messages.error(request, str(error))
            return
        if form.cleaned_data.get("rate_per_minute"):
            api_key.rate_per_minute = form.cleaned_data["rate_per_minute"]
            api_key.save(update_fields=["rate_per_minute"])
        obj.pk = api_key.pk
        messages.warning(
            request,
            f"The key for {api_key.name}, shown this once (only its hash is stored): {key}",
        )

    @admin.display(description="scopes")
    def scope_list(self, api_key: ApiKey) -> str:
        return ", ".join(api_key.scopes)

    @admin.display(description="state")
    def state(self, api_key: ApiKey) -> str:
        return "revoked" if api_key.revoked_at else "active"

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        for api_key in queryset:
            services.revoke_api_key(api_key, user=request.user)
        messages.success(request, f"{queryset.count()} keys revoked.")
