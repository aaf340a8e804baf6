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
