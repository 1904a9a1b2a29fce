"""The social channel (X first): a post when an article is first published,
a reply with the correction when it is corrected, and the post deleted (or
answered, by setting) when it is withdrawn.

The post's text is fixed when the delivery is made (the per-locale template,
fitted to 280 weighted characters by publishers.social_text), so a retry
sends the same text. A send whose outcome is unknown is looked for among
the account's recent posts before anything is sent again; X refusing a
duplicate after such a send is taken as the first send having worked.

X charges per post (more for a post with a link): ``DAILY_CAP`` and
``MONTHLY_CAP`` (posts; None for no cap) make posts wait for the next day or
month, counted in ChannelUse.

OPTIONS: ``ACCOUNT`` (an alias of settings.TSUNAGU_SOCIAL, default the
channel's alias), ``LOCALES`` (default ["ja"]), ``CORRECTION`` ("reply" or
"delete"), ``UNPUBLISH`` ("delete" or "reply"), ``DAILY_CAP``,
``MONTHLY_CAP``, ``KIND`` ("x": the page field that chooses it).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from cms.siteurl import page_full_url

from ..backends.social import (
    ConfigurationError,
    DuplicateContent,
    RateLimited,
    Rejected,
    SocialBackend,
    SocialError,
    TemporaryError,
    social_backend,
)
from ..backends.social import OutcomeUnknown as SocialOutcomeUnknown
from ..models import ChannelUse, Delivery
from ..social_text import hashtag, post_compose, post_matches
from .base import Change, Channel, ChannelError, OutcomeUnknown, Sent

Purpose = Delivery.Purpose
# X's timelines lag behind posting: look no sooner than this after a send.
LOOK_AFTER = timedelta(seconds=60)
RETRACTION_TEXT = {
    "ja": "この記事は取り下げられました。",
    "en": "This article has been withdrawn.",
}


def _month_start(day: date) -> date:
    return day.replace(day=1)


class SocialChannel(Channel):
    label = "X"
    purposes: ClassVar[frozenset[str]] = frozenset(
        {Purpose.PUBLISH, Purpose.CORRECTION, Purpose.UNPUBLISH}
    )

    @property
    def backend(self) -> SocialBackend:
        return social_backend(self.options.get("ACCOUNT", self.alias))

    def targets(self, *, change: Change) -> list[str]:
        locales = self.options.get("LOCALES", ["ja"])
        if change.page.locale.language_code not in locales:
            return []
        if change.purpose != Purpose.PUBLISH and not self._first_post_made(
            change.page.pk
        ):
            return []  # nothing was posted: nothing to correct or withdraw
        return [""]

    def _first_post_made(self, page_id: int) -> bool:
        return (
            Delivery.objects.filter(
                page_key=page_id, channel=self.alias, purpose=Purpose.PUBLISH
            )
            .exclude(state=Delivery.State.SKIPPED)
            .exists()
        )

    # -- what to send ------------------------------------------------------

    def payload(self, *, change: Change, target: str) -> dict[str, Any]:
        page = change.page
        locale = page.locale.language_code
        url = page_full_url(page) or ""
        if change.purpose == Purpose.PUBLISH:
            return {
                "action": "post",
                "text": post_compose(
                    title=page.title,
                    summary=getattr(page, "summary", ""),
                    url=url,
                    hashtags=self._hashtags(page),
                    locale=locale,
                ),
                "has_link": bool(url),
            }
        setting = "CORRECTION" if change.purpose == Purpose.CORRECTION else "UNPUBLISH"
        default = "reply" if change.purpose == Purpose.CORRECTION else "delete"
        if self.options.get(setting, default) == "delete":
            return {"action": "delete"}
        if change.purpose == Purpose.CORRECTION:
            text = post_compose(
                title=("【訂正】" if locale == "ja" else "Correction: ") + page.title,
                summary=getattr(page, "correction", ""),
                url=url,
                hashtags=[],
                locale=locale,
            )
        else:
            text = RETRACTION_TEXT.get(locale, RETRACTION_TEXT["en"])
        return {
            "action": "reply",
            "text": text,
            "has_link": change.purpose != "unpublish",
        }

    def _hashtags(self, page: Any) -> list[str]:
        names = []
        if getattr(page, "office_id", None):
            names.append(page.office.name_ja)
        names += [topic.name_ja for topic in page.topics.all()]
        return [tag for name in names if (tag := hashtag(name))]

    # -- sending -----------------------------------------------------------

    def deliver(self, *, delivery: Delivery) -> Sent:
        action = delivery.payload.get("action", "post")
        try:
            if action == "delete":
                original = self._original_post(delivery)
                if original is None:
                    return Sent(note="nothing was posted")
                self.backend.post_delete(post_id=original)
                return Sent(remote_id=original, note="post deleted")
            reply_to = None
            if action == "reply":
                reply_to = self._original_post(delivery)
                if reply_to is None:
                    return Sent(note="nothing was posted to answer")
            self._cap_check(delivery)
            post = self.backend.post_create(
                text=delivery.payload["text"], reply_to_id=reply_to
            )
        except ChannelError:
            raise
        except DuplicateContent as exc:
            if delivery.sent_at is not None:
                # An earlier send of ours may be the duplicate: look first.
                raise OutcomeUnknown(
                    f"X refused a duplicate after an earlier attempt: {exc}",
                    retry_at=timezone.now() + LOOK_AFTER,
                ) from exc
            raise ChannelError(str(exc), permanent=True) from exc
        except SocialError as exc:
            raise self._error(exc) from exc
        self._count(delivery)
        return Sent(remote_id=post.id, remote_url=post.url)

    def _original_post(self, delivery: Delivery) -> str | None:
        """The id of the article's first post (the delivery it answers)."""
        first = (
            Delivery.objects.filter(
                page_key=delivery.page_key, channel=self.alias, purpose=Purpose.PUBLISH
            )
            .order_by("pk")
            .first()
        )
        if first is None or first.state == Delivery.State.SKIPPED:
            return None
        if first.state != Delivery.State.DONE:
            raise ChannelError(
                "Waiting for the article's first post",
                counts=False,
                retry_at=timezone.now() + timedelta(minutes=1),
            )
        return first.remote_id or None

    def _error(self, exc: SocialError) -> ChannelError:
        if isinstance(exc, RateLimited):
            return ChannelError(
                f"X's {exc.scope} rate limit: {exc}",
                retry_at=exc.reset_at,
                counts=False,
            )
        if isinstance(exc, SocialOutcomeUnknown):
            return OutcomeUnknown(str(exc), retry_at=timezone.now() + LOOK_AFTER)
        if isinstance(exc, ConfigurationError | Rejected):
            return ChannelError(str(exc), permanent=True)
        if isinstance(exc, TemporaryError):
            return ChannelError(str(exc))
        return ChannelError(str(exc))

    def look(self, *, delivery: Delivery) -> Sent | None:
        if delivery.payload.get("action") == "delete":
            return None  # deleting again is harmless (gone counts as done)
        since = (delivery.sent_at or timezone.now()) - timedelta(minutes=5)
        try:
            posts = self.backend.posts_recent(since=since)
        except SocialError as exc:
            raise self._error(exc) from exc
        for post in posts:
            if post_matches(sent=delivery.payload.get("text", ""), seen=post.text):
                self._count(delivery)
                return Sent(remote_id=post.id, remote_url=post.url, note="found on X")
        return None

    # -- caps --------------------------------------------------------------

    def _cap_check(self, delivery: Delivery) -> None:
        today = timezone.localdate()
        daily = self.options.get("DAILY_CAP")
        monthly = self.options.get("MONTHLY_CAP")
        if daily is not None:
            used = (
                ChannelUse.objects.filter(channel=self.alias, day=today)
                .values_list("count", flat=True)
                .first()
                or 0
            )
            if used >= daily:
                tomorrow = today + timedelta(days=1)
                raise ChannelError(
                    f"The daily cap of {daily} posts is reached",
                    retry_at=_day_start(tomorrow),
                    counts=False,
                )
        if monthly is not None:
            used = (
                ChannelUse.objects.filter(
                    channel=self.alias, day__gte=_month_start(today)
                ).aggregate(total=Sum("count"))["total"]
                or 0
            )
            if used >= monthly:
                next_month = (_month_start(today) + timedelta(days=32)).replace(day=1)
                raise ChannelError(
                    f"The monthly cap of {monthly} posts is reached",
                    retry_at=_day_start(next_month),
                    counts=False,
                )

    def _count(self, delivery: Delivery) -> None:
        today = timezone.localdate()
        link = 1 if delivery.payload.get("has_link") else 0
        for _ in range(2):
            updated = ChannelUse.objects.filter(channel=self.alias, day=today).update(
                count=F("count") + 1, count_with_link=F("count_with_link") + link
            )
            if updated:
                return
            try:
                with transaction.atomic():
                    ChannelUse.objects.create(
                        channel=self.alias, day=today, count=1, count_with_link=link
                    )
                return
            except IntegrityError:
                continue

    def check(self) -> str:
        try:
            account = self.backend.account_check()
        except SocialError as exc:
            return str(exc)
        return "" if account else "no account"


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
