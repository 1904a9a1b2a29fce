"""The scheduler's job for the outbox (settings.TSUNAGU_SCHEDULER)."""

from .services import outbox_sweep

__all__ = ["outbox_sweep"]
