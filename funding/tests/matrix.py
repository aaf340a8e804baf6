from common.testing import access


def _target(code):
    def kwargs():
        from funding.models import Target

        return {"pk": Target.objects.get(unit__code=code, year=2024).pk}

    return kwargs


MATRIX = {
    "funding:target_list": access("office", "leader", "zjj", "zjj_head"),
    "funding:target_edit": access("office", "leader", "zjj", "zjj_head", kwargs=_target("ZJJ")),
    "funding:target_edit#post": access(
        "office",
        method="post",
        kwargs=_target("ZJJ"),
        data=lambda: {"amount": "36000", "reason": "矩阵", "version": "1"},
    ),
    "funding:target_edit#other-unit": access("office", kwargs=_target("FGW")),
}
