"""A real SMTP server (aiosmtpd) on a free local port, for tests that must see mail arrive."""

import email
import email.policy
import socket
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings


@dataclass
class Inbox:
    """Messages the server accepted, parsed; ``fail_next`` refuses that many transactions first."""

    messages: list = field(default_factory=list)
    fail_next: int = 0
    refused: int = 0

    async def handle_DATA(self, server, session, envelope):
        if self.fail_next > 0:
            self.fail_next -= 1
            self.refused += 1
            return "451 4.3.0 Temporary failure, try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Start the server and point Django's SMTP backend at it; yields the inbox."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=controller.port,
            EMAIL_USE_TLS=False,
            EMAIL_TIMEOUT=5,
        ):
            yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_down():
    """Django's SMTP backend pointed at a port where nothing listens."""
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=free_port(),
        EMAIL_TIMEOUT=2,
    ):
        yield


@pytest.fixture
def smtp_hanging():
    """A server that accepts the connection and never answers (a stuck relay): sending gives up
    after ``EMAIL_TIMEOUT`` seconds."""
    import socket

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=listener.getsockname()[1],
            EMAIL_TIMEOUT=2,
        ):
            yield
    finally:
        listener.close()
