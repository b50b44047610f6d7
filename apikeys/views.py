"""The base of every integration endpoint (the endpoints live in each app's api.py)."""

from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from apikeys.authentication import ApiKeyAuthentication
from apikeys.errors import api_exception_handler
from apikeys.pagination import ApiCursorPagination
from apikeys.permissions import HasScope
from apikeys.schema import IntegrationSchema
from apikeys.throttles import ApiKeyRateThrottle


class IntegrationView(generics.GenericAPIView):
    """Bearer key, scope, per-key rate, cursor pages and the API's error body.

    Subclasses set ``required_scope`` and check object access through their app's selectors,
    with ``request.user`` (the key's owner).
    """

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ApiKeyRateThrottle]
    pagination_class = ApiCursorPagination
    schema = IntegrationSchema()
    required_scope: str | tuple[str, ...] = ()
    # Its GET answers a cursor page of ``serializer_class`` items (for the schema).
    is_list = False

    def get_exception_handler(self):
        return api_exception_handler

    def paginated(self, queryset):
        """A page of ``queryset`` through the view's serializer, with next/previous cursors."""
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class UnknownEndpoint(APIView):
    """Any other URL under /api/v1/ (or an id of the wrong shape): 404 in the API's error
    body, not Django's HTML page. Not an operation, so it stays out of the schema."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    schema = None

    def get_exception_handler(self):
        return api_exception_handler

    def get(self, request, path: str = ""):
        raise NotFound(f"No API endpoint at /api/v1/{path}.")

    post = put = patch = delete = get
