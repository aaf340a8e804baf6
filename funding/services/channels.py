"""Writes to channels (争取渠道)."""

from django.db import transaction

from audit.services import AuditBatch, record, snapshot

from ..models import (
    Channel,
)
from ..record_rules import next_free_code
from .base import _require_office


@transaction.atomic
def save_channel(*, user, code: str, name: str, level: str) -> Channel:
    _require_office(user)
    channel, created = Channel.objects.get_or_create(
        code=code, defaults={"name": name, "level": level}
    )
    if created:
        record("funding.channel.created", channel, after=snapshot(channel), user=user)
    return channel


def bulk_save_channels(*, user, audit: AuditBatch, levels: dict[str, str]) -> dict[str, Channel]:
    """Create the channels named (name → level), each with the next free code QDnnn."""
    _require_office(user)
    used = set(Channel.objects.values_list("code", flat=True))
    created = {}
    number = len(used)
    for name, level in levels.items():
        code, number = next_free_code("QD", used, after=number)
        channel = Channel.objects.create(code=code, name=name, level=level)
        created[name] = channel
        audit.add("funding.channel.created", channel, after=snapshot(channel))
    return created
