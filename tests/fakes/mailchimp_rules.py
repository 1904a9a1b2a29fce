"""What Mailchimp's Marketing API 3.0 says, as data and pure functions, for the
fake server in mailchimp_server.py: the state it keeps, its problem
documents, its limits, paging and field selection, and the segment and
schedule rules.

Sources: Mailchimp's API reference and its OpenAPI description (3.0.55, in
../shared/specs), the "Synchronize audience data with webhooks" guide,
"API fundamentals" (10 connections, 120 s), the schedule action (quarter
hours), and the problem documents Mailchimp is seen to answer ("Member In
Compliance State", "Forgotten Email Not Subscribed", "Invalid Resource").
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

API_PREFIX = "/3.0"
DEFAULT_API_KEY = "0123456789abcdef0123456789abcdef-us21"
DEFAULT_LIST_ID = "f0e1d2c3b4"
MAX_CONNECTIONS = 10
MAX_INTERESTS = 60
MAX_PAGE = 1000
DEFAULT_PAGE = 10
MEMBER_STATUSES = ("subscribed", "unsubscribed", "cleaned", "pending", "transactional")
CATEGORY_TYPES = ("checkboxes", "dropdown", "radio", "hidden")
MERGE_TYPES = (
    "text",
    "number",
    "address",
    "phone",
    "date",
    "url",
    "imageurl",
    "radio",
    "dropdown",
    "birthday",
    "zip",
)
#: Status → the statuses a member is not set to from it by API ("Member In
#: Compliance State"): only the person can come back, and pending sends an
#: unsubscribed one the opt-in e-mail.
COMPLIANCE_BLOCKED = {
    "unsubscribed": frozenset({"subscribed"}),
    "cleaned": frozenset({"subscribed", "pending"}),
}
CAMPAIGN_TYPES = ("regular", "plaintext", "absplit", "rss", "variate")
PROBLEM_TYPE = "https://mailchimp.com/developer/marketing/docs/errors/"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Titles and details for statuses answered without a more specific reason.
PROBLEMS = {
    400: ("Bad Request", "Your request could not be processed."),
    401: (
        "API Key Invalid",
        "Your API key may be invalid, or you've attempted to access the wrong "
        "datacenter.",
    ),
    403: ("Forbidden", "You don't have permission to access this resource."),
    404: ("Resource Not Found", "The requested resource could not be found."),
    405: (
        "Method Not Allowed",
        "The requested method and resource are not compatible. See the Allow "
        "header for this resource's available methods.",
    ),
    429: (
        "Too Many Requests",
        f"You have exceeded the limit of {MAX_CONNECTIONS} simultaneous connections.",
    ),
    500: (
        "Internal Server Error",
        "An unexpected internal error has occurred. Please contact Support for "
        "more information.",
    ),
    503: ("Service Unavailable", "This service is temporarily unavailable."),
}
INVALID = "The resource submitted could not be validated. For field-specific "
INVALID += "details, see the 'errors' array."


class Problem(Exception):
    """An error answer: Mailchimp's problem document."""

    def __init__(
        self,
        status: int,
        title: str = "",
        detail: str = "",
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        default_title, default_detail = PROBLEMS.get(status, ("Error", ""))
        super().__init__(detail or default_detail)
        self.status = status
        self.title = title or default_title
        self.detail = detail or default_detail
        self.errors = errors


class MethodNotAllowed(Problem):
    def __init__(self, allow: str) -> None:
        super().__init__(405)
        self.allow = allow


def invalid(field_name: str, message: str) -> Problem:
    """400 Invalid Resource with one field error, as Mailchimp answers it."""
    return Problem(
        400, "Invalid Resource", INVALID, [{"field": field_name, "message": message}]
    )


def problem_document(problem: Problem) -> dict[str, Any]:
    document: dict[str, Any] = {
        "type": PROBLEM_TYPE,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": str(uuid.uuid4()),
    }
    if problem.errors:
        document["errors"] = problem.errors
    return document


# -- state ---------------------------------------------------------------------


def new_id() -> str:
    """Ten hex digits, like Mailchimp's list, campaign and interest ids (and
    never the text "server", which the client would rewrite)."""
    return uuid.uuid4().hex[:10]


def subscriber_hash(email: str) -> str:
    return hashlib.md5(email.lower().encode(), usedforsecurity=False).hexdigest()


def timestamp(at: datetime) -> str:
    return at.astimezone(UTC).replace(microsecond=0).isoformat()


@dataclass
class Interest:
    id: str
    name: str
    display_order: int = 0


@dataclass
class Category:
    id: str
    title: str
    type: str
    display_order: int = 0
    interests: dict[str, Interest] = field(default_factory=dict)


@dataclass
class MergeField:
    merge_id: int
    tag: str
    name: str
    type: str
    required: bool = False
    public: bool = True
    display_order: int = 0


def default_merge_fields() -> dict[str, MergeField]:
    """The merge fields Mailchimp gives a new audience ("present by default
    when an audience is created", its merge field guide)."""
    return {
        tag: MergeField(merge_id, tag, name, kind, display_order=merge_id + 1)
        for merge_id, (tag, name, kind) in enumerate(
            [
                ("FNAME", "First Name", "text"),
                ("LNAME", "Last Name", "text"),
                ("ADDRESS", "Address", "address"),
                ("PHONE", "Phone Number", "phone"),
            ],
            start=1,
        )
    }


@dataclass
class Audience:
    id: str
    name: str = "Tsunagu"
    #: subscriber hash → member record (the API's field names)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: hashes of permanently deleted addresses
    forgotten: set[str] = field(default_factory=set)
    categories: dict[str, Category] = field(default_factory=dict)
    #: tag → merge field
    merge_fields: dict[str, MergeField] = field(default_factory=default_merge_fields)

    def interests_of(self, title: str) -> list[Interest]:
        """The interests of the category with this title."""
        for category in self.categories.values():
            if category.title == title:
                return list(category.interests.values())
        raise KeyError(title)

    def interest_ids(self) -> dict[str, str]:
        """interest id → its category id"""
        return {
            interest_id: category.id
            for category in self.categories.values()
            for interest_id in category.interests
        }


@dataclass
class Campaign:
    id: str
    web_id: int
    type: str
    list_id: str
    created: datetime
    settings: dict[str, Any]
    segment_opts: dict[str, Any] | None = None
    status: str = "save"
    html: str = ""
    plain_text: str = ""
    send_time: datetime | None = None
    emails_sent: int = 0
    #: Accepted sends (the send action, or a schedule that came due).
    send_count: int = 0
    #: The address lists of its test e-mails.
    tests: list[list[str]] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)


