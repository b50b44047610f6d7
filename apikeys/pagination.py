"""Cursor pagination: stable pages while new rows arrive, no page numbers to skip."""

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200
    # Newest first; views with another natural order set `ordering` themselves.
    ordering = ("-created_at", "-pk")
