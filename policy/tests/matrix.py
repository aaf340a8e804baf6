from common.testing import access


def _item(*, assigned_to: str | None = None, away_from: tuple[str, ...] = ()):
    def kwargs():
        from policy.models import WorkItem

        items = WorkItem.objects.order_by("pk")
        if assigned_to:
            items = items.filter(assignments__unit__code=assigned_to)
        for code in away_from:
            items = items.exclude(assignments__unit__code=code)
        return {"pk": items.exclude(lead_leader__user__username="leader").first().pk}

    return kwargs


# The leader 李华 oversees ZJJ, CGJ, CTJT and ZRJ; an item none of them works on is not his.
LEADER_UNITS = ("ZJJ", "CGJ", "CTJT", "ZRJ")
MATRIX = {
    "policy:policy_list": access("office", "leader", "zjj", "zjj_head"),
    "policy:workitem_list": access("office", "leader", "zjj", "zjj_head"),
    "policy:workitem_list#export": access(
        "office", "leader", "zjj", "zjj_head", query="?export=xlsx"
    ),
    "policy:workitem_detail": access(
        "office", "leader", "zjj", "zjj_head", kwargs=_item(assigned_to="ZJJ")
    ),
    "policy:workitem_detail#other-unit": access("office", kwargs=_item(away_from=LEADER_UNITS)),
}


# --- The decomposition edited by the office, work plans, time nodes, evidence ----------


def _policy():
    from policy.models import Policy

    return {"pk": Policy.objects.order_by("pk").first().pk}


def _measure():
    from policy.models import Measure

    return {"pk": Measure.objects.order_by("pk").first().pk}


def _led_by(code: str):
    def kwargs():
        from policy.models import WorkItem

        item = (
            WorkItem.objects.filter(
                assignments__unit__code=code, assignments__role="lead", done_on__isnull=True
            )
            .order_by("code")
            .first()
        )
        return {"pk": item.pk}

    return kwargs


def _node_of(code: str):
    def kwargs():
        from policy.models import Milestone

        node = (
            Milestone.objects.filter(
                work_item__assignments__unit__code=code,
                work_item__assignments__role="lead",
                done_on__isnull=True,
            )
            .order_by("pk")
            .first()
        )
        return {"pk": node.pk}

    return kwargs


def _measure_node(code: str):
    """A corrective measure of a unit (no work item), from the demo's signed-off explanation."""

    def kwargs():
        from policy.models import Milestone

        return {"pk": Milestone.objects.filter(unit__code=code).order_by("pk").first().pk}

    return kwargs


def _evidence_of(code: str):
    def kwargs():
        import datetime as dt

        from django.core.files.uploadedfile import SimpleUploadedFile

        from policy.models import Milestone
        from policy.services import complete_milestone

        node = Milestone.objects.filter(
            work_item__assignments__unit__code=code,
            work_item__assignments__role="lead",
            done_on__isnull=True,
        ).first()
        complete_milestone(
            user=None,
            milestone=node,
            done_on=dt.date(2024, 6, 28),
            upload=SimpleUploadedFile("佐证.pdf", b"%PDF-1.4\n%%EOF\n"),
        )
        return {"pk": node.evidence.get().pk}

    return kwargs


def _pending_extension(code: str):
    """A pending extension request of `code`'s first open item, filed through the service."""

    def kwargs():
        import datetime as dt

        from policy.approvals.services import request_extension
        from policy.models import ExtensionRequest

        item = _led_by(code)()["pk"]
        pending = ExtensionRequest.objects.filter(work_item_id=item, status="pending").first()
        if pending is None:
            from policy.models import WorkItem

            target = WorkItem.objects.get(pk=item)
            pending = request_extension(
                user=_unit_person(code),
                work_item=target,
                due_on=target.due_on + dt.timedelta(days=30),
                reason="矩阵测试",
            )
        return {"pk": pending.pk}

    return kwargs


def _pending_closing(code: str):
    def kwargs():
        import datetime as dt

        from policy.approvals.services import request_closing
        from policy.models import CloseRequest, WorkItem

        item = WorkItem.objects.get(pk=_led_by(code)()["pk"])
        pending = CloseRequest.objects.filter(work_item=item, status="pending").first()
        if pending is None:
            pending = request_closing(
                user=_unit_person(code), item=item, done_on=dt.date(2024, 6, 28), note="矩阵测试"
            )
        return {"pk": pending.pk}

    return kwargs


