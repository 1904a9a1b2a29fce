"""The value types of the safe-HTTP client: its limits and its responses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def safehttp_setting(key: str) -> Any:
    config = getattr(settings, "TSUNAGU_SAFEHTTP", None)
    if not isinstance(config, Mapping) or key not in config:
        raise ImproperlyConfigured(f"TSUNAGU_SAFEHTTP[{key!r}] is not set.")
    return config[key]


@dataclass(frozen=True, kw_only=True)
class Limits:
    """How much one call may cost. Unset fields come from TSUNAGU_SAFEHTTP.

    ``total_timeout`` bounds the whole call (every redirect, connect and read);
    ``read_timeout`` bounds one silence of the server.
    """

    max_bytes: int = field(default_factory=lambda: int(safehttp_setting("MAX_BYTES")))
    max_redirects: int = field(
        default_factory=lambda: int(safehttp_setting("MAX_REDIRECTS"))
    )
    connect_timeout: float = field(
        default_factory=lambda: float(safehttp_setting("CONNECT_TIMEOUT"))
    )
    read_timeout: float = field(
        default_factory=lambda: float(safehttp_setting("READ_TIMEOUT"))
    )
    total_timeout: float = field(
        default_factory=lambda: float(safehttp_setting("TOTAL_TIMEOUT"))
    )

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.max_redirects < 0:
            raise ValueError("max_bytes must be positive and max_redirects >= 0.")
        if min(self.connect_timeout, self.read_timeout, self.total_timeout) <= 0:
            raise ValueError("Timeouts must be positive.")


@dataclass(frozen=True)
class Response:
    """A complete, decoded response. Any status comes back as a Response;
    only safety and transport problems raise."""

    url: str  # after redirects
    status_code: int
    headers: httpx.Headers  # case-insensitive
    content: bytes  # gzip, deflate and br already decoded
    redirects: list[str]  # the addresses that redirected, in order
    elapsed: float  # seconds, the whole call

    @property
    def content_type(self) -> str | None:
        """The media type alone, lower-case (``text/html``)."""
        return (
            self._content_type_header().get_content_type() if self._has_type else None
        )

    @property
    def charset(self) -> str | None:
        """The charset parameter of Content-Type, if the server sent one."""
        if not self._has_type:
            return None
        value = self._content_type_header().get_param("charset")
        return value.strip().lower() if isinstance(value, str) and value else None

    @property
    def _has_type(self) -> bool:
        return bool(self.headers.get("content-type", "").strip())

    def _content_type_header(self) -> Message:
        message = Message()
        message["content-type"] = self.headers["content-type"]
        return message
