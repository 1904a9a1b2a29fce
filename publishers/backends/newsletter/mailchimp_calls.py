"""Every call to Mailchimp through its own client, with a timeout, within the
limit of connections, and every failure as one of our errors.

What the client does, read in its source (3.0.80), that shapes this module:

- Every call goes through ``requests.<method>(..., timeout=config timeout)``
  with a new connection each time and no retry. The timeout is the config's
  ``timeout`` (120 s by default); the ``_request_timeout`` keyword its methods
  accept is ignored. We pass TIMEOUT_SECONDS in the config.
- Every failure is an ``ApiClientError``: ``status_code`` None and ``text``
  the requests exception for a transport failure; otherwise the status and
  the body: a dict for ``application/json``, but a *string* for Mailchimp's
  errors, which come as ``application/problem+json``.
- An empty body (204, or an error without one) is not an error to it: it
  returns the ``requests.Response`` itself, whatever the status. We check.
- It replaces the text "server" anywhere in the URL with the key's data
  centre, so API_URL must not contain it.
- Calls without a body (send, unschedule, delete-permanent) send ``null``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from functools import cached_property
from typing import Any

import mailchimp_marketing
import requests
from mailchimp_marketing.api_client import ApiClientError
from urllib3.exceptions import NewConnectionError

from .base import (
    ConfigurationError,
    NewsletterError,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    TemporaryError,
)

logger = logging.getLogger(__name__)

SETTING = "TSUNAGU_NEWSLETTER['OPTIONS']"
# Mailchimp closes calls that take longer than 120 s and allows 10
# simultaneous connections per account (429 beyond them).
# https://mailchimp.com/developer/marketing/docs/fundamentals/#api-limits
MAILCHIMP_TIMEOUT_SECONDS = 120.0
MAILCHIMP_CONNECTIONS = 10
# A 429 from Mailchimp carries no Retry-After: a connection frees when one of
# the other calls ends, within seconds usually. The outbox tries again then.
RATE_LIMIT_RETRY_SECONDS = 15.0


def _problem(text: Any) -> dict[str, Any]:
    """Mailchimp's problem document (type, title, status, detail, instance,
    sometimes errors) from what the client put in ApiClientError.text."""
    if isinstance(text, dict):
        return text
    if isinstance(text, str | bytes):
        try:
            parsed = json.loads(text)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _request_left(cause: requests.RequestException) -> bool:
    """Whether a transport failure may have come after the request was sent
    (a read timeout, a connection closed before the answer, a broken body)."""
    if isinstance(
        cause,
        requests.exceptions.ConnectTimeout
        | requests.exceptions.SSLError
        | requests.exceptions.ProxyError,
    ):
        return False
    if isinstance(cause, requests.exceptions.ConnectionError):
        reason = cause.args[0] if cause.args else None
        reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError
        return not isinstance(reason, NewConnectionError)
    return True


class MailchimpCalls:
    """The client, built on first use, and the one way to call it."""

    def __init__(
        self,
        *,
        api_key: str,
        server_prefix: str,
        api_url: str,
        timeout: float,
        max_connections: int,
    ) -> None:
        self._api_key = api_key
        self.server_prefix = server_prefix
        self.api_url = api_url
        self.timeout = timeout
        # Mailchimp's limit is per account, across processes; this only keeps
        # one process (a benchmark, a worker with threads) within it. Others
        # get a 429, which becomes RateLimited.
        self._slots = threading.BoundedSemaphore(max_connections)

    @cached_property
    def client(self) -> mailchimp_marketing.Client:
        client = mailchimp_marketing.Client(
            {
                "api_key": self._api_key,
                "server": self.server_prefix,
                # The one timeout the client applies (to connect and to each
                # read); ``_request_timeout`` on a call is ignored.
                "timeout": self.timeout,
            }
        )
        client.api_client.host = self.api_url
        return client

    # -- calls and errors ---------------------------------------------------

    def __call__(self, doing: str, call: Callable[[], Any], *, repeatable: bool) -> Any:
        """The call's JSON answer (None for an empty one). ``repeatable``:
        repeating the request cannot do harm, so a lost answer is only a
        TemporaryError; otherwise it is OutcomeUnknown."""
        with self._slots:
            try:
                result = call()
            except ApiClientError as error:
                raise self._error(
                    doing,
                    status=error.status_code,
                    body=error.text,
                    repeatable=repeatable,
                ) from error
        if isinstance(result, requests.Response):
            if not result.ok:
                raise self._error(
                    doing,
                    status=result.status_code,
                    body=result.text,
                    repeatable=repeatable,
                    retry_after=result.headers.get("Retry-After"),
                )
            return None
        if isinstance(result, str):
            # A 2xx whose body is not JSON: not Mailchimp's API answering.
            raise TemporaryError(
                f"Could not {doing}: the answer was not Mailchimp's JSON."
            )
        return result

    def _scrub(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text

    def _error(
        self,
        doing: str,
        *,
        status: int | None,
        body: Any,
        repeatable: bool,
        retry_after: str | None = None,
    ) -> NewsletterError:
        """Our error for what the client raised or returned, in plain words."""
        if status is None:
            return self._transport_error(doing, body, repeatable=repeatable)
        problem = _problem(body)
        title = self._scrub(str(problem.get("title") or ""))
        detail = self._scrub(str(problem.get("detail") or ""))
        # A missing member or campaign is an answer the callers expect.
        logger.log(
            logging.INFO if status == 404 else logging.WARNING,
            "Mailchimp: could not %s (status %s): %s %s",
            doing,
            status,
            title,
            detail,
        )
        said = f"{status} {title}".strip() + (f": {detail}" if detail else "")
        if status in (401, 403):
            return ConfigurationError(
                f"Could not {doing}: Mailchimp refused the API key or its rights "
                f"({said}). Check {SETTING}['API_KEY']."
            )
        if status == 429:
            try:
                seconds = float(retry_after or RATE_LIMIT_RETRY_SECONDS)
            except ValueError:
                seconds = RATE_LIMIT_RETRY_SECONDS
            return RateLimited(
                f"Could not {doing}: too many requests at once to Mailchimp ({said}).",
                retry_after_seconds=seconds,
            )
        if status >= 500:
            return TemporaryError(
                f"Could not {doing}: Mailchimp was unavailable ({said})."
            )
        errors = problem.get("errors")
        kind = NotFound if status == 404 else Rejected
        return kind(
            f"Could not {doing}: Mailchimp answered {said}",
            status=status,
            title=title,
            detail=detail,
            errors=errors if isinstance(errors, list) else [],
        )

    def _transport_error(
        self, doing: str, cause: Any, *, repeatable: bool
    ) -> NewsletterError:
        logger.warning("Mailchimp: could not %s: %r", doing, cause)
        if not isinstance(cause, requests.RequestException):
            # Not the network: something in the call itself (the client
            # wraps every exception). Not worth trying again as it is.
            return NewsletterError(f"Could not {doing}: {cause!r}")
        if isinstance(
            cause, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema
        ):
            return ConfigurationError(
                f"Could not {doing}: {SETTING}['API_URL'] is not a usable URL."
            )
        if not _request_left(cause):
            return TemporaryError(f"Could not {doing}: Mailchimp could not be reached.")
        timed_out = isinstance(cause, requests.exceptions.Timeout)
        what = (
            f"Mailchimp did not answer within {self.timeout:g} s"
            if timed_out
            else "the connection to Mailchimp was lost before its answer"
        )
        if repeatable:
            return TemporaryError(f"Could not {doing}: {what}.")
        return OutcomeUnknown(
            f"Could not {doing}: {what}; it may have happened. Look before "
            "trying again."
        )