def _unit_person(code: str):
    """The demo's officer of `code` (zjj for 住建局)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=code.lower())


def _lag(code: str, filed: bool):
    """A lag explanation of `code` as of 2024-06-30, asked (and filed) through the services."""

    def kwargs():
        import datetime as dt

        from org.models import Unit
        from supervision.lag.services import ask_unit, file_lag_explanation
        from supervision.models import LagExplanation

        as_of = dt.date(2024, 6, 30)
        unit = Unit.objects.get(code=code)
        explanation = LagExplanation.objects.filter(unit=unit, as_of=as_of).first()
        if explanation is None:
            explanation = ask_unit(user=None, unit=unit, as_of=as_of, grounds=["矩阵测试"])
        if filed and explanation.status != "filed":
            explanation = file_lag_explanation(
                user=None,
                explanation=explanation,
                causes="矩阵测试",
                measures=[("矩阵测试措施", dt.date(2024, 9, 30))],
            )
        return {"pk": explanation.pk}

    return kwargs


def _demo_lag(code: str):
    def kwargs():
        from supervision.models import LagExplanation

        return {"pk": LagExplanation.objects.get(unit__code=code).pk}

    return kwargs


def _meeting():
    from policy.models import Meeting

    return {"pk": Meeting.objects.order_by("pk").first().pk}


def _alias():
    from policy.models import UnitAlias

    return {"pk": UnitAlias.objects.order_by("pk").first().pk}


OFFICE = ("office",)
MATRIX.update(
    {
        "policy:policy_create": access(*OFFICE),
        "policy:policy_edit": access(*OFFICE, kwargs=_policy),
        "policy:measure_create": access(*OFFICE, kwargs=_policy),
        "policy:workitem_create": access(*OFFICE, kwargs=_policy),
        "policy:aspect_list": access(*OFFICE),
        # drafting work items from a policy text, and the unit aliases it reads names by
        # an item's team (一套班子): whoever sees the item reads it; units set their own rows
        "policy:item_team": access("office", "leader", "zjj", "zjj_head", kwargs=_led_by("ZJJ")),
        "policy:item_team#other-unit": access("office", kwargs=_led_by("FGW")),
        # meetings and their decisions: every business role reads; the office records
        "policy:meeting_list": access("office", "leader", "zjj", "zjj_head"),
        "policy:meeting_detail": access("office", "leader", "zjj", "zjj_head", kwargs=_meeting),
        "policy:meeting_minutes": access("office", "leader", "zjj", "zjj_head", kwargs=_meeting),
        "policy:draft_items": access(*OFFICE),
        "policy:draft_confirm": access(*OFFICE),
        "policy:alias_list": access(*OFFICE),
        "policy:alias_remove": access(*OFFICE, kwargs=_alias),
        "policy:measure_edit": access(*OFFICE, kwargs=_measure),
        "policy:workitem_edit": access(*OFFICE, kwargs=_led_by("ZJJ")),
        # the lead unit and the office plan an item; a co-unit and the leader read it only
        "policy:workplan_edit": access("office", "zjj", "zjj_head", kwargs=_led_by("ZJJ")),
        "policy:workplan_edit#co-unit": access("office", kwargs=_led_by("JTJ")),
        # POST-only actions: a GET says who may act (redirect) and refuses the others
        # the office closes an item and moves dates itself; the lead unit asks (延期申请,
        # 办结申请) and the office decides (design §10)
        "policy:workitem_done": access("office", kwargs=_led_by("ZJJ")),
        "policy:workitem_done#other-unit": access("office", kwargs=_led_by("FGW")),
        "policy:workitem_extension": access("zjj", "zjj_head", kwargs=_led_by("ZJJ")),
        "policy:workitem_extension#other-unit": access(kwargs=_led_by("FGW")),
        "policy:workitem_extension#co-unit": access(kwargs=_led_by("JTJ")),
        "policy:workitem_closing": access("zjj", "zjj_head", kwargs=_led_by("ZJJ")),
        "policy:workitem_closing#other-unit": access(kwargs=_led_by("FGW")),
        "policy:milestone_extension": access("zjj", "zjj_head", kwargs=_node_of("ZJJ")),
        "policy:milestone_extension#other-unit": access(kwargs=_node_of("FGW")),
        "policy:extension_decide": access("office", kwargs=_pending_extension("ZJJ")),
        "policy:closing_decide": access("office", kwargs=_pending_closing("ZJJ")),
        "policy:request_queue": access("office"),
        # the decisions as the office posts them (the version walked by test_versions_required)
        "policy:extension_decide#post": access(
            "office",
            method="post",
            kwargs=_pending_extension("ZJJ"),
            data=lambda: {"decision": "refuse", "comment": "矩阵测试", "version": "1"},
        ),
        "policy:closing_decide#post": access(
            "office",
            method="post",
            kwargs=_pending_closing("ZJJ"),
            data=lambda: {"decision": "refuse", "comment": "矩阵测试", "version": "1"},
        ),
        "policy:workitem_reschedule": access("office", kwargs=_led_by("ZJJ")),
        "policy:milestone_create": access("office", "zjj", "zjj_head", kwargs=_led_by("ZJJ")),
        "policy:milestone_detail": access(
            "office", "leader", "zjj", "zjj_head", kwargs=_node_of("ZJJ")
        ),
        "policy:milestone_detail#other-unit": access("office", kwargs=_node_of("FGW")),
        "policy:milestone_detail#measure": access("office", "leader", kwargs=_measure_node("CGJ")),
        "policy:milestone_done": access("office", "zjj", "zjj_head", kwargs=_node_of("ZJJ")),
        "policy:milestone_reschedule": access("office", kwargs=_node_of("ZJJ")),
        "policy:milestone_reschedule#measure": access("office", kwargs=_measure_node("CGJ")),
        "policy:evidence_download": access(
            "office", "leader", "zjj", "zjj_head", kwargs=_evidence_of("ZJJ")
        ),
        "policy:evidence_download#other-unit": access("office", kwargs=_evidence_of("FGW")),
        # lag explanations (supervision.lag; kept here so supervision/tests/matrix.py stays free
        # for the dispatch, bulletin and assessment pages)
        "supervision:lag_list": access("office", "leader", "zjj", "zjj_head"),
        "supervision:lag_request": access(*OFFICE),
        "supervision:lag_detail": access(
            "office", "leader", "zjj", "zjj_head", kwargs=_lag("ZJJ", filed=False)
        ),
        "supervision:lag_detail#signed-off": access("office", "leader", kwargs=_demo_lag("CGJ")),
        "supervision:lag_detail#other-leader": access("office", kwargs=_demo_lag("WLJ")),
        "supervision:lag_file": access("zjj", "zjj_head", kwargs=_lag("ZJJ", filed=False)),
        "supervision:lag_sign_off": access("leader", kwargs=_lag("ZJJ", filed=True)),
        "supervision:lag_send_back": access("leader", kwargs=_lag("ZJJ", filed=True)),
        "supervision:lag_send_back#other-leader": access(kwargs=_lag("NYJ", filed=True)),
    }
)
