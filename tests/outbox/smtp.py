"""A real SMTP server for the email outbox's tests (aiosmtpd, on 127.0.0.1), which can refuse
the first messages it is sent, refuse chosen recipients, or be down."""

import socket
import threading
from email import message_from_bytes

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FlakyHandler:
    """Answers ``451`` (try again later) to the first ``fail_first`` messages, ``550`` to the
    recipients in ``refuse``, and keeps every message it accepted."""

    def __init__(self, fail_first: int = 0, refuse: frozenset[str] = frozenset()):
        self.fail_first = fail_first
        self.refuse = refuse
        self.refused_messages = 0
        self.received: list = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refused_messages < self.fail_first:
                self.refused_messages += 1
                return "451 4.3.0 Temporary failure, try again later"
            self.received.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def subjects(self) -> list[str]:
        with self.lock:
            return [message["Subject"] for message in self.received]


class SmtpServer:
    """An SMTP server on a fixed port of 127.0.0.1 that can be stopped and started again."""

    def __init__(self, handler: FlakyHandler):
        self.handler = handler
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> "SmtpServer":
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def worker_env(self) -> dict[str, str]:
        """What a worker needs to send through this server with Django's SMTP backend."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
        }
