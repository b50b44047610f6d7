"""One error body for the whole integration API: `{"errors": [{"path", "message"}]}`.

`path` names the field that is wrong, dotted for nested fields and indexed for list items
(`invitations.2.email`); it is empty when the error is about the request as a whole.
"""

from rest_framework.views import exception_handler


def error_list(detail, path: str = "") -> list[dict[str, str]]:
    """Flatten DRF's error detail (dicts, lists, strings) into path/message pairs."""
    if isinstance(detail, dict):
        errors = []
        for field, value in detail.items():
            name = "" if field in ("non_field_errors", "detail") else str(field)
            errors += error_list(value, f"{path}.{name}" if path and name else path or name)
        return errors
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [{"path": path, "message": str(item)} for item in detail]
        errors = []
        for index, item in enumerate(detail):
            if item:  # DRF leaves {} for the list items that were fine
                errors += error_list(item, f"{path}.{index}" if path else str(index))
        return errors
    return [{"path": path, "message": str(detail)}]


def errors_body(*messages: str, path: str = "") -> dict:
    """An error body for messages about one path (the request as a whole by default)."""
    return {"errors": [{"path": path, "message": message} for message in messages]}


def api_exception_handler(exc, context):
    """DRF's handler (status, Retry-After, WWW-Authenticate) with the API's error body."""
    response = exception_handler(exc, context)
    if response is not None:
        response.data = {"errors": error_list(response.data)}
    return response
