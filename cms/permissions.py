"""Who may change which page: every role stays in its room.

Group page permissions (``cms.newsroom.setup``) give each office its section
in its working languages, and the Japanese tree to HQ reviewers; office
editors may also write drafts in their section of the Japanese tree, which
reach readers only through the "Translation review" workflow. Wagtail's
tester lets anyone with "change" delete or move a page that is not live;
here, in the reviewed tree, whatever changes the tree's shape outside the
workflow (delete, move in or out) needs the publish permission, as
publishing does. Routes of wagtail-localize that change a page with weaker
checks are guarded in ``translation.localize_guards`` with the same tester.
"""

from functools import cached_property

from django.conf import settings
from django.db.models import QuerySet
from wagtail.models import Locale, Page, PagePermissionTester
from wagtail.permissions import page_permission_policy

# Page permissions that put a page in a user's room.
ROOM_ACTIONS = {"add", "change", "publish"}


def reviewed_locale_id() -> int | None:
    """The locale whose tree HQ reviews (the default language's)."""
    return (
        Locale.objects.filter(language_code=settings.LANGUAGE_CODE)
        .values_list("pk", flat=True)
        .first()
    )


class NewsroomPagePermissionTester(PagePermissionTester):
    @cached_property
    def _reviewed_locale_id(self) -> int | None:
        return reviewed_locale_id()

    def in_reviewed_tree(self, page: Page | None = None) -> bool:
        return (page or self.page).locale_id == self._reviewed_locale_id

    def can_change_outside_review(self) -> bool:
        """Whether the user may change this page other than by a draft that
        goes through review: everywhere but the reviewed tree, the edit right;
        in it, the publish right."""
        if self.in_reviewed_tree():
            return self.can_publish()
        return self.can_edit()

    def can_delete(self, ignore_bulk: bool = False) -> bool:
        if self.in_reviewed_tree() and not self.can_publish():
            return False
        return super().can_delete(ignore_bulk=ignore_bulk)

    def can_move_to(self, destination: Page) -> bool:
        if not self.user.is_superuser and destination.locale_id != self.page.locale_id:
            # A page moved to another language's tree would keep its language.
            return False
        if (
            self.in_reviewed_tree(destination)
            and not destination.permissions_for_user(self.user).can_publish_subpage()
        ):
            return False
        return super().can_move_to(destination)


class NewsroomPermissionsMixin:
    """Our page types answer ``permissions_for_user`` with the newsroom's tester."""

    def permissions_for_user(self, user) -> NewsroomPagePermissionTester:
        return NewsroomPagePermissionTester(user, self)


def pages_in_rooms(user) -> QuerySet[Page]:
    """The pages the user may add to, edit or publish (all, for superusers)."""
    return page_permission_policy.instances_user_has_any_permission_for(
        user, ROOM_ACTIONS
    )
