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


def _mzj_claim_receipt():
    """MZJ's receipt of the demo's claim, in effect or not (other entries may reject it)."""
    from funding.models import Receipt

    return Receipt.every.get(doc_key=DEMO_CLAIM, unit__code="MZJ")


MATRIX["funding:receipt_reject"] = access(
    "office",
    method="post",
    kwargs=lambda: {"pk": _mzj_claim_receipt().pk},
    # after the office has rejected it, the others post for a receipt no longer in effect
    data=lambda: {"version": str(_mzj_claim_receipt().version), "note": "矩阵：重复申报"},
)


# --- the striving pipeline (design §9) ---------------------------------------------------


def _project(code):
    def kwargs():
        from funding.models import Project

        return {"pk": Project.objects.get(code=code).pk}

    return kwargs


def _material(unit_code):
    def kwargs():
        from funding.models import ProjectMaterial

        material = (
            ProjectMaterial.objects.filter(project__unit__code=unit_code).order_by("pk").first()
        )
        return {"pk": material.pk}

    return kwargs


def _guide(code):
    def kwargs():
        from funding.models import Guide

        return {"pk": Guide.objects.get(code=code).pk}

    return kwargs


def _lead(unit_code):
    def kwargs():
        from funding.models import Lead

        return {"pk": Lead.objects.filter(unit__code=unit_code).order_by("pk").first().pk}

    return kwargs


WRITERS = ("office", "zjj", "zjj_head")
MATRIX["funding:project_create"] = access(*WRITERS)
MATRIX["funding:project_create#office-unit"] = access(*WRITERS, query="?unit=1")
MATRIX["funding:project_edit"] = access(*WRITERS, kwargs=_project("CB2025-ZJJ-02"))
MATRIX["funding:project_edit#other-unit"] = access("office", kwargs=_project("CB2025-SLJ-01"))
# 纳入计划 is recorded by POST on the project page; a GET goes back to the page
MATRIX["funding:project_include"] = access(*WRITERS, kwargs=_project("CB2025-ZJJ-02"))
MATRIX["funding:project_include#other-unit"] = access("office", kwargs=_project("CB2025-SLJ-01"))
MATRIX["funding:material_upload"] = access(
    *WRITERS, method="post", kwargs=_project("CB2025-ZJJ-02"), data=lambda: {}
)
MATRIX["funding:material_download"] = access(*EVERYONE_IN_BUSINESS, kwargs=_material("ZJJ"))
MATRIX["funding:material_download#other-unit"] = access("office", kwargs=_material("SLJ"))
# another unit's file: the office removes it, the unit cannot even see it
MATRIX["funding:material_remove"] = access(
    "office", method="post", kwargs=_material("SLJ"), data=lambda: {}
)
MATRIX["funding:requirement_list"] = access("office")
MATRIX["funding:requirement_delete"] = access(
    "office",
    method="post",
    kwargs=lambda: {
        "pk": __import__("funding.models", fromlist=["x"])
        .MaterialRequirement.objects.order_by("-pk")
        .first()
        .pk
    },
)
MATRIX["funding:guide_edit"] = access("office", kwargs=_guide("ZN2024-102"))
MATRIX["funding:guide_prepare"] = access(
    *WRITERS,
    method="post",
    kwargs=_guide("ZN2024-102"),
    data=lambda: {"project": str(_project("CB2025-ZJJ-02")()["pk"])},
)
MATRIX["funding:lead_list"] = access(*EVERYONE_IN_BUSINESS)
MATRIX["funding:lead_list#export"] = access(*EVERYONE_IN_BUSINESS, query="?export=xlsx")
MATRIX["funding:lead_convert"] = access(*WRITERS, kwargs=_lead("ZJJ"))
MATRIX["funding:lead_convert#other-unit"] = access("office", kwargs=_lead("FGW"))
MATRIX["funding:counterpart_list"] = access(*EVERYONE_IN_BUSINESS)
MATRIX["funding:contact_link"] = access(
    *WRITERS, method="post", kwargs=_first("Contact", unit__code="ZJJ"), data=lambda: {}
)
MATRIX["funding:rates"] = access(*EVERYONE_IN_BUSINESS)
MATRIX["funding:rates#bad-year"] = access(*EVERYONE_IN_BUSINESS, query="?year=abc&as_of=2024-13-40")


