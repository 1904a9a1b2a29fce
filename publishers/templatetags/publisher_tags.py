from django import template

from ..channels import channel_get

register = template.Library()


@register.filter
def channel_label(alias: str) -> str:
    """A channel's name for people ("ウェブサイト"); its alias when it is no
    longer configured (old deliveries keep theirs)."""
    channel = channel_get(alias)
    return str(channel.label or alias) if channel else alias