@dataclass
class Send:
    campaign_id: str
    title: str
    subject: str
    recipients: list[str]
    at: datetime


# -- answers -------------------------------------------------------------------


def select(document: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    """``fields`` / ``exclude_fields`` (comma-separated, dotted), top level
    and one level down, as the API applies them."""

    def names(key: str) -> list[list[str]]:
        return [
            name.split(".")
            for value in query.get(key, [])
            for name in value.split(",")
            if name
        ]

    keep, drop = names("fields"), names("exclude_fields")
    if keep:
        kept: dict[str, Any] = {}
        for path in keep:
            if path[0] not in document:
                continue
            if len(path) == 1 or not isinstance(document[path[0]], dict):
                kept[path[0]] = document[path[0]]
            elif path[1] in document[path[0]]:
                kept.setdefault(path[0], {})[path[1]] = document[path[0]][path[1]]
        document = kept
    for path in drop:
        if len(path) == 1:
            document.pop(path[0], None)
        elif isinstance(document.get(path[0]), dict):
            document[path[0]].pop(path[1], None)
    return document


def page(query: dict[str, list[str]], items: list[Any]) -> list[Any]:
    """count (10 by default, at most 1000) and offset."""
    try:
        count = int(query.get("count", [DEFAULT_PAGE])[-1])
        offset = int(query.get("offset", [0])[-1])
    except ValueError:
        raise invalid("count", "count and offset must be integers") from None
    if not 0 < count <= MAX_PAGE or offset < 0:
        raise invalid("count", f"count must be between 1 and {MAX_PAGE}")
    return items[offset : offset + count]


# -- rules ---------------------------------------------------------------------


def email_valid(email: Any) -> bool:
    return isinstance(email, str) and bool(_EMAIL.match(email))


def merge_values_check(audience: Audience, values: Any) -> dict[str, Any]:
    """A member's merge_fields: every tag one of the audience's, a text
    field's value a string. Mailchimp refuses the member otherwise, naming
    the field ("merge_fields.TAG") in its errors."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise invalid("merge_fields", "An object is expected.")
    for tag, value in values.items():
        merge_field = audience.merge_fields.get(tag)
        if merge_field is None:
            raise invalid(f"merge_fields.{tag}", f"Merge field {tag} does not exist.")
        if merge_field.type == "text" and not isinstance(value, str):
            raise invalid(
                f"merge_fields.{tag}",
                "Data did not match any of the schemas described in anyOf.",
            )
    return values


def schedule_time(text: Any) -> datetime:
    """ISO 8601; UTC when no zone is given."""
    if not isinstance(text, str) or not text:
        raise invalid("schedule_time", "This value should not be blank.")
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid("schedule_time", "Invalid date-time.") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def on_quarter_hour(at: datetime) -> bool:
    at = at.astimezone(UTC)
    return at.minute % 15 == 0 and at.second == 0 and at.microsecond == 0


def recipients_of(audience: Audience, segment_opts: dict[str, Any] | None) -> list[str]:
    """Subscribed members matching the segment (Interests conditions)."""
    chosen = []
    for member in audience.members.values():
        if member["status"] != "subscribed":
            continue
        if segment_opts and not segment_match(segment_opts, member["interests"]):
            continue
        chosen.append(member["email_address"])
    return chosen


def segment_match(segment_opts: dict[str, Any], interests: dict[str, bool]) -> bool:
    results = []
    for condition in segment_opts.get("conditions", []):
        mine = {i for i in condition["value"] if interests.get(i)}
        op = condition["op"]
        if op == "interestcontains":
            results.append(bool(mine))
        elif op == "interestcontainsall":
            results.append(len(mine) == len(set(condition["value"])))
        else:  # interestnotcontains
            results.append(not mine)
    if not results:
        return True
    return any(results) if segment_opts.get("match") == "any" else all(results)


def segment_check(audience: Audience, segment_opts: Any) -> dict[str, Any]:
    """The segment as stored; only Interests conditions are understood here
    (Mailchimp knows many more kinds: this fake refuses them plainly)."""
    if not isinstance(segment_opts, dict):
        raise invalid("recipients.segment_opts", "An object is expected.")
    match = segment_opts.get("match", "any")
    conditions = segment_opts.get("conditions") or []
    if match not in ("any", "all") or not isinstance(conditions, list):
        raise invalid("recipients.segment_opts", "match is any or all.")
    categories = audience.categories
    for condition in conditions:
        if not isinstance(condition, dict) or condition.get("condition_type") != (
            "Interests"
        ):
            raise invalid(
                "recipients.segment_opts.conditions",
                "This fake understands only Interests conditions.",
            )
        category_id = str(condition.get("field", "")).removeprefix("interests-")
        category = categories.get(category_id)
        if category is None:
            raise invalid("recipients.segment_opts.conditions", "Unknown field.")
        values = condition.get("value")
        if condition.get("op") not in (
            "interestcontains",
            "interestcontainsall",
            "interestnotcontains",
        ) or not isinstance(values, list):
            raise invalid("recipients.segment_opts.conditions", "Invalid op.")
        for value in values:
            if value not in category.interests:
                raise invalid(
                    "recipients.segment_opts.conditions",
                    f"Invalid interest ID: '{value}'.",
                )
    return {"match": match, "conditions": conditions}


def json_object(body: Any) -> dict[str, Any]:
    """A request body that must be a JSON object."""
    if not isinstance(body, dict):
        raise Problem(400, "Invalid Resource", INVALID)
    return body


def json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()
