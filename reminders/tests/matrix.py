from common.testing import CAST, EVERY_BUSINESS_ROLE, access


def _robot() -> dict:
    from reminders.models import Robot

    return {"pk": Robot.objects.order_by("pk").first().pk}


def _zjj_reminder() -> dict:
    from reminders.models import Reminder

    return {"pk": Reminder.objects.filter(recipient_unit__code="ZJJ").order_by("pk").first().pk}


MATRIX = {
    # 签收: only the recipients (anyone of the unit it went to)
    "reminders:acknowledge": access("zjj", "zjj_head", kwargs=_zjj_reminder),
    "reminders:reminder_list#unacknowledged": access(
        *EVERY_BUSINESS_ROLE, query="?unacknowledged=1"
    ),
    # every signed-in person has an inbox (the bell), even if only the business roles get mail
    "reminders:inbox": access(*CAST),
    "reminders:bell": access(*CAST),
    "reminders:mark_read": access(*CAST, method="post", data=lambda: {}),
    "reminders:reminder_list": access(*EVERY_BUSINESS_ROLE),
    "reminders:reminder_list#failed": access(*EVERY_BUSINESS_ROLE, query="?failed=1"),
    "reminders:unreachable": access("office"),
    "reminders:robot_list": access("office"),
    "reminders:robot_edit": access("office", kwargs=_robot),
    "reminders:robot_remove": access("office", method="post", kwargs=_robot),
}
