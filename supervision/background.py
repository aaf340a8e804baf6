"""The supervision work that runs as background jobs (jobs/): a bulletin's draft (.docx or
.pdf), issuing a bulletin, a dispatch round's briefing. At a province's size each takes from
seconds to minutes (LibreOffice alone), longer than a request may."""

from pathlib import Path

from django.urls import reverse

from jobs.registry import Outcome, register
from org.period import parse_period

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def _period(params: dict):
    return parse_period(params["year"], params["as_of"], params["mode"])


def bulletin_draft(job, progress, folder: Path) -> Outcome:
    from .services import build_bulletin, record_download

    period = _period(job.params)
    fmt = job.params["fmt"]
    # a draft names the number issuing it would take and says it is a draft (征求意见稿)
    content, docx, pdf = build_bulletin(period, pdf=fmt == "pdf", progress=progress)
    path = folder / f"draft.{fmt}"
    path.write_bytes(pdf if fmt == "pdf" else docx)
    record_download(user=job.owner, name="bulletin_draft", what=f"{period.as_of.isoformat()}.{fmt}")
    return Outcome(
        message=content["sentence"],
        path=path,
        filename=f"通报（征求意见稿）截至{period.as_of.isoformat()}.{fmt}",
        content_type=PDF if fmt == "pdf" else DOCX,
    )


def bulletin_issue(job, progress, folder: Path) -> Outcome:
    from .services import issue_bulletin

    progress(0, 1, "生成并印发通报（Word与PDF）")
    bulletin = issue_bulletin(user=job.owner, period=_period(job.params))
    return Outcome(
        message=bulletin.title,
        url=reverse("supervision:bulletin_detail", kwargs={"pk": bulletin.pk}),
    )


def dispatch_briefing(job, progress, folder: Path) -> Outcome:
    from .dispatch import briefing
    from .documents import render_briefing_docx
    from .models import Dispatch
    from .services import record_download

    dispatch = Dispatch.objects.get(pk=job.params["dispatch"])
    progress(0, 2, "汇总各单位报送")
    compiled = briefing(dispatch)
    progress(1, 2, "生成Word文档")
    path = folder / "briefing.docx"
    path.write_bytes(render_briefing_docx(compiled))
    record_download(user=job.owner, name="dispatch_briefing", what=dispatch.title)
    return Outcome(path=path, filename=f"{dispatch.title}-汇报材料.docx", content_type=DOCX)


def register_kinds() -> None:
    from .documents import RenderError

    register("supervision.bulletin_draft", bulletin_draft, user_errors=(RenderError,))
    register("supervision.bulletin_issue", bulletin_issue, user_errors=(RenderError,))
    register("supervision.dispatch_briefing", dispatch_briefing)
