"""A local server that answers as Mailchimp's Marketing API 3.0 is documented
to answer, for the calls Tsunagu makes.

For the Mailchimp backend's tests and the publishers' benchmark:
``mailchimp_marketing`` talks to it over real HTTP (``API_URL=server.api_url``,
``API_KEY=server.api_key``, ``LIST_ID=server.list_id``). The rules are in
mailchimp_rules.py, the endpoints in mailchimp_endpoints.py (audience) and
mailchimp_campaigns.py, the HTTP side in mailchimp_http.py:

- Every request under /3.0 with the key as Basic auth (any user name, as the
  client sends it), ``Bearer <key>`` or ``apikey <key>``; else 401 in
  Mailchimp's problem JSON (``application/problem+json``).
- GET /ping, GET /lists/{list_id}.
- Members: PUT (upsert: ``status_if_new`` for a new address; an existing
  member keeps its status unless ``status`` is sent), PATCH (an existing
  member only: 404 otherwise), GET, POST actions/delete-permanent (the
  address is then refused: 400 "Forgotten Email Not Subscribed"). A status
  change does not put back by API an unsubscribed member as subscribed or a
  cleaned one at all: 400 "Member In Compliance State". A member whose
  merge_fields name a tag the audience lacks (or give a text field a
  non-string) is refused: 400 "Invalid Resource", the field in its errors.
- Merge fields: GET (pages of 10 unless ``count``), POST (400 for a tag
  already there). A new audience has Mailchimp's FNAME, LNAME, ADDRESS and
  PHONE.
- Interest categories and interests: GET (pages of 10 unless ``count``),
  POST, DELETE; at most 60 interests in an audience.
- Campaigns: POST (recipients list_id + Interests segment_opts), GET,
  DELETE, PUT content, actions test, schedule (400 unless on a quarter hour
  and in the future), unschedule, send (a second send: 400). Scheduled
  campaigns go out when ``now()`` passes their time. ``send_count(id)`` and
  ``sends`` count what went out.
- At most ``max_connections`` (10) requests at once; beyond them 429.

Tests steer it: ``fail_next(status, ...)`` answers before any effect (status
0 drops the connection), ``timeout_after_arrival_next()`` lets the effect
happen and holds the answer until the client gives up,
``drop_connection_next()`` lets the effect happen and closes without an
answer, ``delay_seconds`` slows every request before it is handled, ``now``
is the clock, ``sending_seconds`` keeps a sent campaign "sending" a while.
``member_confirm`` / ``member_unsubscribe`` / ``member_clean`` play the
subscriber and return the webhook form Mailchimp would post;
``post_webhook(url, form)`` (mailchimp_webhooks.py) posts one.
``merge_field_add`` plays an operator adding a field in the audience's
settings.

Alone: ``python -m tests.fakes.mailchimp_server --port 8043``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import itertools
import json
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from . import mailchimp_rules as rules
from .lifecycle import FakeHTTPServer, LocalServer
from .mailchimp_campaigns import CampaignEndpoints
from .mailchimp_endpoints import Answer, AudienceEndpoints
from .mailchimp_http import Directive, Handler, RecordedRequest
from .mailchimp_rules import (
    Audience,
    Campaign,
    MergeField,
    MethodNotAllowed,
    Problem,
    Send,
)
from .mailchimp_webhooks import post_webhook, webhook_form

__all__ = [
    "MailchimpServer",
    "RecordedRequest",
    "post_webhook",
    "webhook_form",
]


class MailchimpServer(LocalServer, AudienceEndpoints, CampaignEndpoints):
    """The fake service on ``host`` (127.0.0.1) and a free port."""

    handler_class = Handler
    thread_name = "fake-mailchimp"

    def __init__(
        self,
        *,
        api_key: str = rules.DEFAULT_API_KEY,
        list_id: str = rules.DEFAULT_LIST_ID,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.api_key = api_key
        self.list_id = list_id
        self._address = (host, port)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._httpd: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._generation = 0
        self.reset()

    # -- what tests steer and read ---------------------------------------------

    def reset(self) -> None:
        """Back to the state after construction: one empty audience, no
        campaigns, requests or queued directives; default limits and clock."""
        with self._lock:
            self._generation += 1
            self.lists: dict[str, Audience] = {self.list_id: Audience(self.list_id)}
            self.campaigns: dict[str, Campaign] = {}
            self.sends: list[Send] = []
            self.requests: list[RecordedRequest] = []
            self.max_connections = rules.MAX_CONNECTIONS
            self.delay_seconds = 0.0
            #: How long a sent campaign stays "sending" before "sent".
            self.sending_seconds = 0.0
            self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
            self.in_flight = 0
            self.most_in_flight = 0
            self._directives: list[Directive] = []
            self._web_ids = itertools.count(1001)

    def fail_next(
        self,
        status: int,
        times: int = 1,
        *,
        path: str | None = None,
        method: str | None = None,
        title: str = "",
        detail: str = "",
        body: dict[str, Any] | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` requests (to paths after /3.0 starting
        with ``path``, with ``method``, if given) with ``status`` and
        Mailchimp's problem JSON (or ``body``: bytes are sent as they are, b""
        for an empty answer), before any effect. Status 0 closes the
        connection without an answer."""
        payload = body
        if payload is None and status:
            payload = rules.problem_document(Problem(status, title, detail))
        with self._lock:
            self._directives.extend(
                Directive("fail", path, method, status, payload, dict(headers or {}))
                for _ in range(times)
            )

    def timeout_after_arrival_next(
        self,
        *,
        path: str | None = None,
        method: str | None = None,
        hold_seconds: float = 30.0,
    ) -> None:
        """The next matching request takes effect (the campaign IS sent);
        its answer is held until the client hangs up or ``hold_seconds``."""
        with self._lock:
            self._directives.append(
                Directive("hold", path, method, hold_seconds=hold_seconds)
            )

    def drop_connection_next(
        self, *, path: str | None = None, method: str | None = None
    ) -> None:
        """The next matching request takes effect; the connection is then
        closed without an answer."""
        with self._lock:
            self._directives.append(Directive("drop", path, method))

    def requests_to(
        self, path: str, method: str | None = None
    ) -> list[RecordedRequest]:
        """Requests to a path after /3.0 (a regular expression)."""
        pattern = re.compile(path)
        with self._lock:
            return [
                r
                for r in self.requests
                if pattern.fullmatch(r.path) and method in (None, r.method)
            ]

    @property
    def audience(self) -> Audience:
        return self.lists[self.list_id]

    def member(self, email: str) -> dict[str, Any] | None:
        with self._lock:
            return self.audience.members.get(rules.subscriber_hash(email))

    def send_count(self, campaign_id: str) -> int:
        with self._lock:
            self.settle()
            return self.campaigns[campaign_id].send_count

    def _member_status(self, email: str, status: str) -> None:
        with self._lock:
            record = self.audience.members[rules.subscriber_hash(email)]
            record["status"] = status

    def member_confirm(self, email: str) -> dict[str, str]:
        """The subscriber clicked the double opt-in link: pending →
        subscribed. Returns the "subscribe" webhook form."""
        self._member_status(email, "subscribed")
        return webhook_form("subscribe", email, list_id=self.list_id)

    def member_unsubscribe(self, email: str, reason: str = "manual") -> dict[str, str]:
        """The subscriber used the unsubscribe link (reason manual or abuse)."""
        self._member_status(email, "unsubscribed")
        return webhook_form("unsubscribe", email, list_id=self.list_id, reason=reason)

    def member_clean(self, email: str, reason: str = "hard") -> dict[str, str]:
        """The address bounced (hard) or complained (abuse)."""
        self._member_status(email, "cleaned")
        return webhook_form("cleaned", email, list_id=self.list_id, reason=reason)

    def merge_field_add(self, tag: str, name: str, kind: str = "text") -> None:
        """An operator added a merge field in the audience's settings."""
        with self._lock:
            fields = self.audience.merge_fields
            merge_id = max((f.merge_id for f in fields.values()), default=0) + 1
            fields[tag] = MergeField(
                merge_id, tag, name, kind, display_order=merge_id + 1
            )

    # -- lifecycle ---------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """What the backend's API_URL is set to."""
        return self.url + rules.API_PREFIX

    def backend_options(self, **overrides: Any) -> dict[str, Any]:
        """OPTIONS for MailchimpBackend pointed at this server."""
        return {
            "API_KEY": self.api_key,
            "LIST_ID": self.list_id,
            "API_URL": self.api_url,
            **overrides,
        }

    # -- handling ----------------------------------------------------------------

    def _arrive(self, record: RecordedRequest) -> tuple[int, Directive | None]:
        """Record the request; a 429 directive when too many are in flight."""
        with self._lock:
            self.requests.append(record)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            if self.in_flight > self.max_connections:
                problem = rules.problem_document(Problem(429))
                return self._generation, Directive("fail", None, None, 429, problem)
            for index, directive in enumerate(self._directives):
                if directive.matches(record):
                    return self._generation, self._directives.pop(index)
            return self._generation, None

    def _leave(self, generation: int) -> None:
        with self._lock:
            if generation == self._generation:
                self.in_flight -= 1

    def _current(self, generation: int) -> bool:
        # A request that sat out a delay across reset() or stop() must not
        # change the state a later test sees.
        return generation == self._generation and not self._stopping.is_set()

    def _authorised(self, header: str) -> bool:
        scheme, _, credentials = header.partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                decoded = base64.b64decode(credentials, validate=True).decode()
                return decoded.partition(":")[2] == self.api_key
            return False
        return scheme in ("bearer", "apikey") and credentials == self.api_key

    def _answer(self, record: RecordedRequest, raw: bytes) -> Answer:
        authorization = record.headers.get("authorization", "")
        if not authorization:
            raise Problem(
                401, "API Key Missing", "Your request did not include an API key."
            )
        if not self._authorised(authorization):
            raise Problem(401)
        body = None
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                raise Problem(
                    400,
                    "JSON Parse Exception",
                    "We encountered an unspecified JSON parsing error.",
                ) from None
        record.body = body
        allowed: set[str] = set()
        for method, pattern, endpoint in _ROUTES:
            match = pattern.fullmatch(record.path)
            if match is None:
                continue
            allowed.add(method)
            if method == record.method:
                with self._lock:
                    self.settle()
                    return endpoint(self, record.query, body, **match.groupdict())
        if allowed:
            raise MethodNotAllowed(", ".join(sorted(allowed)))
        raise Problem(404)


