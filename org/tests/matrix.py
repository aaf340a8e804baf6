from common.testing import access


def _unit(code: str) -> int:
    from org.models import Unit

    return Unit.objects.get(code=code).pk


MATRIX = {
    "org:unit_list": access("office", "leader", "zjj", "zjj_head", "sysadmin"),
}
MATRIX["org:unit_detail"] = access(
    "office", "leader", "zjj", "zjj_head", "sysadmin", kwargs=lambda: {"pk": _unit("ZJJ")}
)
MATRIX["org:unit_detail#other-unit"] = access(
    "office", "sysadmin", kwargs=lambda: {"pk": _unit("FGW")}
)
