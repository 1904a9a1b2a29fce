"""The channels a published page goes out through, from
``settings.TSUNAGU_PUBLISHERS`` (publishers/conf.py)."""

from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from ..conf import channels_configured
from .base import Change, Channel, ChannelError, OutcomeUnknown, Sent

__all__ = [
    "Change",
    "Channel",
    "ChannelError",
    "OutcomeUnknown",
    "Sent",
    "channel_get",
    "channels_all",
]


@cache
def _channels() -> dict[str, Channel]:
    found: dict[str, Channel] = {}
    for alias, spec in channels_configured().items():
        path = spec.get("BACKEND", "")
        try:
            cls = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"TSUNAGU_PUBLISHERS[{alias!r}]['BACKEND'] = {path!r} "
                f"cannot be imported: {exc}"
            ) from exc
        if not (isinstance(cls, type) and issubclass(cls, Channel)):
            raise ImproperlyConfigured(
                f"TSUNAGU_PUBLISHERS[{alias!r}]['BACKEND'] is not a Channel"
            )
        found[alias] = cls(alias, spec.get("OPTIONS", {}))
    return found


def channels_all() -> dict[str, Channel]:
    """Every configured channel by alias (one instance per process)."""
    return _channels()


def channel_get(alias: str) -> Channel | None:
    return _channels().get(alias)


channels_all.cache_clear = _channels.cache_clear  # type: ignore[attr-defined]
