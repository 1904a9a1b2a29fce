"""The fake Mailchimp's audience endpoints: ping, the list, its members, its
merge fields, its interest categories and interests.

A mixin of MailchimpServer (mailchimp_server.py), which holds the state and
the HTTP side and calls each endpoint under its lock. Each method takes the
parsed query and JSON body and the path's ids, and returns (status, JSON
payload or None) or raises Problem.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from . import mailchimp_rules as rules
from .mailchimp_rules import Audience, Category, Interest, MergeField, Problem

Answer = tuple[int, dict[str, Any] | None]
Query = dict[str, list[str]]


def member_json(audience: Audience, record: dict[str, Any]) -> dict[str, Any]:
    # Mailchimp lists every interest of the audience, chosen or not.
    interests = dict.fromkeys(audience.interest_ids(), False)
    interests.update(record["interests"])
    return {
        "id": rules.subscriber_hash(record["email_address"]),
        "email_address": record["email_address"],
        "unique_email_id": record["unique_email_id"],
        "contact_id": record["unique_email_id"],
        "email_type": "html",
        "status": record["status"],
        "merge_fields": record["merge_fields"],
        "interests": interests,
        "language": record["language"],
        "vip": False,
        "timestamp_signup": record["timestamp_signup"],
        "last_changed": record["last_changed"],
        "list_id": audience.id,
        "_links": [],
    }


def merge_field_json(audience: Audience, merge_field: MergeField) -> dict[str, Any]:
    return {
        "merge_id": merge_field.merge_id,
        "tag": merge_field.tag,
        "name": merge_field.name,
        "type": merge_field.type,
        "required": merge_field.required,
        "default_value": "",
        "public": merge_field.public,
        "display_order": merge_field.display_order,
        "options": {"size": 25} if merge_field.type == "text" else {},
        "help_text": "",
        "list_id": audience.id,
        "_links": [],
    }


def category_json(audience: Audience, category: Category) -> dict[str, Any]:
    return {
        "list_id": audience.id,
        "id": category.id,
        "title": category.title,
        "display_order": category.display_order,
        "type": category.type,
        "_links": [],
    }


def interest_json(
    audience: Audience, category: Category, interest: Interest
) -> dict[str, Any]:
    count = sum(
        1
        for member in audience.members.values()
        if member["interests"].get(interest.id)
    )
    return {
        "category_id": category.id,
        "list_id": audience.id,
        "id": interest.id,
        "name": interest.name,
        "subscriber_count": str(count),
        "display_order": interest.display_order,
        "_links": [],
    }


class AudienceEndpoints:
    lists: dict[str, Audience]

    def _audience(self, list_id: str) -> Audience:
        audience = self.lists.get(list_id)
        if audience is None:
            raise Problem(404)
        return audience

    @staticmethod
    def _hash(subscriber_hash: str) -> str:
        # The path may hold the address itself instead of its hash.
        key = unquote(subscriber_hash)
        return rules.subscriber_hash(key) if "@" in key else key.lower()

    # -- ping and lists ----------------------------------------------------------

    def ping(self, query: Query, body: Any) -> Answer:
        return 200, {"health_status": "Everything's Chimpy!"}

    def list_get(self, query: Query, body: Any, list_id: str) -> Answer:
        audience = self._audience(list_id)
        counts = {status: 0 for status in rules.MEMBER_STATUSES}
        for member in audience.members.values():
            counts[member["status"]] += 1
        document = {
            "id": audience.id,
            "web_id": 1,
            "name": audience.name,
            "stats": {
                "member_count": counts["subscribed"],
                "unsubscribe_count": counts["unsubscribed"],
                "cleaned_count": counts["cleaned"],
            },
            "_links": [],
        }
        return 200, rules.select(document, query)

    # -- members -------------------------------------------------------------------

    @staticmethod
    def _statuses_check(body: dict[str, Any], *names: str) -> None:
        for name in names:
            if name in body and body[name] not in rules.MEMBER_STATUSES:
                raise rules.invalid(name, "Invalid status.")

    @staticmethod
    def _interests_check(audience: Audience, body: dict[str, Any]) -> dict[str, bool]:
        interests = body.get("interests") or {}
        known = audience.interest_ids()
        for interest_id, chosen in interests.items():
            if interest_id not in known or not isinstance(chosen, bool):
                raise Problem(
                    400, "Invalid Resource", f"Invalid interest ID: '{interest_id}'."
                )
        return interests

    @staticmethod
    def _status_change(record: dict[str, Any], status: str) -> None:
        # An unsubscribed or cleaned address is not put back by API: only
        # the person can (pending sends an unsubscribed one the opt-in
        # e-mail). Mailchimp's words, as it answers them.
        if status in rules.COMPLIANCE_BLOCKED.get(record["status"], frozenset()):
            raise Problem(
                400,
                "Member In Compliance State",
                f"{record['email_address']} is in a compliance state due to "
                "unsubscribe, bounce, or compliance review and cannot be "
                "subscribed.",
            )
        record["status"] = status

    def _member_update(
        self,
        record: dict[str, Any],
        body: dict[str, Any],
        merge_fields: dict[str, Any],
        interests: dict[str, bool],
    ) -> None:
        """What a PUT or a PATCH changes besides the status (already
        checked: a refused request changes nothing)."""
        record["merge_fields"].update(merge_fields)
        record["interests"].update(interests)
        if body.get("language"):
            record["language"] = body["language"]
        record["last_changed"] = rules.timestamp(self.now())

    def member_put(
        self, query: Query, body: Any, list_id: str, subscriber_hash: str
    ) -> Answer:
        """Add or update: ``status_if_new`` (or ``status``) for a new
        address; ``status`` changes an existing member's."""
        audience = self._audience(list_id)
        body = rules.json_object(body)
        email = body.get("email_address")
        if not rules.email_valid(email):
            raise Problem(
                400, "Invalid Resource", "Please provide a valid email address."
            )
        key = self._hash(subscriber_hash)
        if rules.subscriber_hash(email) != key:
            raise rules.invalid(
                "email_address", "The email address does not match the hash."
            )
        if key in audience.forgotten:
            raise Problem(
                400,
                "Forgotten Email Not Subscribed",
                f"{email} was permanently deleted and cannot be re-imported. The "
                "contact must re-subscribe to get back on the list.",
            )
        self._statuses_check(body, "status", "status_if_new")
        interests = self._interests_check(audience, body)
        merge_fields = rules.merge_values_check(audience, body.get("merge_fields"))
        record = audience.members.get(key)
        if record is None:
            status = body.get("status") or body.get("status_if_new")
            if not status:
                raise rules.invalid("status_if_new", "This value should not be blank.")
            record = {
                "email_address": email,
                "unique_email_id": rules.new_id(),
                "status": status,
                "merge_fields": {},
                "interests": {},
                "language": "",
                "timestamp_signup": rules.timestamp(self.now()),
            }
            audience.members[key] = record
        elif "status" in body and body["status"] != record["status"]:
            self._status_change(record, body["status"])
        record["email_address"] = email
        self._member_update(record, body, merge_fields, interests)
        return 200, member_json(audience, record)

    def member_patch(
        self, query: Query, body: Any, list_id: str, subscriber_hash: str
    ) -> Answer:
        """Update an existing member only: 404 for an address the audience
        does not hold (a PUT would add it)."""
        audience = self._audience(list_id)
        body = rules.json_object(body)
        record = audience.members.get(self._hash(subscriber_hash))
        if record is None:
            raise Problem(404)
        email = body.get("email_address", record["email_address"])
        if not rules.email_valid(email):
            raise Problem(
                400, "Invalid Resource", "Please provide a valid email address."
            )
        if rules.subscriber_hash(email) != self._hash(subscriber_hash):
            raise rules.invalid(
                "email_address", "This fake does not change a member's address."
            )
        self._statuses_check(body, "status")
        interests = self._interests_check(audience, body)
        merge_fields = rules.merge_values_check(audience, body.get("merge_fields"))
        if "status" in body and body["status"] != record["status"]:
            self._status_change(record, body["status"])
        record["email_address"] = email
        self._member_update(record, body, merge_fields, interests)
        return 200, member_json(audience, record)

    def member_get(
        self, query: Query, body: Any, list_id: str, subscriber_hash: str
    ) -> Answer:
        audience = self._audience(list_id)
        record = audience.members.get(self._hash(subscriber_hash))
        if record is None:
            raise Problem(404)
        return 200, rules.select(member_json(audience, record), query)

    def member_delete_permanent(
        self, query: Query, body: Any, list_id: str, subscriber_hash: str
    ) -> Answer:
        audience = self._audience(list_id)
        key = self._hash(subscriber_hash)
        if audience.members.pop(key, None) is None:
            raise Problem(404)
        audience.forgotten.add(key)
        return 204, None

    # -- merge fields ------------------------------------------------------------------

    def merge_fields_get(self, query: Query, body: Any, list_id: str) -> Answer:
        audience = self._audience(list_id)
        ordered = sorted(audience.merge_fields.values(), key=lambda f: f.display_order)
        listed = [merge_field_json(audience, f) for f in rules.page(query, ordered)]
        return 200, {
            "merge_fields": listed,
            "list_id": audience.id,
            "total_items": len(ordered),
            "_links": [],
        }

    def merge_fields_post(self, query: Query, body: Any, list_id: str) -> Answer:
        audience = self._audience(list_id)
        body = rules.json_object(body)
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise rules.invalid("name", "This value should not be blank.")
        if body.get("type") not in rules.MERGE_TYPES:
            raise rules.invalid("type", "Invalid type.")
        merge_id = max((f.merge_id for f in audience.merge_fields.values()), default=0)
        merge_id += 1
        # Mailchimp names a field given no tag MMERGE<id>; tags are upper case.
        tag = str(body.get("tag") or f"MMERGE{merge_id}").upper()
        if tag in audience.merge_fields:
            raise Problem(
                400,
                "Invalid Resource",
                f'A Merge Field with the tag "{tag}" already exists for this list.',
            )
        merge_field = MergeField(
            merge_id,
            tag,
            name,
            body["type"],
            required=bool(body.get("required", False)),
            public=bool(body.get("public", True)),
            display_order=int(body.get("display_order") or merge_id + 1),
        )
        audience.merge_fields[tag] = merge_field
        return 200, merge_field_json(audience, merge_field)

    # -- interest categories and interests -------------------------------------------

    def _category(self, audience: Audience, category_id: str) -> Category:
        category = audience.categories.get(category_id)
        if category is None:
            raise Problem(404)
        return category

    def categories_get(self, query: Query, body: Any, list_id: str) -> Answer:
        audience = self._audience(list_id)
        ordered = sorted(audience.categories.values(), key=lambda c: c.display_order)
        listed = [category_json(audience, c) for c in rules.page(query, ordered)]
        return 200, {
            "list_id": audience.id,
            "categories": listed,
            "total_items": len(ordered),
            "_links": [],
        }

    def categories_post(self, query: Query, body: Any, list_id: str) -> Answer:
        audience = self._audience(list_id)
        body = rules.json_object(body)
        title = body.get("title")
        if not isinstance(title, str) or not title.strip():
            raise rules.invalid("title", "This value should not be blank.")
        if body.get("type") not in rules.CATEGORY_TYPES:
            raise rules.invalid("type", "Invalid type.")
        if any(c.title == title for c in audience.categories.values()):
            raise Problem(
                400,
                "Invalid Resource",
                f'Cannot add "{title}" because it already exists on the list.',
            )
        category = Category(
            rules.new_id(), title, body["type"], int(body.get("display_order") or 0)
        )
        audience.categories[category.id] = category
        return 200, category_json(audience, category)

    def category_get(
        self, query: Query, body: Any, list_id: str, category_id: str
    ) -> Answer:
        audience = self._audience(list_id)
        category = self._category(audience, category_id)
        return 200, category_json(audience, category)

    def category_delete(
        self, query: Query, body: Any, list_id: str, category_id: str
    ) -> Answer:
        audience = self._audience(list_id)
        category = audience.categories.pop(category_id, None)
        if category is None:
            raise Problem(404)
        for member in audience.members.values():
            for interest_id in category.interests:
                member["interests"].pop(interest_id, None)
        return 204, None

    def interests_get(
        self, query: Query, body: Any, list_id: str, category_id: str
    ) -> Answer:
        audience = self._audience(list_id)
        category = self._category(audience, category_id)
        ordered = sorted(category.interests.values(), key=lambda i: i.display_order)
        listed = [
            interest_json(audience, category, interest)
            for interest in rules.page(query, ordered)
        ]
        return 200, {
            "interests": listed,
            "list_id": audience.id,
            "category_id": category.id,
            "total_items": len(ordered),
            "_links": [],
        }

    def interests_post(
        self, query: Query, body: Any, list_id: str, category_id: str
    ) -> Answer:
        audience = self._audience(list_id)
        category = self._category(audience, category_id)
        body = rules.json_object(body)
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise rules.invalid("name", "This value should not be blank.")
        if any(i.name == name for i in category.interests.values()):
            raise Problem(
                400,
                "Invalid Resource",
                f'Cannot add "{name}" because it already exists on the list.',
            )
        if len(audience.interest_ids()) >= rules.MAX_INTERESTS:
            raise Problem(
                400,
                "Invalid Resource",
                f"Cannot have more than {rules.MAX_INTERESTS} interests per list.",
            )
        interest = Interest(rules.new_id(), name, int(body.get("display_order") or 0))
        category.interests[interest.id] = interest
        return 200, interest_json(audience, category, interest)

    def interest_delete(
        self,
        query: Query,
        body: Any,
        list_id: str,
        category_id: str,
        interest_id: str,
    ) -> Answer:
        audience = self._audience(list_id)
        category = self._category(audience, category_id)
        if category.interests.pop(interest_id, None) is None:
            raise Problem(404)
        for member in audience.members.values():
            member["interests"].pop(interest_id, None)
        return 204, None
