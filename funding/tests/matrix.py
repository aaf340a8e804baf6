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
        data=lambda: {
            "amount": "36000",
            "effective_on": "2024-06-30",
            "reason": "矩阵",
            "version": "1",
        },
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


DEMO_CLAIM = "省财建〔2024〕701号"  # the demo's doubtful claim: ZJJ and MZJ recorded it


def _claim_receipts():
    from funding.models import Receipt

    return Receipt.objects.filter(doc_key=DEMO_CLAIM)


MATRIX["funding:claim_list"] = access("office")
MATRIX["funding:claim_confirm"] = access(
    "office",
    method="post",
    data=lambda: {
        "doc_key": DEMO_CLAIM,
        "seen": ",".join(str(pk) for pk in _claim_receipts().values_list("pk", flat=True)),
        "note": "矩阵",
    },
)
MATRIX["funding:receipt_reject"] = access(
    "office",
    method="post",
    kwargs=lambda: {"pk": _claim_receipts().get(unit__code="MZJ").pk},
    # after the office has rejected it, the others post for a receipt that is gone
    data=lambda: {
        "version": str(
            _claim_receipts().filter(unit__code="MZJ").values_list("version", flat=True).first()
            or 1
        ),
        "note": "矩阵：重复申报",
    },
)
