from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Office
from .newsroom.setup import office_page_rights_ensure


@receiver(post_save, sender=Office, dispatch_uid="office_page_rights")
def office_saved(sender, instance: Office, **kwargs) -> None:
    office_page_rights_ensure(office=instance)