_ID = "[^/]+"
_LIST = f"/lists/(?P<list_id>{_ID})"
_MEMBER = f"{_LIST}/members/(?P<subscriber_hash>{_ID})"
_CATEGORIES = f"{_LIST}/interest-categories"
_CATEGORY = f"{_CATEGORIES}/(?P<category_id>{_ID})"
_CAMPAIGN = f"/campaigns/(?P<campaign_id>{_ID})"
_ROUTES: list[tuple[str, re.Pattern[str], Callable[..., Answer]]] = [
    (method, re.compile(pattern), endpoint)
    for method, pattern, endpoint in [
        ("GET", "/ping", AudienceEndpoints.ping),
        ("GET", _LIST, AudienceEndpoints.list_get),
        ("PUT", _MEMBER, AudienceEndpoints.member_put),
        ("PATCH", _MEMBER, AudienceEndpoints.member_patch),
        ("GET", _MEMBER, AudienceEndpoints.member_get),
        (
            "POST",
            f"{_MEMBER}/actions/delete-permanent",
            AudienceEndpoints.member_delete_permanent,
        ),
        ("GET", f"{_LIST}/merge-fields", AudienceEndpoints.merge_fields_get),
        ("POST", f"{_LIST}/merge-fields", AudienceEndpoints.merge_fields_post),
        ("GET", _CATEGORIES, AudienceEndpoints.categories_get),
        ("POST", _CATEGORIES, AudienceEndpoints.categories_post),
        ("GET", _CATEGORY, AudienceEndpoints.category_get),
        ("DELETE", _CATEGORY, AudienceEndpoints.category_delete),
        ("GET", f"{_CATEGORY}/interests", AudienceEndpoints.interests_get),
        ("POST", f"{_CATEGORY}/interests", AudienceEndpoints.interests_post),
        (
            "DELETE",
            f"{_CATEGORY}/interests/(?P<interest_id>{_ID})",
            AudienceEndpoints.interest_delete,
        ),
        ("POST", "/campaigns", CampaignEndpoints.campaigns_post),
        ("GET", _CAMPAIGN, CampaignEndpoints.campaign_get),
        ("DELETE", _CAMPAIGN, CampaignEndpoints.campaign_delete),
        ("PUT", f"{_CAMPAIGN}/content", CampaignEndpoints.content_put),
        ("POST", f"{_CAMPAIGN}/actions/test", CampaignEndpoints.test_post),
        ("POST", f"{_CAMPAIGN}/actions/schedule", CampaignEndpoints.schedule_post),
        ("POST", f"{_CAMPAIGN}/actions/unschedule", CampaignEndpoints.unschedule_post),
        ("POST", f"{_CAMPAIGN}/actions/send", CampaignEndpoints.send_post),
    ]
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local fake of Mailchimp's API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", default=rules.DEFAULT_API_KEY, help="the key accepted")
    parser.add_argument("--list-id", default=rules.DEFAULT_LIST_ID)
    args = parser.parse_args(argv)
    server = MailchimpServer(
        api_key=args.key, list_id=args.list_id, host=args.host, port=args.port
    )
    with server, contextlib.suppress(KeyboardInterrupt):
        print(server.api_url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
