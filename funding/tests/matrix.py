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


def _first(model_name: str, **lookup):
    def kwargs():
        from django.apps import apps

        model = apps.get_model("funding", model_name)
        return {"pk": model.objects.filter(**lookup).order_by("pk").first().pk}

    return kwargs


EVERYONE_IN_BUSINESS = ("office", "leader", "zjj", "zjj_head")
for name in ("project", "receipt", "contact"):
    MATRIX[f"funding:{name}_list"] = access(*EVERYONE_IN_BUSINESS)
    MATRIX[f"funding:{name}_list#export"] = access(*EVERYONE_IN_BUSINESS, query="?export=xlsx")
    MATRIX[f"funding:{name}_detail"] = access(
        *EVERYONE_IN_BUSINESS, kwargs=_first(name.capitalize(), unit__code="ZJJ")
    )
    MATRIX[f"funding:{name}_detail#other-unit"] = access(
        "office", kwargs=_first(name.capitalize(), unit__code="FGW")
    )
MATRIX["funding:guide_list"] = access(*EVERYONE_IN_BUSINESS)
MATRIX["funding:guide_detail"] = access(*EVERYONE_IN_BUSINESS, kwargs=_first("Guide"))
MATRIX["funding:guide_create"] = access("office")
MATRIX["funding:guide_create#post"] = access(
    "office",
    method="post",
    data=lambda: {
        "title": "矩阵指南",
        "issuer": "省发展改革委",
        "level": "provincial",
        "published_on": "2024-06-01",
    },
)
