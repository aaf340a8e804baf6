"""A bulletin's 期号 line (issue 20 point 6): an issued bulletin says 第N期; a draft — the CLI's
`luoshi bulletin` and the page's download — says the number issuing it would take and that it
is a draft (征求意见稿), never nothing."""

import datetime as dt
import io
from io import StringIO

import pytest
from django.core.management import call_command
from docx import Document

pytestmark = pytest.mark.django_db


def masthead_number(data: bytes) -> str:
    paragraphs = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[0] == "督 查 通 报"
    return paragraphs[1]


def test_the_cli_draft_names_the_next_number_and_says_draft(demo, tmp_path, cast):
    from org.period import ReportingPeriod
    from supervision import services
    from supervision.models import Bulletin

    issued = Bulletin.objects.filter(year=2024).count()
    out = tmp_path / "通报.docx"
    call_command("bulletin", year=2024, as_of="2024-06-30", out=str(out), stdout=StringIO())
    assert masthead_number(out.read_bytes()) == f"第{issued + 1}期（征求意见稿）"
    # issuing takes that very number, and the issued document says it plainly
    bulletin = services.issue_bulletin(
        user=cast["office"], period=ReportingPeriod(2024, dt.date(2024, 7, 31))
    )
    assert bulletin.number == issued + 1
    assert masthead_number(bytes(bulletin.docx)) == f"第{issued + 1}期"
    # a year with no bulletin yet: its first draft is 第1期
    _content, docx, _pdf = services.build_bulletin(
        ReportingPeriod(2025, dt.date(2025, 3, 31)), pdf=False
    )
    assert masthead_number(docx) == "第1期（征求意见稿）"


def test_the_draft_job_takes_the_one_path_to_a_bulletin(demo, cast):
    """The page's draft (a background job) is the document `build_bulletin` makes, which the
    command and issuing make too: one path, not a second rendering beside it."""
    from jobs.models import Job
    from jobs.services import result_path, run_job, start_job
    from org.period import ReportingPeriod
    from supervision import services

    params = {"year": 2024, "as_of": "2024-06-30", "mode": "day", "fmt": "docx"}
    job = start_job(
        user=cast["office"], kind="supervision.bulletin_draft", title="t", params=params
    )
    run_job(job_id=job.pk)
    job = Job.objects.get(pk=job.pk)
    assert job.status == Job.DONE, job.message
    content, docx, pdf = services.build_bulletin(
        ReportingPeriod(2024, dt.date(2024, 6, 30)), pdf=False
    )
    assert pdf == b"" and job.message == content["sentence"]

    def text(data: bytes) -> list[str]:
        return [p.text for p in Document(io.BytesIO(data)).paragraphs]

    assert text(result_path(job).read_bytes()) == text(docx)
    steps = []
    services.build_bulletin(
        ReportingPeriod(2024, dt.date(2024, 6, 30)),
        pdf=False,
        progress=lambda done, total, label: steps.append((done, total, label)),
    )
    assert steps == [(0, 2, "汇总数据"), (1, 2, "生成Word文档")]
