"""A meeting's minutes (会议纪要) as .docx: the meeting, then its decisions as a table."""

import io

from ..models import AssignmentRole, Meeting

# the minutes are a Chinese document whatever the reader's language
KIND_ZH = {"dispatch": "调度会", "topic": "专题会"}


def minutes_docx(meeting: Meeting, decisions) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")
    style.font.size = Pt(12)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(f"{meeting.title}纪要")
    run.bold, run.font.size = True, Pt(18)
    document.add_paragraph(
        f"{meeting.held_on.year}年{meeting.held_on.month}月{meeting.held_on.day}日，"
        f"{meeting.chair.name + '主持召开' if meeting.chair else '召开'}"
        f"{KIND_ZH.get(meeting.kind, '会议')}。"
    )
    if meeting.attendees:
        document.add_paragraph(f"出席：{meeting.attendees}")
    if meeting.summary:
        document.add_paragraph(meeting.summary)
    document.add_paragraph("会议议定事项如下：")
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ["序号", "议定事项", "牵头单位", "配合单位", "完成时限"], strict=True
    ):
        cell.text = text
    for n, item in enumerate(decisions, start=1):
        rows = list(item.assignments.all())
        lead = next((a.unit.name for a in rows if a.role == AssignmentRole.LEAD), "")
        co = "、".join(a.unit.name for a in rows if a.role == AssignmentRole.CO)
        cells = table.add_row().cells
        for cell, text in zip(
            cells, [str(n), item.title, lead, co, item.due_on.isoformat()], strict=True
        ):
            cell.text = text
    document.add_paragraph("各牵头单位要按照议定事项抓好落实，并按时向市政府督查室报送进展。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
