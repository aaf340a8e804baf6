"""Reminders (催办): the only write path for reminders, their deliveries and the units' robots.

Public service for other apps — urge a unit or a person:

    from reminders.services import notify

    notify(unit_or_user, subject="请于7月10日前报送调度材料", body="…", key="dispatch:12:urge",
           url="/supervision/dispatch/12/", actor=request.user)

- `recipient`: an `org.Unit` (its liaison officers — its head when it has none — in the app and
  by e-mail, and the unit's WeCom/DingTalk robots) or a user (in the app and by e-mail).
- `key`: what the message is about, unique for that subject and stage (e.g. one urge round);
  it is combined with the recipient, so the same `key` to the same recipient is sent once only:
  a second call returns None and sends nothing.
- `actor`: the user urging (the office, or a leader for the units they oversee), or None for
  the system (a command). Raises PermissionDenied otherwise.
- optional: `unit` (the unit concerned, for who may see the reminder; default the recipient
  unit or the person's unit), `due_on`, `stage`, `source`, `as_of` (issued on, default today).
- The reminder and its deliveries are written in the caller's transaction with their audit
  events; outside channels are tried after the commit (`transaction.on_commit`). A channel
  that is down leaves its delivery `failed`; `luoshi remind` tries it again on its next run.

`run_reminders(as_of=…, dry_run=…)` is what `luoshi remind` runs: every source in
`reminders.sources.SOURCES` proposes notices, those whose key is new are created and sent, and
failed deliveries of earlier runs are retried.

The services are split by concern (`creating`, `delivery`, `runs`, `reading`, `robots`,
`reach`); what a notice is and who receives it is in `reminders.notices`, which the sources
read too. Import the public names from here.
"""

from ..notices import (
    Notice,
    email_enabled,
    office_users,
    recipient_tag,
    reminder_key,
    unit_contacts,
    unit_heads,
)
from .creating import create_reminder, notify, readdress
from .delivery import STALE_SENDING, DeliveryStats, deliver_pending
from .reach import TopicReach, UnitReach, reach_of_units, topic_reach, unreachable_units
from .reading import acknowledge, acknowledge_topic, acknowledgeable_by, mark_read, may_acknowledge
from .robots import ensure_office, remove_robot, save_robot
from .runs import RunResult, run_reminders

__all__ = [
    "STALE_SENDING",
    "DeliveryStats",
    "Notice",
    "RunResult",
    "TopicReach",
    "UnitReach",
    "acknowledge",
    "acknowledge_topic",
    "acknowledgeable_by",
    "create_reminder",
    "deliver_pending",
    "email_enabled",
    "ensure_office",
    "may_acknowledge",
    "mark_read",
    "notify",
    "office_users",
    "reach_of_units",
    "readdress",
    "recipient_tag",
    "reminder_key",
    "remove_robot",
    "run_reminders",
    "save_robot",
    "topic_reach",
    "unit_contacts",
    "unit_heads",
    "unreachable_units",
]
