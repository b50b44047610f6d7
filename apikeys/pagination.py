"""Cursor pagination: stable pages while new rows arrive, no page numbers to skip."""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """DRF's cursor pages, with a cursor that does not parse answered as a bad parameter
    (400 naming `cursor`) rather than DRF's 404."""

    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200
    # Newest first; views with another natural order set `ordering` themselves.
    ordering = ("-created_at", "-pk")

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError({self.cursor_query_param: [str(error.detail)]}) from error
