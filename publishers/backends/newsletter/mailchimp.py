"""Mailchimp through Mailchimp's own client (``mailchimp_marketing``): the
newsletter backend. How each call is made and its failures mapped is in
mailchimp_calls.py; the webhook bodies are read in mailchimp_webhooks.py.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import mailchimp_marketing

from .base import (
    CAMPAIGN_SENT_STATUSES,
    MEMBER_STATUSES_SETTABLE,
    AlreadySent,
    ConfigurationError,
    Member,
    NewsletterBackend,
    NewsletterError,
    NotFound,
    Rejected,
    WebhookEvent,
    on_quarter_hour,
    subscriber_hash,
)
from .mailchimp_calls import (
    MAILCHIMP_CONNECTIONS,
    MAILCHIMP_TIMEOUT_SECONDS,
    SETTING,
    MailchimpCalls,
)
from .mailchimp_webhooks import webhook_events_parse

logger = logging.getLogger(__name__)

# A key is 32 hex digits, a dash and the data centre ("-us21"); the data
# centre names the API host.
# https://mailchimp.com/developer/marketing/docs/fundamentals/#api-structure
_API_KEY = re.compile(r"^[0-9A-Za-z]+-([a-z]+[0-9]+)$")
# An audience holds at most 60 interests ("groups") across its categories.
# https://mailchimp.com/help/getting-started-with-groups/
MAX_INTERESTS = 60
# The largest page a collection answers (the default page is 10 items).
# https://mailchimp.com/developer/marketing/docs/methods-parameters/#pagination
PAGE_SIZE = 1000
INTEREST_CATEGORY_TYPES = frozenset({"hidden", "checkboxes"})


class MailchimpBackend(NewsletterBackend):
    name = "mailchimp"
    display_name = "Mailchimp"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        options = dict(options or {})
        for key in ("API_KEY", "LIST_ID"):
            if not options.get(key):
                raise ConfigurationError(
                    f"{SETTING}['{key}'] is empty: the Mailchimp backend needs "
                    "an API key and the audience (list) id."
                )
        api_key = str(options["API_KEY"]).strip()
        match = _API_KEY.match(api_key)
        if match is None:
            raise ConfigurationError(
                f"{SETTING}['API_KEY'] does not look like a Mailchimp API key: "
                "it ends with the data centre, like '-us21'."
            )
        self.server_prefix = match.group(1)
        self.list_id = str(options["LIST_ID"]).strip()
        self.api_url = str(
            options.get("API_URL")
            or f"https://{self.server_prefix}.api.mailchimp.com/3.0"
        ).rstrip("/")
        if "server" in self.api_url:
            raise ConfigurationError(
                f"{SETTING}['API_URL'] contains 'server', which the Mailchimp "
                "client replaces with the data centre: use another host name "
                "(127.0.0.1 for a local server)."
            )
        self.timeout = float(options.get("TIMEOUT_SECONDS", MAILCHIMP_TIMEOUT_SECONDS))
        if not 0 < self.timeout <= MAILCHIMP_TIMEOUT_SECONDS:
            raise ConfigurationError(
                f"{SETTING}['TIMEOUT_SECONDS'] must be above 0 and at most "
                f"{MAILCHIMP_TIMEOUT_SECONDS:g} (Mailchimp's own limit)."
            )
        self.interest_category_type = options.get("INTEREST_CATEGORY_TYPE", "hidden")
        if self.interest_category_type not in INTEREST_CATEGORY_TYPES:
            raise ConfigurationError(
                f"{SETTING}['INTEREST_CATEGORY_TYPE'] must be 'hidden' or 'checkboxes'."
            )
        self.calls = MailchimpCalls(
            api_key=api_key,
            server_prefix=self.server_prefix,
            api_url=self.api_url,
            timeout=self.timeout,
            max_connections=int(options.get("MAX_CONNECTIONS", MAILCHIMP_CONNECTIONS)),
        )
        self._list_known = False
        #: interest id → its category id, to build segments.
        self._category_of: dict[str, str] = {}

    @property
    def client(self) -> mailchimp_marketing.Client:
        return self.calls.client

    def _list_ensure(self) -> None:
        """A 404 on a member does not say whether the member or the audience
        is missing: the first time, ask about the audience."""
        if self._list_known:
            return
        try:
            self.calls(
                "read the audience",
                lambda: self.client.lists.get_list(self.list_id, fields=["id"]),
                repeatable=True,
            )
        except NotFound as error:
            raise ConfigurationError(
                f"Mailchimp has no audience {self.list_id!r}: check "
                f"{SETTING}['LIST_ID']."
            ) from error
        self._list_known = True

    def check(self) -> None:
        self.calls("ping Mailchimp", self.client.ping.get, repeatable=True)
        self._list_ensure()

    # -- members ------------------------------------------------------------

    @staticmethod
    def _member(data: dict[str, Any]) -> Member:
        return Member(
            email=data.get("email_address", ""),
            remote_id=data.get("id", ""),
            status=data.get("status", ""),
            merge_fields={
                key: value if isinstance(value, str) else json.dumps(value)
                for key, value in (data.get("merge_fields") or {}).items()
            },
            interests={
                key: bool(value) for key, value in (data.get("interests") or {}).items()
            },
            language=data.get("language") or "",
        )

    def member_upsert(
        self,
        *,
        email: str,
        merge_fields: dict[str, str],
        interests: dict[str, bool],
        language: str = "ja",
    ) -> Member:
        # status_if_new only: Mailchimp then sends its double opt-in e-mail to
        # a new address, and an existing member keeps its status (an
        # unsubscribed one would answer 400 "Member In Compliance State" to a
        # status of "subscribed" or "pending" anyway).
        # https://mailchimp.com/developer/marketing/api/list-members/add-or-update-list-member/
        body = {
            "email_address": email,
            "status_if_new": "pending",
            "merge_fields": dict(merge_fields),
            "interests": dict(interests),
            "language": language,
        }
        data = self.calls(
            "add or update a member",
            lambda: self.client.lists.set_list_member(
                self.list_id, subscriber_hash(email), body
            ),
            repeatable=True,
        )
        return self._member(data)

    def member_status_set(self, *, email: str, status: str) -> Member:
        if status not in MEMBER_STATUSES_SETTABLE:
            raise ValueError(
                f"A member's status can be set to "
                f"{', '.join(sorted(MEMBER_STATUSES_SETTABLE))}, not {status!r}."
            )
        # PATCH, not the upsert's PUT: a PUT adds an address the audience
        # does not hold (its description requires status_if_new for that),
        # and changing a status must not add anyone; a PATCH answers 404.
        # Setting the same status again changes nothing more, so a lost
        # answer can be repeated. A member who unsubscribed can be set to
        # pending (Mailchimp sends its opt-in e-mail) but not to subscribed,
        # a cleaned one to neither: 400 "Member In Compliance State".
        # https://mailchimp.com/developer/marketing/api/list-members/update-list-member/
        try:
            data = self.calls(
                f"set a member's status to {status}",
                lambda: self.client.lists.update_list_member(
                    self.list_id, subscriber_hash(email), {"status": status}
                ),
                repeatable=True,
            )
        except NotFound:
            self._list_ensure()
            raise
        return self._member(data)

    def member_get(self, *, email: str) -> Member | None:
        try:
            data = self.calls(
                "read a member",
                lambda: self.client.lists.get_list_member(
                    self.list_id, subscriber_hash(email)
                ),
                repeatable=True,
            )
        except NotFound:
            self._list_ensure()
            return None
        return self._member(data)

    def member_delete_permanently(self, *, email: str) -> None:
        # After this Mailchimp refuses the address by API ("Forgotten Email
        # Not Subscribed"): only the person signing up again brings it back.
        # https://mailchimp.com/developer/marketing/api/list-members/delete-list-member/
        try:
            self.calls(
                "delete a member permanently",
                lambda: self.client.lists.delete_list_member_permanent(
                    self.list_id, subscriber_hash(email)
                ),
                repeatable=True,
            )
        except NotFound:
            self._list_ensure()

    # -- merge fields -------------------------------------------------------

    def _merge_field_types(self) -> dict[str, str]:
        """tag → type of every merge field of the audience."""
        try:
            data = self.calls(
                "list the merge fields",
                lambda: self.client.lists.get_list_merge_fields(
                    self.list_id, count=PAGE_SIZE
                ),
                repeatable=True,
            )
        except NotFound:
            self._list_ensure()
            raise
        return {
            f["tag"]: f.get("type", "") for f in (data or {}).get("merge_fields", [])
        }

    def merge_fields_ensure(self, *, fields: dict[str, str]) -> None:
        existing = self._merge_field_types()
        for tag, name in fields.items():
            if tag in existing:
                if existing[tag] != "text":
                    logger.warning(
                        "Mailchimp merge field %s is of type %s, not text: members' "
                        "values may be refused",
                        tag,
                        existing[tag],
                    )
                continue
            # Not public: the site's form, with its consent, is where these
            # are entered, as with the hidden interest categories.
            # https://mailchimp.com/developer/marketing/api/list-merges/add-merge-field/
            body = {
                "tag": tag,
                "name": name,
                "type": "text",
                "required": False,
                "public": False,
            }
            try:
                # Repeatable as a whole: after a lost answer the next ensure
                # reads the fields first and creates only what is missing.
                self.calls(
                    f"create the merge field {tag}",
                    lambda body=body: self.client.lists.add_list_merge_field(
                        self.list_id, body
                    ),
                    repeatable=True,
                )
            except Rejected:
                # Another worker may have created it since the fields were
                # read: Mailchimp then refuses a second one with that tag.
                if tag not in self._merge_field_types():
                    raise

    # -- interests ----------------------------------------------------------

    def _categories(self) -> dict[str, str]:
        data = self.calls(
            "list the interest categories",
            lambda: self.client.lists.get_list_interest_categories(
                self.list_id, count=PAGE_SIZE
            ),
            repeatable=True,
        )
        return {c["title"]: c["id"] for c in (data or {}).get("categories", [])}

    def _interests(self, category_id: str) -> dict[str, str]:
        data = self.calls(
            "list the interests",
            lambda: self.client.lists.list_interest_category_interests(
                self.list_id, category_id, count=PAGE_SIZE
            ),
            repeatable=True,
        )
        found = {i["name"]: i["id"] for i in (data or {}).get("interests", [])}
        self._category_of.update(dict.fromkeys(found.values(), category_id))
        return found

    def interests_sync(
        self, *, categories: dict[str, list[str]]
    ) -> dict[str, dict[str, str]]:
        """Categories are ``hidden`` by default (INTEREST_CATEGORY_TYPE): the
        site's form, with its consent, is where interests are chosen and
        changed, so Mailchimp's preference page shows no second, unsynced
        copy of them. Categories not named here are left alone."""
        wanted = {
            title: list(dict.fromkeys(names)) for title, names in categories.items()
        }
        total = sum(len(names) for names in wanted.values())
        if total > MAX_INTERESTS:
            raise Rejected(
                f"Mailchimp holds at most {MAX_INTERESTS} interests in an "
                f"audience; {total} were asked for.",
                title="Too Many Interests",
            )
        existing = self._categories()
        synced: dict[str, dict[str, str]] = {}
        for order, (title, names) in enumerate(wanted.items()):
            category_id = existing.get(title)
            if category_id is None:
                body = {
                    "title": title,
                    "type": self.interest_category_type,
                    "display_order": order,
                }
                created = self.calls(
                    f"create the interest category {title!r}",
                    lambda body=body: self.client.lists.create_list_interest_category(
                        self.list_id, body
                    ),
                    repeatable=True,
                )
                category_id = created["id"]
            found = self._interests(category_id)
            # Deleted first: the 60-interest limit counts what is there.
            for name in set(found) - set(names):
                self._interest_delete(category_id, found.pop(name), name)
            for index, name in enumerate(names):
                if name in found:
                    continue
                body = {"name": name, "display_order": index}
                created = self.calls(
                    f"create the interest {name!r}",
                    lambda body=body, category_id=category_id: (
                        self.client.lists.create_interest_category_interest(
                            self.list_id, category_id, body
                        )
                    ),
                    repeatable=True,
                )
                found[name] = created["id"]
                self._category_of[created["id"]] = category_id
            synced[title] = {name: found[name] for name in names}
        return synced

    def _interest_delete(self, category_id: str, interest_id: str, name: str) -> None:
        try:
            self.calls(
                f"delete the interest {name!r}",
                lambda: self.client.lists.delete_interest_category_interest(
                    self.list_id, category_id, interest_id
                ),
                repeatable=True,
            )
        except NotFound:
            logger.info("Mailchimp interest %s was already gone", interest_id)
        self._category_of.pop(interest_id, None)

    def _segment(self, interest_ids: list[str]) -> dict[str, Any]:
        """Members with any of the interests: one Interests condition per
        category (a condition names one category), matched with "any"."""
        if any(i not in self._category_of for i in interest_ids):
            for category_id in self._categories().values():
                self._interests(category_id)
        unknown = [i for i in interest_ids if i not in self._category_of]
        if unknown:
            raise Rejected(
                f"Mailchimp has no interest {', '.join(unknown)} in the audience: "
                "sync the interests again.",
                title="Unknown Interest",
            )
        by_category: dict[str, list[str]] = {}
        for interest_id in dict.fromkeys(interest_ids):
            by_category.setdefault(self._category_of[interest_id], []).append(
                interest_id
            )
        # https://mailchimp.com/developer/marketing/docs/alternative-schemas/#segment-condition-schemas
        return {
            "match": "any",
            "conditions": [
                {
                    "condition_type": "Interests",
                    "field": f"interests-{category_id}",
                    "op": "interestcontains",
                    "value": ids,
                }
                for category_id, ids in by_category.items()
            ],
        }

    # -- campaigns ----------------------------------------------------------

    def campaign_create(
        self,
        *,
        title: str,
        subject: str,
        preview_text: str,
        from_name: str,
        reply_to: str,
        html: str,
        text: str,
        interest_ids: list[str] | None = None,
    ) -> str:
        if interest_ids is not None and not interest_ids:
            raise ValueError("A campaign to no interest would go to nobody.")
        recipients: dict[str, Any] = {"list_id": self.list_id}
        if interest_ids:
            recipients["segment_opts"] = self._segment(interest_ids)
        body = {
            "type": "regular",
            "recipients": recipients,
            "settings": {
                "title": title,
                "subject_line": subject,
                "preview_text": preview_text,
                "from_name": from_name,
                "reply_to": reply_to,
            },
        }
        data = self.calls(
            "create the campaign",
            lambda: self.client.campaigns.create(body),
            repeatable=False,
        )
        campaign_id = data["id"]
        try:
            self.calls(
                "set the campaign's content",
                lambda: self.client.campaigns.set_content(
                    campaign_id, {"html": html, "plain_text": text}
                ),
                repeatable=True,
            )
        except NewsletterError:
            # The caller never learns this id: remove the draft rather than
            # leave it behind in the account.
            self._campaign_discard(campaign_id)
            raise
        return campaign_id

    def _campaign_discard(self, campaign_id: str) -> None:
        try:
            self.calls(
                "delete the draft campaign",
                lambda: self.client.campaigns.remove(campaign_id),
                repeatable=True,
            )
        except NewsletterError:
            logger.warning(
                "Mailchimp: draft campaign %s left behind", campaign_id, exc_info=True
            )

    def campaign_status(self, *, campaign_id: str) -> str:
        data = self.calls(
            "read the campaign's status",
            lambda: self.client.campaigns.get(campaign_id, fields=["id", "status"]),
            repeatable=True,
        )
        return data["status"]

    def campaign_test(self, *, campaign_id: str, emails: list[str]) -> None:
        body = {"test_emails": list(emails), "send_type": "html"}
        # A repeated test only sends the editors another test e-mail.
        self.calls(
            "send the test e-mail",
            lambda: self.client.campaigns.send_test_email(campaign_id, body),
            repeatable=True,
        )

    def campaign_schedule(self, *, campaign_id: str, at: datetime) -> None:
        # Mailchimp schedules only on :00, :15, :30 and :45 (UTC).
        # https://mailchimp.com/developer/marketing/api/campaigns/schedule-campaign/
        if not on_quarter_hour(at):
            raise ValueError(
                f"Mailchimp schedules only on quarter hours, not {at.isoformat()}: "
                "use quarter_hour_next()."
            )
        body = {"schedule_time": at.astimezone(UTC).isoformat()}
        self.calls(
            "schedule the campaign",
            lambda: self.client.campaigns.schedule(campaign_id, body),
            repeatable=False,
        )

    def campaign_unschedule(self, *, campaign_id: str) -> None:
        # Not repeatable: a lost answer leaves it unknown whether the
        # campaign will still go out at its time.
        self.calls(
            "unschedule the campaign",
            lambda: self.client.campaigns.unschedule(campaign_id),
            repeatable=False,
        )

    def campaign_send(self, *, campaign_id: str) -> None:
        # Not idempotent: a second send of a sent campaign is a 400 whose
        # words Mailchimp does not promise, so the status decides.
        # https://mailchimp.com/developer/marketing/api/campaigns/send-campaign/
        try:
            self.calls(
                "send the campaign",
                lambda: self.client.campaigns.send(campaign_id),
                repeatable=False,
            )
        except NotFound:
            raise
        except Rejected as error:
            status = self.campaign_status(campaign_id=campaign_id)
            if status in CAMPAIGN_SENT_STATUSES:
                raise AlreadySent(
                    f"Mailchimp campaign {campaign_id} is already {status}.",
                    status=error.status,
                    title=error.title,
                    detail=error.detail,
                ) from error
            raise

    # -- webhooks -----------------------------------------------------------

    def webhook_events(self, form: Mapping[str, str | list[str]]) -> list[WebhookEvent]:
        return webhook_events_parse(form)