# --- the counterpart directory (对口联系, design §12) ------------------------------------


def _counterpart():
    from funding.models import Counterpart

    return {"pk": Counterpart.objects.order_by("pk").first().pk}


def _counterpart_person():
    from funding.models import CounterpartPerson

    return {"pk": CounterpartPerson.objects.order_by("pk").first().pk}


BUSINESS = ("office", "leader", "zjj", "zjj_head")
MATRIX["funding:counterpart_directory"] = access(*BUSINESS)
MATRIX["funding:counterpart_detail"] = access(*BUSINESS, kwargs=_counterpart)
MATRIX["funding:counterpart_person_add"] = access("office", kwargs=_counterpart)
MATRIX["funding:counterpart_person_remove"] = access("office", kwargs=_counterpart_person)
# noting a lead: a unit for itself, the office for any unit (the leader reads)
MATRIX["funding:lead_create"] = access(*WRITERS)
MATRIX["funding:lead_create#post"] = access(
    *WRITERS,
    method="post",
    data=lambda: {"unit": "1", "title": "矩阵线索", "noted_on": "2024-06-30"},
)
# a new year's targets: the office alone
MATRIX["funding:target_create"] = access("office")
MATRIX["funding:target_create#post"] = access(
    "office",
    method="post",
    data=lambda: {"unit": "1", "year": "2025", "amount": "1000"},
)


# --- corrections of receipts (design §10) -------------------------------------------------


def _zjj_receipt():
    from funding.models import Receipt

    return Receipt.objects.filter(unit__code="ZJJ").order_by("pk").first()


def pending_correction(kind: str = "void"):
    """A ZJJ receipt's request waiting for the office (made once, before the roles run; the
    one already waiting when another entry made it)."""
    from django.contrib.auth import get_user_model

    from funding.corrections import services as corrections
    from funding.models import ReceiptCorrection

    waiting = ReceiptCorrection.objects.filter(state="pending").order_by("pk").first()
    if waiting is not None:
        return waiting
    receipt = _zjj_receipt()
    zjj = get_user_model().objects.get(username="zjj")
    correction = corrections.request_correction(
        user=zjj, receipt=receipt, kind=kind, reason="矩阵", expected_version=receipt.version
    )
    return correction


def _decision(comment: str):
    def data():
        from funding.models import ReceiptCorrection

        correction = ReceiptCorrection.objects.order_by("-pk").first()
        return {"version": str(correction.version if correction else 1), "comment": comment}

    return data


def _rejected_receipt():
    from django.contrib.auth import get_user_model

    from funding.corrections import services as corrections

    receipt = _mzj_claim_receipt()
    if receipt.state == "active":
        office = get_user_model().objects.get(username="office")
        corrections.reject_receipt(user=office, receipt=receipt, note="矩阵：重复申报")
    return {"pk": receipt.pk}


MATRIX["funding:correction_list"] = access(*EVERYONE_IN_BUSINESS)
MATRIX["funding:correction_request"] = access(
    "office", "zjj", "zjj_head", kwargs=lambda: {"pk": _zjj_receipt().pk}
)
MATRIX["funding:correction_request#other-unit"] = access(
    "office", kwargs=_first("Receipt", unit__code="FGW")
)
MATRIX["funding:correction_request#post"] = access(
    "office",
    "zjj",
    "zjj_head",
    method="post",
    kwargs=lambda: {"pk": _zjj_receipt().pk},
    # the first asks; the others are told a request is already waiting (the form again)
    data=lambda: {
        "kind": "void",
        "reason": "矩阵：误报",
        "version": str(_zjj_receipt().version),
    },
)
MATRIX["funding:correction_approve"] = access(
    "office",
    method="post",
    kwargs=lambda: {"pk": pending_correction().pk},
    data=_decision(""),
)
MATRIX["funding:correction_refuse"] = access(
    "office",
    method="post",
    kwargs=lambda: {"pk": pending_correction().pk},
    data=_decision("矩阵：不予更正"),
)
MATRIX["funding:receipt_reinstate"] = access(
    "office",
    method="post",
    kwargs=_rejected_receipt,
    data=lambda: {"version": str(_mzj_claim_receipt().version), "reason": "矩阵：恢复"},
)
