from common.testing import access


def _round():
    from supervision.models import Dispatch

    return {"pk": Dispatch.objects.order_by("pk").first().pk}


def _request(code):
    def kwargs():
        from supervision.models import DispatchRequest

        return {"pk": DispatchRequest.objects.get(unit__code=code).pk}

    return kwargs


def _bulletin():
    from supervision.models import Bulletin

    return {"pk": Bulletin.objects.order_by("pk").first().pk}


def _bulletin_fmt(fmt):
    def kwargs():
        return {**_bulletin(), "fmt": fmt}

    return kwargs


def _rules(code):
    def kwargs():
        from supervision.models import AssessmentRules

        return {"pk": AssessmentRules.objects.get(code=code).pk}

    return kwargs


OFFICE_AND_LEADER = ("office", "leader")
BUSINESS = ("office", "leader", "zjj", "zjj_head")

MATRIX = {
    "supervision:dispatch_list": access("office"),
    "supervision:dispatch_create": access("office"),
    "supervision:dispatch_detail": access("office", kwargs=_round),
    "supervision:dispatch_urge": access("office", method="post", kwargs=_round),
    "supervision:dispatch_briefing": access("office", method="post", kwargs=_round),
    # a unit answers its own request only; another unit's is out of scope (404)
    "supervision:dispatch_answer": access("zjj", "zjj_head", kwargs=_request("ZJJ")),
    "supervision:dispatch_answer#other-unit": access(kwargs=_request("JTJ")),
    "supervision:bulletin_list": access(*OFFICE_AND_LEADER, "zjj", "zjj_head"),
    "supervision:bulletin_preview": access("office", query="?year=2024&as_of=2024-06-30"),
    "supervision:bulletin_draft": access(
        "office",
        method="post",
        kwargs=lambda: {"fmt": "docx"},
        data=lambda: {"year": "2024", "as_of": "2024-06-30"},
    ),
    "supervision:bulletin_issue": access(
        "office", method="post", data=lambda: {"year": "2024", "as_of": "2024-06-30"}
    ),
    "supervision:bulletin_detail": access(*BUSINESS, kwargs=_bulletin),
    "supervision:bulletin_download": access(*BUSINESS, kwargs=_bulletin_fmt("docx")),
    "supervision:bulletin_download#pdf": access(*BUSINESS, kwargs=_bulletin_fmt("pdf")),
    "supervision:assessment": access(*OFFICE_AND_LEADER, query="?year=2024&as_of=2024-06-30"),
    "supervision:assessment_export": access(*OFFICE_AND_LEADER, query="?year=2024"),
    "supervision:rules_list": access("office"),
    "supervision:rules_edit": access("office", kwargs=_rules("default-1")),
}

# 催办效果: the office (every unit) and leaders (their units)
MATRIX["supervision:reminder_effect"] = access("office", "leader")
MATRIX["supervision:reminder_effect#period"] = access(
    "office", "leader", query="?year=2024&as_of=2024-09-30"
)

# the leaders' weekly digest: a leader their own, the office any leader's
MATRIX["supervision:digest"] = access("office", "leader")
MATRIX["supervision:digest#as-of"] = access("office", "leader", query="?as_of=2024-09-30")
