"""The webhooks app's error tree."""


class WebhookError(Exception):
    """Base class for every error of webhooks."""


class InvalidSubscription(WebhookError):
    """A subscription cannot be saved as asked; ``field`` names the part at fault."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class TargetRefused(InvalidSubscription):
    """A URL that webhooks may not call: not http(s), or a private address in production."""

    def __init__(self, message: str):
        super().__init__(message, field="url")


class ReceiverFailed(WebhookError):
    """The receiver did not answer 2xx (or not at all): the delivery is tried again later."""
