import itertools

from common.testing import access
from funding.models import Project


def _zjj_project():
    return {"pk": Project.objects.filter(unit__code="ZJJ", stage="reserve").first().pk}


def _fgw_project():
    return {"pk": Project.objects.filter(unit__code="FGW").exclude(stage="funded").first().pk}


def _report_data():
    from policy.models import WorkItem

    item = WorkItem.objects.filter(assignments__unit__code="ZJJ").first()
    return {
        "work_item": str(item.pk),
        "reported_on": "2024-06-01",
        "percent": "30",
        "text": "矩阵测试",
    }


def _unit(code):
    def kwargs():
        from org.models import Unit

        return {"pk": Unit.objects.get(code=code).pk}

    return kwargs


def _pending_report():
    import datetime as dt

    from django.contrib.auth import get_user_model

    from policy.models import WorkItem
    from policy.services import file_progress_report

    officer = get_user_model().objects.get(username="zjj")
    item = WorkItem.objects.filter(assignments__unit__code="ZJJ").first()
    report = file_progress_report(
        user=officer,
        work_item=item,
        unit=officer.membership.unit,
        reported_on=dt.date(2024, 6, 28),
        text="待审核",
    )
    return {"pk": report.pk}


_DOC_NUMBERS = itertools.count(1)

MATRIX = {
    "dashboard:report_approve": access(
        "zjj_head", method="post", kwargs=_pending_report, data=lambda: {"version": "1"}
    ),
    "dashboard:report_send_back": access(
        "zjj_head",
        method="post",
        kwargs=_pending_report,
        data=lambda: {"version": "1", "comment": "请补充佐证材料"},
    ),
    "dashboard:cockpit": access("office", "leader"),
    "dashboard:cockpit_export": access("office", "leader"),
    "dashboard:unit": access("office", "leader", "zjj", "zjj_head", kwargs=_unit("ZJJ")),
    "dashboard:unit#not-overseen": access("office", kwargs=_unit("FGW")),
    "dashboard:workbench": access("zjj", "zjj_head"),
    "dashboard:my_figures": access("zjj", "zjj_head"),
    "dashboard:receipt_create": access(
        "zjj",
        "zjj_head",
        method="post",
        # a new 文号 each time: the same unit, 文号 and amount twice is a refused duplicate
        data=lambda: {
            "amount": "12",
            "received_on": "2024-06-01",
            "doc_no": f"矩阵测试{next(_DOC_NUMBERS)}",
        },
    ),
    "dashboard:project_advance": access(
        "zjj",
        "zjj_head",
        method="post",
        kwargs=_zjj_project,
        data=lambda: {"to_stage": "applied", "on": "2024-06-01", "version": "1"},
    ),
    "dashboard:project_advance#other-unit": access(
        method="post",
        kwargs=_fgw_project,
        data=lambda: {"to_stage": "funded", "on": "2024-06-01", "version": "1"},
    ),
    "dashboard:report_create": access(
        "zjj",
        "zjj_head",
        method="post",
        data=_report_data,
    ),
    "dashboard:contact_create": access(
        "zjj",
        "zjj_head",
        method="post",
        data=lambda: {"direction": "out", "occurred_on": "2024-06-01", "counterpart": "省发改委"},
    ),
}
