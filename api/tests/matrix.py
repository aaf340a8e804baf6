from common.testing import EVERY_BUSINESS_ROLE, access

EVERYONE = ("office", "leader", "zjj", "zjj_head", "sysadmin", "secadmin", "auditor")


def _advance():
    """The next stage of a ZJJ reserve project, at the version now stored (each role in turn)."""
    from funding.choices import Stage
    from funding.models import Project

    project = Project.objects.get(code="XM2025-ZJJ-01")
    following = {
        Stage.RESERVE: Stage.APPLIED,
        Stage.APPLIED: Stage.IN_REVIEW,
        Stage.IN_REVIEW: Stage.APPROVED,
        Stage.APPROVED: Stage.FUNDED,
    }
    return {"to_stage": following[project.stage], "version": project.version}


MATRIX = {
    "api:summary": access(*EVERY_BUSINESS_ROLE, query="?as_of=2024-06-30"),
    "api:receipt_create": access(
        "zjj", "zjj_head", method="post", data=lambda: {"amount": "10", "received_on": "2024-06-01"}
    ),
    "api:receipt_create#office": access(
        "office",
        "zjj",
        "zjj_head",
        method="post",
        data=lambda: {"amount": "11", "received_on": "2024-06-02", "unit": "ZJJ"},
    ),
    "api:receipts": access(*EVERY_BUSINESS_ROLE, query="?year=2024"),
    "api:units": access(*EVERY_BUSINESS_ROLE),
    "api:unit": access(*EVERY_BUSINESS_ROLE, kwargs=lambda: {"code": "ZJJ"}),
    "api:unit#outside": access(
        "office", kwargs=lambda: {"code": "FGW"}, note="a unit not overseen: 404"
    ),
    "api:targets": access(*EVERY_BUSINESS_ROLE),
    "api:projects": access(*EVERY_BUSINESS_ROLE, query="?stage=reserve"),
    "api:project": access(*EVERY_BUSINESS_ROLE, kwargs=lambda: {"code": "XM2024-ZJJ-01"}),
    "api:project_advance": access(
        "office",
        "zjj",
        "zjj_head",
        method="post",
        kwargs=lambda: {"code": "XM2025-ZJJ-01"},
        data=_advance,
    ),
    "api:work_items": access(*EVERY_BUSINESS_ROLE),
    "api:progress_reports": access(*EVERY_BUSINESS_ROLE),
    "api:progress_report_create": access(
        "zjj",
        "zjj_head",
        method="post",
        data=lambda: {
            "work_item": "GZ-05",
            "reported_on": "2024-06-20",
            "text": "进展",
            "percent": 40,
        },
    ),
    "api:guides": access(*EVERY_BUSINESS_ROLE),
    "api:contacts": access(*EVERY_BUSINESS_ROLE),
    "api:contact_create": access(
        "zjj",
        "zjj_head",
        method="post",
        data=lambda: {"direction": "out", "occurred_on": "2024-06-20", "counterpart": "省住建厅"},
    ),
    "api:bulletins": access(*EVERY_BUSINESS_ROLE),
    "api:assessment": access("office", "leader", query="?as_of=2024-06-30"),
    "api:openapi-json": access(*EVERYONE, extra={"public": True}),
    "api:openapi-view": access(*EVERYONE, extra={"public": True}),
    "api:not_found": access(kwargs=lambda: {"rest": "no/such/thing/"}),
    "api:api-root": access(),
    "api_tokens:token_list": access(*EVERY_BUSINESS_ROLE),
    "api_tokens:token_revoke": access(
        method="post", kwargs=lambda: {"pk": 999999}, note="only one's own tokens: 404"
    ),
}


# --- corrections of receipts (design §10) -------------------------------------------------


def _zjj_receipt_id():
    from funding.models import Receipt

    return Receipt.objects.filter(unit__code="ZJJ").order_by("pk").first().pk


def _fresh_request():
    """A void request for the ZJJ receipt; the previous role's request, if any, refused
    first, so each role asks afresh (one request waits at a time)."""
    from django.contrib.auth import get_user_model

    from funding.choices import CorrectionState
    from funding.corrections import services
    from funding.models import Receipt, ReceiptCorrection

    office = get_user_model().objects.get(username="office")
    for waiting in ReceiptCorrection.objects.filter(state=CorrectionState.PENDING):
        services.refuse_correction(
            user=office, correction=waiting, comment="矩阵", expected_version=waiting.version
        )
    receipt = Receipt.objects.get(pk=_zjj_receipt_id())
    return {"kind": "void", "reason": "矩阵：误报", "version": receipt.version}


def _pending():
    from funding.tests.matrix import pending_correction

    return {"correction_id": pending_correction().pk}


def _decision(comment: str):
    def data():
        from funding.models import ReceiptCorrection

        correction = ReceiptCorrection.objects.order_by("-pk").first()
        return {"version": correction.version if correction else 1, "comment": comment}

    return data


MATRIX["api:corrections"] = access(*EVERY_BUSINESS_ROLE, query="?state=pending")
MATRIX["api:correction_create"] = access(
    "office",
    "zjj",
    "zjj_head",
    method="post",
    kwargs=lambda: {"receipt_id": _zjj_receipt_id()},
    data=_fresh_request,
)
MATRIX["api:correction_approve"] = access(
    "office", method="post", kwargs=_pending, data=_decision("")
)
MATRIX["api:correction_refuse"] = access(
    "office", method="post", kwargs=_pending, data=_decision("矩阵：不予更正")
)
