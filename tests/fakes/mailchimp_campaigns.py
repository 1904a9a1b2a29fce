"""The fake Mailchimp's campaign endpoints: create, read, delete, content,
test, schedule, unschedule and send; and what time does by itself (a
scheduled campaign goes out, a sending one finishes).

A mixin of MailchimpServer (mailchimp_server.py), like the audience endpoints
in mailchimp_endpoints.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import mailchimp_rules as rules
from .mailchimp_endpoints import Answer, Query
from .mailchimp_rules import Audience, Campaign, Problem, Send


def campaign_json(campaign: Campaign, audience: Audience | None) -> dict[str, Any]:
    recipients: dict[str, Any] = {
        "list_id": campaign.list_id,
        "list_is_active": audience is not None,
        "list_name": audience.name if audience else "",
        "segment_text": "",
        "recipient_count": len(rules.recipients_of(audience, campaign.segment_opts))
        if audience
        else 0,
    }
    if campaign.segment_opts:
        recipients["segment_opts"] = campaign.segment_opts
    return {
        "id": campaign.id,
        "web_id": campaign.web_id,
        "type": campaign.type,
        "create_time": rules.timestamp(campaign.created),
        "archive_url": f"http://eepurl.com/{campaign.id}",
        "status": campaign.status,
        "emails_sent": campaign.emails_sent,
        "send_time": rules.timestamp(campaign.send_time) if campaign.send_time else "",
        "content_type": "html",
        "needs_block_refresh": False,
        "resendable": campaign.status == "sent",
        "recipients": recipients,
        "settings": {
            "subject_line": "",
            "preview_text": "",
            "title": "",
            "from_name": "",
            "reply_to": "",
            "use_conversation": False,
            "to_name": "",
            "folder_id": "",
            "authenticate": True,
            "auto_footer": False,
            "inline_css": False,
            "auto_tweet": False,
            "fb_comments": True,
            "timewarp": False,
            "template_id": 0,
            "drag_and_drop": False,
            **campaign.settings,
        },
        "tracking": {"opens": True, "html_clicks": True, "text_clicks": False},
        "_links": [],
    }


class CampaignEndpoints:
    lists: dict[str, Audience]
    campaigns: dict[str, Campaign]
    sends: list[Send]
    sending_seconds: float
    now: Callable[[], datetime]
    _web_ids: itertools.count

    def _campaign(self, campaign_id: str) -> Campaign:
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            raise Problem(404)
        return campaign

    def settle(self) -> None:
        """What time does by itself: scheduled campaigns go out, sending ones
        finish."""
        now = self.now()
        for campaign in self.campaigns.values():
            if campaign.status == "schedule" and campaign.send_time <= now:
                self._deliver(campaign, campaign.send_time)
            if (
                campaign.status == "sending"
                and campaign.send_time.timestamp() + self.sending_seconds
                <= now.timestamp()
            ):
                campaign.status = "sent"

    def _deliver(self, campaign: Campaign, at: datetime) -> None:
        audience = self.lists.get(campaign.list_id)
        recipients = (
            rules.recipients_of(audience, campaign.segment_opts) if audience else []
        )
        campaign.recipients = recipients
        campaign.emails_sent = len(recipients)
        campaign.send_time = at
        campaign.send_count += 1
        campaign.status = "sending" if self.sending_seconds > 0 else "sent"
        self.sends.append(
            Send(
                campaign.id,
                campaign.settings.get("title", ""),
                campaign.settings.get("subject_line", ""),
                recipients,
                at,
            )
        )

    def _json(self, campaign: Campaign, query: Query) -> dict[str, Any]:
        document = campaign_json(campaign, self.lists.get(campaign.list_id))
        return rules.select(document, query)

    def campaigns_post(self, query: Query, body: Any) -> Answer:
        body = rules.json_object(body)
        if body.get("type") not in rules.CAMPAIGN_TYPES:
            raise rules.invalid("type", "Invalid campaign type.")
        if body["type"] != "regular":
            raise rules.invalid("type", "This fake makes only regular campaigns.")
        recipients = body.get("recipients")
        if not isinstance(recipients, dict) or not recipients.get("list_id"):
            raise rules.invalid("recipients.list_id", "This value should not be blank.")
        audience = self.lists.get(recipients["list_id"])
        if audience is None:
            raise rules.invalid("recipients.list_id", "Invalid list ID.")
        segment = None
        if recipients.get("segment_opts"):
            segment = rules.segment_check(audience, recipients["segment_opts"])
        settings = body.get("settings") or {}
        if not isinstance(settings, dict):
            raise rules.invalid("settings", "An object is expected.")
        if settings.get("reply_to") and not rules.email_valid(settings["reply_to"]):
            raise rules.invalid("settings.reply_to", "Invalid email address.")
        campaign = Campaign(
            id=rules.new_id(),
            web_id=next(self._web_ids),
            type="regular",
            list_id=audience.id,
            created=self.now(),
            settings=dict(settings),
            segment_opts=segment,
        )
        self.campaigns[campaign.id] = campaign
        return 200, self._json(campaign, query)

    def campaign_get(self, query: Query, body: Any, campaign_id: str) -> Answer:
        return 200, self._json(self._campaign(campaign_id), query)

    def campaign_delete(self, query: Query, body: Any, campaign_id: str) -> Answer:
        campaign = self._campaign(campaign_id)
        if campaign.status == "sending":
            raise Problem(400, "Bad Request", "This campaign is sending.")
        del self.campaigns[campaign_id]
        return 204, None

    def content_put(self, query: Query, body: Any, campaign_id: str) -> Answer:
        campaign = self._campaign(campaign_id)
        body = rules.json_object(body)
        if campaign.status not in ("save", "paused"):
            raise Problem(
                400,
                "Bad Request",
                f"Cannot update the content of a campaign that is {campaign.status}.",
            )
        for name in ("html", "plain_text"):
            if name in body and not isinstance(body[name], str):
                raise rules.invalid(name, "A string is expected.")
        campaign.html = body.get("html", campaign.html)
        campaign.plain_text = body.get("plain_text", campaign.plain_text)
        return 200, {
            "plain_text": campaign.plain_text,
            "html": campaign.html,
            "archive_html": campaign.html,
            "_links": [],
        }

    @staticmethod
    def _ready(campaign: Campaign) -> None:
        settings = campaign.settings
        if not (
            campaign.html
            and settings.get("subject_line")
            and settings.get("from_name")
            and settings.get("reply_to")
        ):
            raise Problem(400, "Bad Request", "Your Campaign is not ready to send.")

    def test_post(self, query: Query, body: Any, campaign_id: str) -> Answer:
        campaign = self._campaign(campaign_id)
        body = rules.json_object(body)
        emails = body.get("test_emails")
        if (
            not isinstance(emails, list)
            or not emails
            or not all(rules.email_valid(e) for e in emails)
        ):
            raise rules.invalid("test_emails", "A list of email addresses.")
        if body.get("send_type") not in ("html", "plaintext"):
            raise rules.invalid("send_type", "html or plaintext.")
        self._ready(campaign)
        campaign.tests.append(list(emails))
        return 204, None

    def schedule_post(self, query: Query, body: Any, campaign_id: str) -> Answer:
        campaign = self._campaign(campaign_id)
        at = rules.schedule_time(rules.json_object(body).get("schedule_time"))
        if campaign.status == "schedule":
            raise Problem(400, "Bad Request", "This campaign is already scheduled.")
        if campaign.status not in ("save", "paused"):
            raise Problem(
                400,
                "Bad Request",
                f"This campaign is {campaign.status}: cannot schedule.",
            )
        if not rules.on_quarter_hour(at):
            raise Problem(
                400,
                "Invalid Resource",
                "Campaigns may only be scheduled to send on the quarter-hour "
                "(:00, :15, :30, :45).",
            )
        if at <= self.now():
            raise Problem(400, "Invalid Resource", "The schedule time is in the past.")
        self._ready(campaign)
        campaign.status, campaign.send_time = "schedule", at
        return 204, None

    def unschedule_post(self, query: Query, body: Any, campaign_id: str) -> Answer:
        campaign = self._campaign(campaign_id)
        if campaign.status != "schedule":
            raise Problem(400, "Bad Request", "This campaign is not scheduled.")
        campaign.status, campaign.send_time = "save", None
        return 204, None

    def send_post(self, query: Query, body: Any, campaign_id: str) -> Answer:
        campaign = self._campaign(campaign_id)
        if campaign.status in ("sent", "sending"):
            raise Problem(400, "Bad Request", "This campaign has already been sent.")
        if campaign.status == "schedule":
            raise Problem(
                400, "Bad Request", "This campaign is scheduled: unschedule it first."
            )
        self._ready(campaign)
        self._deliver(campaign, self.now())
        return 204, None
