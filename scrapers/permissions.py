"""Office editors see and manage only their own office's sources and items."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from wagtail.permission_policies.base import ModelPermissionPolicy

from cms.selectors import offices_for_user

from .models import Source


class OfficeSourcePermissionPolicy(ModelPermissionPolicy):
    def user_has_permission_for_instance(
        self, user: AbstractBaseUser, action: str, instance: Source
    ) -> bool:
        return self.user_has_permission(user, action) and (
            offices_for_user(user).filter(pk=instance.office_id).exists()
        )

    def instances_user_has_permission_for(
        self, user: AbstractBaseUser, action: str
    ) -> QuerySet[Source]:
        if not self.user_has_permission(user, action):
            return Source.objects.none()
        return Source.objects.filter(office__in=offices_for_user(user))


def sources_for_user(user: AbstractBaseUser) -> QuerySet[Source]:
    return Source.objects.filter(office__in=offices_for_user(user))
