from common.testing import access
from org.models import Unit


def _unit(code: str) -> int:
    return Unit.objects.get(code=code).pk


MATRIX = {
    "org:unit_list": access("office", "leader", "zjj", "zjj_head", "sysadmin"),
    "org:unit_suggest": access("office", "leader", "zjj", "zjj_head", "sysadmin"),
}
MATRIX["org:unit_detail"] = access(
    "office", "leader", "zjj", "zjj_head", "sysadmin", kwargs=lambda: {"pk": _unit("ZJJ")}
)
MATRIX["org:unit_detail#other-unit"] = access(
    "office", "sysadmin", kwargs=lambda: {"pk": _unit("FGW")}
)


def _config_version() -> int:
    from org.services import site_config

    return site_config().version


def _leader_version() -> int:
    from org.models import Leader

    return Leader.objects.order_by("sort_order").first().version


def _leader() -> dict:
    from org.models import Leader

    return {"pk": Leader.objects.order_by("sort_order").first().pk}


ORG_ADMINS = ("office", "sysadmin")
MATRIX["org:unit_create"] = access(*ORG_ADMINS)
MATRIX["org:unit_edit"] = access(*ORG_ADMINS, kwargs=lambda: {"pk": _unit("ZJJ")})
MATRIX["org:unit_edit#post"] = access(
    *ORG_ADMINS,
    method="post",
    kwargs=lambda: {"pk": _unit("ZJJ")},
    data=lambda: {
        "name": "市住房和城乡建设局",
        "kind": "department",
        "sort_order": "2",
        "version": str(Unit.objects.get(code="ZJJ").version),
    },
)
MATRIX["org:section_add"] = access(
    *ORG_ADMINS, method="post", kwargs=lambda: {"pk": _unit("ZJJ")}, data=lambda: {"name": "矩阵科"}
)
MATRIX["org:leader_list"] = access(*ORG_ADMINS)
MATRIX["org:leader_create"] = access(*ORG_ADMINS)
MATRIX["org:leader_edit"] = access(*ORG_ADMINS, kwargs=_leader)
MATRIX["org:leader_edit#post"] = access(
    *ORG_ADMINS,
    method="post",
    kwargs=_leader,
    data=lambda: {
        "name": "x",  # disabled: the stored name is kept
        "title": "市委常委、副市长",
        "sort_order": "1",
        "version": str(_leader_version()),
    },
)
MATRIX["org:calendar"] = access("office")
MATRIX["org:calendar#post"] = access(
    "office",
    method="post",
    data=lambda: {"action": "day", "day-date": "2024-12-31", "day-is_workday": "0"},
)
MATRIX["org:settings"] = access("office")
MATRIX["org:settings#post"] = access(
    "office",
    method="post",
    data=lambda: {
        "name": "某市人民政府",
        "default_year": "2024",
        "default_as_of": "2024-06-30",
        "time_progress_mode": "day",
        "due_soon_workdays": "10",
        "version": str(_config_version()),
    },
)


def _person(username: str):
    def kwargs() -> dict:
        from django.contrib.auth import get_user_model

        return {"pk": get_user_model().objects.get(username=username).pk}

    return kwargs


# a person's mobile and e-mail: the office for anyone, a unit head for their own unit
MATRIX["org:person_contact"] = access("office", "zjj_head", kwargs=_person("zjj"))
MATRIX["org:person_contact#leader"] = access("office", kwargs=_person("leader"))
