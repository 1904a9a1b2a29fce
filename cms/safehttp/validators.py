"""The safe-HTTP rules as a Django validator, for addresses that are saved
(a source's URL, a partner's webhook) so that a refused address is refused
when an editor enters it, in the form, the CSV import, the command or any
code that cleans the model, not weeks later at the first fetch."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .client import SafeClient
from .errors import DNSError, SafeHTTPError


def validate_outbound_url(value: str) -> None:
    """http or https only, no credentials, a plausible host, and no address
    the client would refuse (private, loopback, link-local, ...), unless
    TSUNAGU_SAFEHTTP's allow-list names it. A name that does not resolve now
    is accepted: DNS may come later, and every use checks again."""
    try:
        with SafeClient() as client:
            client.check(value)
    except DNSError:
        return
    except SafeHTTPError as exc:
        raise ValidationError(
            _("Tsunagu refuses this address: %(reason)s"),
            code="unsafe_url",
            params={"reason": str(exc)},
        ) from exc


def outbound_url_clean(instance: object, *, field: str = "url") -> None:
    """For a model's ``clean()``: the saved address checked as above, the
    error shown on its own field."""
    value = getattr(instance, field)
    if not value:
        return
    try:
        validate_outbound_url(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
