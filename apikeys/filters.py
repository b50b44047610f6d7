"""Query filters shared by list endpoints, validated like bodies (bad values are 400s with
their parameter as the path; a NUL byte never reaches the database)."""

from rest_framework import serializers


class ListFilters(serializers.Serializer):
    assessment = serializers.SlugField(required=False, help_text="Only this assessment's (slug).")
    external_id = serializers.CharField(
        max_length=200, required=False, help_text="Only those with this id of yours."
    )


def valid_filters(serializer_class: type[serializers.Serializer], params) -> dict:
    """The query parameters as ``serializer_class`` validates them (ValidationError: 400)."""
    filters = serializer_class(data=params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data
