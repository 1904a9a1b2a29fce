from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Office


@receiver(post_save, sender=Office, dispatch_uid="office_page_rights")
def office_saved(sender, instance: Office, **kwargs) -> None:
    # Its working languages decide where its editors have page rights.
    from .newsroom.setup import office_page_rights_ensure

    office_page_rights_ensure(office=instance)
