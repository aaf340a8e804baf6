"""The documents of supervision: the bulletin and the dispatch briefing as Word files in the
style of government documents (GB/T 9704 in spirit), the PDF rendered by LibreOffice, and
the charts drawn with Pillow.

Fonts: the .docx names the fonts a government office has (方正小标宋简体 for the title, 黑体
for headings, 仿宋 for the body) and sets `w:eastAsia` on every run and style, so Word on an
office PC uses them. On the server LibreOffice renders the PDF with `fonts.conf` beside this
file, which maps those names to Noto CJK (Noto Serif CJK SC for 方正小标宋/仿宋, Noto Sans CJK
SC for 黑体).

Charts are bar charts drawn with Pillow (a small dependency, no plotting library): the
completion rate of every task department against time progress, and money secured by month.
"""

import io
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT  # noqa: F401  (A4 portrait is set by size)
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from common.text import xml_safe_arguments
from jobs.processes import group_dies_with_us

from . import province
from .charts import CLASS_COLOURS, _font, png_bytes, title_and_legend

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"
FONTS_CONF = Path(__file__).with_name("fonts.conf")


class RenderError(RuntimeError):
    """The PDF could not be produced; the message says why, for the user."""


# --- charts -------------------------------------------------------------------------------


def rate_chart(league: list[dict], time_progress_percent: float, title: str) -> bytes:
    """Horizontal bars: each task department's completion rate, coloured by its class, with
    the time-progress line. PNG bytes."""
    from PIL import Image, ImageDraw

    scale = 2
    row_h, left, right, top, bottom = 30 * scale, 230 * scale, 70 * scale, 84 * scale, 44 * scale
    width = 900 * scale
    height = top + bottom + row_h * max(1, len(league))
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    label_font, small = _font(16 * scale), _font(14 * scale)
    title_and_legend(draw, width, title, small, scale)
    rates = [float(row["rate"]) * 100 if row["rate"] is not None else 100.0 for row in league]
    top_value = max([100.0, time_progress_percent, *rates])
    top_value = ((int(top_value) + 19) // 20) * 20
    plot_w = width - left - right

    def x_of(value: float) -> int:
        return left + int(plot_w * min(value, top_value) / top_value)

    for tick in range(0, top_value + 1, 20):
        x = x_of(tick)
        draw.line([(x, top - 4 * scale), (x, height - bottom)], fill=(225, 225, 225), width=scale)
        draw.text(
            (x, height - bottom + 6 * scale), f"{tick}%", fill="#555", font=small, anchor="mt"
        )
    for i, (row, rate) in enumerate(zip(league, rates, strict=True)):
        y = top + i * row_h
        draw.text(
            (left - 8 * scale, y + row_h // 2),
            row["name"],
            fill="black",
            font=label_font,
            anchor="rm",
        )
        colour = CLASS_COLOURS.get(row["status"], (120, 120, 120))
        bar_end = max(x_of(rate), left + scale)
        draw.rectangle([left, y + 5 * scale, bar_end, y + row_h - 5 * scale], fill=colour)
        draw.text(
            (bar_end + 5 * scale, y + row_h // 2),
            row["rate_text"],
            fill="#333",
            font=small,
            anchor="lm",
        )
    x = x_of(time_progress_percent)
    draw.line([(x, top - 6 * scale), (x, height - bottom)], fill=(200, 0, 0), width=2 * scale)
    draw.text(
        (x, top - 8 * scale),
        f"时间进度 {time_progress_percent:.1f}%",
        fill=(200, 0, 0),
        font=small,
        anchor="mb",
    )
    return png_bytes(image)


def month_chart(monthly_wan: list[float], title: str) -> bytes:
    """Vertical bars: money secured in each month so far (万元). PNG bytes."""
    from PIL import Image, ImageDraw

    scale = 2
    width, height = 900 * scale, 340 * scale
    left, right, top, bottom = 80 * scale, 30 * scale, 56 * scale, 46 * scale
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    small = _font(11 * scale)
    draw.text(
        (width // 2, 18 * scale), title, fill="black", font=_font(16 * scale, True), anchor="mt"
    )
    peak = max(monthly_wan or [0]) or 1
    plot_h, plot_w = height - top - bottom, width - left - right
    slot = plot_w / 12
    draw.line([(left, height - bottom), (width - right, height - bottom)], fill="#888", width=scale)
    for month in range(12):
        cx = left + slot * month + slot / 2
        draw.text(
            (cx, height - bottom + 6 * scale),
            f"{month + 1}月",
            fill="#555",
            font=small,
            anchor="mt",
        )
        if month >= len(monthly_wan):
            continue
        value = monthly_wan[month]
        h = int(plot_h * value / peak)
        draw.rectangle(
            [cx - slot * 0.32, height - bottom - h, cx + slot * 0.32, height - bottom],
            fill=(25, 118, 210),
        )
        draw.text(
            (cx, height - bottom - h - 4 * scale),
            f"{value:,.0f}",
            fill="#333",
            font=small,
            anchor="mb",
        )
    draw.text((left - 8 * scale, top), "万元", fill="#555", font=small, anchor="rt")
    return png_bytes(image)


# --- Word ---------------------------------------------------------------------------------


def _set_fonts(r_pr, east_asia: str) -> None:
    """The run properties' fonts: `east_asia` for Chinese, the Latin font for the rest (Word
    takes the Chinese face from w:eastAsia only)."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)


def _set_run_fonts(run, east_asia: str, size: float | None = None, bold: bool | None = None):
    run.font.name = LATIN_FONT
    _set_fonts(run._element.get_or_add_rPr(), east_asia)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    return run


def _set_style_fonts(style, east_asia: str, size: float) -> None:
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    _set_fonts(style.element.get_or_add_rPr(), east_asia)


def _page_number_footer(section) -> None:
    """“— 1 —” centred in the footer: a PAGE field between dashes."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_run_fonts(paragraph.add_run("— "), "宋体", 14)
    run = _set_run_fonts(paragraph.add_run(), "宋体", 14)
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._element.append(element)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._element.append(t)
    _set_run_fonts(paragraph.add_run(" —"), "宋体", 14)


class GovDocument:
    """A python-docx document set up as a government document: A4, GB/T 9704 margins,
    仿宋 三号 body with 28-point line spacing, page numbers in the footer."""

    def __init__(self) -> None:
        self.document = Document()
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.footer_distance = Mm(20)
        normal = self.document.styles["Normal"]
        _set_style_fonts(normal, BODY_FONT, 16)
        normal.paragraph_format.line_spacing = Pt(28)
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.space_before = Pt(0)
        for name in ("Table Grid",):
            _set_style_fonts(self.document.styles[name], BODY_FONT, 12)
        _page_number_footer(section)

    def title(self, text: str) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.line_spacing = Pt(36)
        paragraph.paragraph_format.space_after = Pt(12)
        _set_run_fonts(paragraph.add_run(text), TITLE_FONT, 22, bold=True)

    def subtitle(self, text: str) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(12)
        _set_run_fonts(paragraph.add_run(text), "楷体", 16)

    def heading(self, text: str) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        paragraph.paragraph_format.keep_with_next = True
        _set_run_fonts(paragraph.add_run(text), HEADING_FONT, 16)

    def para(self, text: str, *, indent: bool = True, size: float = 16) -> None:
        paragraph = self.document.add_paragraph()
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(size * 2)
        _set_run_fonts(paragraph.add_run(text), BODY_FONT, size)

    def table(self, headers: list[str], rows: list[list[str]], widths_mm: list[float], numeric=()):
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for i, header in enumerate(headers):
            cell = table.rows[0].cells[i]
            cell.text = ""
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.line_spacing = Pt(18)
            _set_run_fonts(p.add_run(header), HEADING_FONT, 11)
        # repeat the header row on every page
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for values in rows:
            cells = table.add_row().cells
            for i, value in enumerate(values):
                p = cells[i].paragraphs[0]
                p.paragraph_format.line_spacing = Pt(18)
                p.alignment = (
                    WD_ALIGN_PARAGRAPH.RIGHT if i in numeric else WD_ALIGN_PARAGRAPH.CENTER
                )
                _set_run_fonts(p.add_run(str(value)), BODY_FONT, 11)
        # fixed widths in the grid and in every cell: LibreOffice reads the grid, Word the cells
        table.autofit = False
        for i, width in enumerate(widths_mm):
            table.columns[i].width = Mm(width)
        for row in table.rows:
            for i, width in enumerate(widths_mm):
                row.cells[i].width = Mm(width)
        self.document.add_paragraph()
        return table

    def picture(self, png: bytes, width_mm: float = 156) -> None:
        self.document.add_picture(io.BytesIO(png), width=Mm(width_mm))
        paragraph = self.document.paragraphs[-1]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # the body's exact 28-point spacing would clip the picture to one line
        paragraph.paragraph_format.line_spacing = 1.0

    def signature(self, issuer: str, date_text: str) -> None:
        for text in (issuer, date_text):
            paragraph = self.document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.right_indent = Pt(32)
            _set_run_fonts(paragraph.add_run(text), BODY_FONT, 16)

    def red_rule(self) -> None:
        """The red line under the masthead of a 通报."""
        paragraph = self.document.add_paragraph()
        p_pr = paragraph._p.get_or_add_pPr()
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("val", "single"), ("sz", "18"), ("space", "1"), ("color", "C00000")):
            bottom.set(qn(f"w:{key}"), value)
        border.append(bottom)
        p_pr.append(border)

    def masthead(self, text: str, number_text: str) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.line_spacing = Pt(48)
        run = _set_run_fonts(paragraph.add_run(text), TITLE_FONT, 30, bold=True)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        number = self.document.add_paragraph()
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_run_fonts(number.add_run(number_text), BODY_FONT, 16)
        self.red_rule()

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()


# --- the bulletin -------------------------------------------------------------------------


@xml_safe_arguments  # stored text with a control character never fails the document
def render_bulletin_docx(
    content: dict, *, government: str = "", number: int | None = None, draft: bool = False
) -> bytes:
    """The bulletin (design §7) as a .docx, from `bulletin.bulletin_content` data. A draft
    names the number it would be issued under and says it is a draft (征求意见稿)."""
    doc = GovDocument()
    issuer = f"{government}督查室" if government else "督查室"
    number_text = f"第{number}期" if number else ""
    if draft or not number:
        number_text += "（征求意见稿）"
    doc.masthead("督 查 通 报", number_text)
    doc.title(f"关于{content['year']}年对上争取工作进展情况的通报")
    doc.subtitle(f"（截至{content['date_text']}）")
    doc.para(content["sentence"])
    doc.para(
        f"时间进度为{content['time_progress']}。全市年度对上争取任务{content['target_text']}，"
        f"已到位{content['secured_text']}，完成率{content['rate_text']}。"
    )

    doc.heading("一、各任务部门完成情况")
    if content.get("province"):  # above 40 task departments: grouped by county
        province.league_section(doc, content)
    else:
        doc.para("各任务部门按完成率排名如下（金额单位：万元）：")
        doc.table(
            ["名次", "任务部门", "年度任务", "累计到位", "完成率", "类别"],
            [
                [
                    r["rank"],
                    r["name"],
                    r["target_wan"],
                    r["secured_wan"],
                    r["rate_text"],
                    r["status_text"],
                ]
                for r in content["league"]
            ],
            [12, 50, 24, 24, 18, 28],
            numeric=(2, 3, 4),
        )
        doc.picture(
            rate_chart(
                content["league"],
                float(content["time_progress"].rstrip("%"))
                if content["time_progress"] != "—"
                else 0,
                "各任务部门完成率与时间进度",
            )
        )
        doc.para("图1  各任务部门完成率（红线为时间进度）", indent=False, size=12)

    doc.heading("二、分类情况")
    for index, key in enumerate(["completed", "ahead", "behind", "none"], start=1):
        names = content["classes"][key]
        label = content["class_names"][key]
        listed = province.classes_text(content, key)
        doc.para(f"（{'一二三四'[index - 1]}）{label}的{len(names)}家：{listed}。")

    doc.heading("三、逾期工作事项")
    province.trimmed_note(doc, content, "overdue_items")
    if content["overdue_items"]:
        doc.table(
            ["编号", "工作事项", "牵头单位", "牵头市级领导", "完成时限"],
            [
                [i["code"], i["title"], i["lead_unit"], i["lead_leader"], i["due_on"]]
                for i in content["overdue_items"]
            ],
            [16, 62, 30, 24, 24],
        )
    else:
        doc.para("截至通报日，无逾期工作事项。")
    _extension_requests(doc, content)

    doc.heading("四、滞后单位原因分析及整改措施")
    province.trimmed_note(doc, content, "lag_measures")
    if content["lag_measures"]:
        for row in content["lag_measures"]:
            status = f"（{row['status']}）" if row["status"] else ""
            doc.para(f"{row['unit']}{status}：原因——{row['causes']} 措施——{row['measures']}")
    else:
        doc.para("滞后单位尚未报送原因分析及整改措施，请于通报印发后5个工作日内报送督查室。")

    doc.heading("五、待核实资金")
    province.trimmed_note(doc, content, "doubtful_claims")
    if content["doubtful_claims"]:
        doc.para("以下文号由多个单位重复申报，暂计入统计，待督查室核实：")
        for claim in content["doubtful_claims"]:
            shares = "、".join(f"{s['unit']}{s['amount']}" for s in claim["shares"])
            doc.para(f"{claim['doc_no']}：{shares}。")
    else:
        doc.para("无。")

    if content.get("monthly_wan"):
        doc.picture(month_chart(content["monthly_wan"], "全市各月到位资金（万元）"))
        doc.para("图2  全市各月到位资金", indent=False, size=12)

    if content.get("assessment"):
        assessment = content["assessment"]
        doc.heading("六、年度考核结果")
        doc.para(f"按考核规则（版本{assessment['rules_version']}）计算，结果如下：")
        doc.table(
            ["名次", "任务部门", "资金得分", "超额奖励", "事项得分", "总分"],
            [
                [u["rank"], u["name"], u["funding_score"], u["bonus"], u["items_score"], u["total"]]
                for u in province.assessment_units(content)
            ],
            [12, 48, 24, 24, 24, 24],
            numeric=(2, 3, 4, 5),
        )
    # the sections after 五 (and the assessment's 六) are numbered in the order they come
    numbers = iter(["七", "八"] if content.get("assessment") else ["六", "七"])
    if content.get("meeting_decisions"):
        # a bulletin of a day with open meeting decisions follows them too (design §12)
        doc.heading(f"{next(numbers)}、会议议定事项落实情况")
        state_zh = {"overdue": "已逾期", "due_soon": "即将到期", "on_track": "正常推进"}
        doc.table(
            ["编号", "议定事项", "会议", "牵头单位", "完成时限", "状态"],
            [
                [
                    d["code"],
                    d["title"],
                    d["meeting"],
                    d["lead_unit"],
                    d["due_on"],
                    state_zh.get(d["state"], "正常推进"),
                ]
                for d in content["meeting_decisions"]
            ],
            [16, 50, 30, 26, 22, 16],
        )
    _corrections_section(doc, content, next(numbers))
    annex = content.get("success_rates")
    if annex:
        doc.heading("附件：对上争取成功率")
        doc.para(
            f"{content['year']}年申报项目{annex['total']['applied']}个，获批复"
            f"{annex['total']['approved']}个，资金到位{annex['total']['funded']}个；"
            f"{annex['reserve_year']}年储备项目{annex['reserve_projects']}个，"
            f"申请资金{annex['reserve_requested']}。"
        )
        rows = annex["by_level"] + annex["by_channel"] + [annex["total"]]
        doc.table(
            ["层级/渠道", "申报", "批复", "到位", "申请金额", "批复金额", "到位金额"],
            [
                [
                    r["name"],
                    r["applied"],
                    r["approved"],
                    r["funded"],
                    r["requested"],
                    r["approved_amount"],
                    r["arrived"],
                ]
                for r in rows
            ],
            [36, 14, 14, 14, 26, 26, 26],
            numeric=(1, 2, 3, 4, 5, 6),
        )
    _effect_annex(doc, content.get("reminder_effect"))
    doc.para(
        "请各任务部门对照时间节点，倒排工期，挂图作战；低于时间进度和无实绩的单位要深入分析原因，"
        "明确整改措施，分管市级领导要加强调度，确保完成全年任务。"
    )
    doc.signature(issuer, content["date_text"])
    if content.get("province"):
        province.annex(doc, content)
    return doc.bytes()


def _extension_requests(doc: GovDocument, content: dict) -> None:
    """延期申请 of the period (a bulletin issued before they were counted has none)."""
    counts = content.get("extension_requests")
    if counts is not None:
        doc.para(
            f"本年度以来，各单位提出工作事项及时间节点延期申请{counts['made']}件，"
            f"经督查室批准{counts['approved']}件；未获批准的仍按原时限督办。"
        )


def _effect_annex(doc, annex: dict | None) -> None:
    """附件：催办效果 (design §11), from `supervision.effect.effect_annex`."""
    if not annex:
        return
    doc.heading("附件：催办效果")
    doc.para(
        f"送达催办{annex['urgings']}次，已签收{annex['acknowledged']}次，"
        f"单位有后续报送的{annex['answered']}次，"
        f"中位数{annex['median'] or '—'}个工作日。"
    )
    doc.table(
        ["单位", "催办", "签收", "报送", "中位数（工作日）", "2个工作日内"],
        [list(row) for row in annex["rows"]],
        [52, 18, 18, 18, 28, 26],
        numeric=(1, 2, 3, 4, 5),
    )


def _corrections_section(doc: GovDocument, content: dict, number: str) -> None:
    """更正说明 (design §10): the corrections of receipts approved since the previous issued
    bulletin, each with its unit, what changed (before → after), reason and date; `number`
    is the section's, after those above it."""
    doc.heading(f"{number}、更正说明")
    corrections = content.get("corrections") or []
    if not corrections:
        doc.para("自上期通报以来，无到位资金更正。")
        return
    doc.para("自上期通报以来，经督查室审核，以下到位资金记录已更正，本期数据按更正后的记录统计：")
    doc.table(
        ["单位", "更正内容", "原记录 → 更正后", "理由", "审核日期"],
        [
            [
                c["unit"],
                f"{c['kind']}（{c['receipt']}）",
                "；".join(f"{x['field']}：{x['before']} → {x['after']}" for x in c["changes"]),
                c["reason"],
                c["decided_on"],
            ]
            for c in corrections
        ],
        [26, 36, 50, 30, 22],
    )


# --- the dispatch briefing ------------------------------------------------------------------


@xml_safe_arguments
def render_briefing_docx(briefing: dict) -> bytes:
    """A dispatch round compiled for the meeting: who answered, each unit's figures (as Luoshi
    knows them) and answers, and who has not answered."""
    doc = GovDocument()
    doc.title(briefing["title"])
    doc.subtitle(f"（调度会{briefing['meeting_on']}召开，报送截止{briefing['due_on']}）")
    doc.para(
        f"本轮调度共{briefing['total']}个单位，已报送{briefing['answered']}个，"
        f"未报送{briefing['total'] - briefing['answered']}个。各单位资金数据由系统按"
        f"{briefing['as_of']}的台账自动填入，无需重复报送。"
    )
    doc.heading("一、各单位报送情况")
    for index, unit in enumerate(briefing["units"], start=1):
        doc.heading(f"（{index}）{unit['name']}")
        known = unit["known"]
        if known:
            doc.para(
                f"年度任务{known.get('target', '—')}，累计到位{known.get('secured', '—')}，"
                f"完成率{known.get('rate', '—')}，{known.get('status', '')}；"
                f"牵头事项{known.get('items', 0)}项，其中逾期{known.get('overdue', 0)}项。"
            )
        for answer in unit["answers"]:
            doc.para(f"{answer['question']}：{answer['answer']}")
        if unit.get("report"):
            doc.para(f"其他事项：{unit['report']}")
    doc.heading("二、未报送单位")
    if briefing["missing"]:
        doc.table(
            ["单位", "催报次数", "最近催报"],
            [[m["name"], m["urge_count"], m["urged_at"] or "—"] for m in briefing["missing"]],
            [70, 30, 56],
        )
    else:
        doc.para("全部单位已报送。")
    doc.signature("督查室", briefing["compiled_on"])
    return doc.bytes()


# --- PDF ----------------------------------------------------------------------------------


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _kill_group(process: subprocess.Popen) -> None:
    """End the process group a LibreOffice conversion runs in (a no-op once it has exited)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def docx_to_pdf(docx: bytes, *, timeout: int = 600) -> bytes:
    """Render a .docx to PDF with LibreOffice headless (a private profile per call, so calls
    at the same time never share one; fonts mapped by `fonts.conf`)."""
    binary = soffice()
    if binary is None:
        raise RenderError(
            "未安装LibreOffice，无法生成PDF（Debian：apt-get install libreoffice-writer-nogui）。"
        )
    with tempfile.TemporaryDirectory(prefix="luoshi-pdf-") as folder:
        work = Path(folder)
        source = work / "document.docx"
        source.write_bytes(docx)
        profile = work / f"profile-{uuid.uuid4().hex}"
        env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF), "HOME": folder}
        command = [
            binary,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work),
            str(source),
        ]
        # soffice starts soffice.bin under it: in a session of its own, so that on a timeout
        # (or the job being stopped) the whole group goes, never a LibreOffice left running
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        # (and if this process is killed, a job worker's SIGKILL, the guard kills the group)
        try:
            with group_dies_with_us(process):
                _out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RenderError("生成PDF超时，请稍后重试。") from None
        finally:
            _kill_group(process)
        if process.returncode != 0:
            detail = (err or b"").decode(errors="replace")[-300:]
            raise RenderError(f"LibreOffice生成PDF失败：{detail}")
        pdf = work / "document.pdf"
        if not pdf.exists():
            raise RenderError("LibreOffice未生成PDF文件。")
        return pdf.read_bytes()
