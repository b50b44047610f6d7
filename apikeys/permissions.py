"""Every endpoint names the scope a key needs; object access is checked by the selectors."""

from rest_framework.permissions import BasePermission

from apikeys.models import ApiKey


class HasScope(BasePermission):
    """The key carries the view's ``required_scope`` (or one of them, for a tuple)."""

    def has_permission(self, request, view) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return False
        required = view.required_scope
        needed = (required,) if isinstance(required, str) else tuple(required)
        if any(scope in api_key.scopes for scope in needed):
            return True
        self.message = f"This API key lacks the scope this endpoint needs: {' or '.join(needed)}."
        return False
