"""Reading configuration from the environment (12-factor), with development defaults."""

import os
import socket
from urllib.parse import urlparse


def env_bool(name: str, default: bool) -> bool:
    """A boolean environment variable: 1/true/yes/on are true, 0/false/no/off are false."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    """An integer environment variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(f"{name}={raw!r} is not a whole number") from error


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated environment variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def tcp_answers(url: str, timeout: float = 0.3) -> bool:
    """Whether something accepts TCP connections at the host and port of ``url``."""
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout
        ):
            return True
    except OSError:
        return False


def available_redis(redis_url: str | None, default_redis: str) -> str | None:
    """The configured Redis, else the local one when it answers, else None."""
    if redis_url:
        return redis_url
    return default_redis if tcp_answers(default_redis) else None
