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
