"""The bulletin of a province: above `GROUPED_ABOVE` task departments it is grouped as the
cockpit's league is (`dashboard/league.py`), so that it stays a document people read.

A city's 17 task departments are listed whole, each with its bar in the chart. A province's
3,000 are not: the body gives each county's (县/区) totals and its units by class, the best
and the last ten, and a chart of how many units fall in each band of completion rate (its size
does not depend on the number of units); every unit is listed in a compact annex table, without
a chart. `bulletin.bulletin_content` adds the `province` part to the content (frozen with an
issued bulletin); `documents.render_bulletin_docx` and the preview page read it.
"""

from fractions import Fraction
from xml.sax.saxutils import escape

from docx.enum.section import WD_SECTION
from docx.oxml import parse_xml
from docx.shared import Mm

from common.money import format_wan
from common.percent import as_fraction, progress_text, rate_text
from org.models import Unit

from .charts import CLASS_COLOURS, _font, png_bytes, title_and_legend

# the cockpit's `league.SMALL`: a league this size or smaller is shown whole
GROUPED_ABOVE = 40
TOP = 10
CLASS_KEYS = ("completed", "ahead", "behind", "none")
NO_COUNTY = "未归属县（区）"
BANDS = 11  # 0–10 %, …, 90–100 %, 100 % and above (no target counts as done)
# the lists a province's bulletin prints at most (a province has thousands of overdue items)
LISTED = {"overdue_items": 20, "lag_measures": 20, "doubtful_claims": 20}


def _percent(secured: int, target: int) -> str:
    return rate_text(Fraction(secured, target) if target > 0 else None)


def province_part(figures, rows: list[dict]) -> dict | None:
    """The grouped view of a big league (None for a league shown whole). Adds each row's
    county to `rows` (the annex lists it)."""
    if len(rows) <= GROUPED_ABOVE:
        return None
    by_id = {u.code: u for u in figures.units}
    county_of = dict(
        Unit.objects.filter(pk__in=[u.unit_id for u in figures.units]).values_list(
            "code", "parent__name"
        )
    )
    groups: dict[str, dict] = {}
    for row in rows:
        county = county_of.get(row["code"]) or NO_COUNTY
        row["county"] = county
        unit = by_id[row["code"]]
        group = groups.setdefault(
            county,
            {"name": county, "units": 0, "target": 0, "secured": 0}
            | {key: 0 for key in CLASS_KEYS},
        )
        group["units"] += 1
        group["target"] += unit.target
        group["secured"] += unit.secured
        group[row["status"]] += 1

    def rate_order(group: dict):
        rate = Fraction(group["secured"], group["target"]) if group["target"] > 0 else None
        return (rate is None, -(rate or 0), group["name"])

    ordered = sorted(groups.values(), key=rate_order)
    return {
        "groups": [
            {
                "name": g["name"],
                "units": g["units"],
                "target_wan": format_wan(g["target"]),
                "secured_wan": format_wan(g["secured"]),
                "rate_text": _percent(g["secured"], g["target"]),
                **{key: g[key] for key in CLASS_KEYS},
            }
            for g in ordered
        ],
        "top": rows[:TOP],
        "bottom": rows[-TOP:],
        "bands": bands(rows),
    }


def bound_lists(content: dict) -> None:
    """Keep the first `LISTED` lines of each long list of a province's bulletin (overdue items
    come longest overdue first), and how many there were: what the document prints is what
    an issued bulletin freezes."""
    totals = {}
    for key, limit in LISTED.items():
        totals[key] = len(content[key])
        content[key] = content[key][:limit]
    content["province"]["totals"] = totals


def trimmed_note(doc, content: dict, key: str) -> None:
    """The sentence before a list a province's bulletin shortened: how many, how many shown."""
    province = content.get("province")
    if not province or province["totals"][key] <= len(content[key]):
        return
    total, shown = province["totals"][key], len(content[key])
    text = {
        "overdue_items": f"截至通报日，逾期工作事项共{total}项，以下为逾期时间最长的{shown}项"
        "（全部事项见系统“上级政策”清单）：",
        "lag_measures": f"共{total}个滞后单位报送了原因分析及整改措施，以下列出{shown}个：",
        "doubtful_claims": f"共{total}个文号由多个单位重复申报，以下列出{shown}个：",
    }[key]
    doc.para(text)


def bands(rows: list[dict]) -> list[dict]:
    """How many units of each class fall in each band of 10 % of completion rate."""
    out = [{key: 0 for key in CLASS_KEYS} for _ in range(BANDS)]
    for row in rows:
        # the exact percent (the rate is a decimal text), so no binary float moves a unit
        # across a band's edge
        rate = Fraction(row["rate"]) * 100 if row["rate"] is not None else Fraction(100)
        band = min(BANDS - 1, max(0, int(rate // 10)))
        out[band][row["status"]] = out[band].get(row["status"], 0) + 1
    return out


def band_label(index: int) -> str:
    return "≥100%" if index == BANDS - 1 else f"{index * 10}–{index * 10 + 10}%"


def distribution_chart(province: dict, time_progress_percent: float, title: str) -> bytes:
    """Stacked vertical bars: how many task departments fall in each band of completion rate,
    coloured by class, with the time-progress line. A fixed size whatever the units. PNG."""
    from PIL import Image, ImageDraw

    scale = 2
    width, height = 900 * scale, 380 * scale
    left, right, top, bottom = 70 * scale, 30 * scale, 84 * scale, 46 * scale
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    small = _font(12 * scale)
    title_and_legend(draw, width, title, small, scale)
    counts = province["bands"]
    peak = max([sum(b.values()) for b in counts] + [1])
    plot_h, plot_w = height - top - bottom, width - left - right
    slot = plot_w / BANDS
    base = height - bottom
    draw.line([(left, base), (width - right, base)], fill="#888", width=scale)
    for index, band in enumerate(counts):
        cx = left + slot * index + slot / 2
        draw.text((cx, base + 6 * scale), band_label(index), fill="#555", font=small, anchor="mt")
        y = base
        for key in CLASS_KEYS:
            h = int(plot_h * band.get(key, 0) / peak)
            if h:
                draw.rectangle(
                    [cx - slot * 0.36, y - h, cx + slot * 0.36, y], fill=CLASS_COLOURS[key]
                )
            y -= h
        draw.text(
            (cx, y - 4 * scale), f"{sum(band.values()):,}", fill="#333", font=small, anchor="mb"
        )
    # time progress sits inside its band, in proportion
    x = left + int(plot_w * min(time_progress_percent, 110) / 110)
    draw.line([(x, top - 6 * scale), (x, base)], fill=(200, 0, 0), width=2 * scale)
    draw.text(
        (x, top - 8 * scale),
        f"时间进度 {progress_text(as_fraction(time_progress_percent) / 100)}",
        fill=(200, 0, 0),
        font=small,
        anchor="mb",
    )
    draw.text((left - 8 * scale, top), "单位数", fill="#555", font=small, anchor="rt")
    return png_bytes(image)


def time_progress_percent(content: dict) -> float:
    text = content["time_progress"]
    return float(text.rstrip("%")) if text != "—" else 0.0


# --- the document -------------------------------------------------------------------------

LEAGUE_HEADERS = ["名次", "任务部门", "年度任务", "累计到位", "完成率", "类别"]
LEAGUE_WIDTHS = [15, 49, 24, 24, 17, 27]  # ranks of four digits


def _league_rows(rows: list[dict]) -> list[list]:
    return [
        [r["rank"], r["name"], r["target_wan"], r["secured_wan"], r["rate_text"], r["status_text"]]
        for r in rows
    ]


def league_section(doc, content: dict) -> None:
    """Section 一 of a province's bulletin: counties, the best and last ten, the distribution."""
    province = content["province"]
    total = len(content["league"])
    doc.para(
        f"{total}个任务部门分属{len(province['groups'])}个县（区），"
        "各县（区）按完成率排列如下（金额单位：万元）："
    )
    compact_table(
        doc,
        COUNTY_HEADERS,
        [
            [
                g["name"],
                g["units"],
                g["target_wan"],
                g["secured_wan"],
                g["rate_text"],
                g["completed"],
                g["ahead"],
                g["behind"],
                g["none"],
            ]
            for g in province["groups"]
        ],
        COUNTY_WIDTHS_MM,
        numeric=(1, 2, 3, 4, 5, 6, 7, 8),
        size_pt=9,
        line_pt=12,
    )
    doc.para(f"完成率前{len(province['top'])}名：")
    doc.table(LEAGUE_HEADERS, _league_rows(province["top"]), LEAGUE_WIDTHS, numeric=(2, 3, 4))
    doc.para(f"完成率后{len(province['bottom'])}名：")
    doc.table(LEAGUE_HEADERS, _league_rows(province["bottom"]), LEAGUE_WIDTHS, numeric=(2, 3, 4))
    doc.picture(
        distribution_chart(
            province, time_progress_percent(content), "各任务部门完成率分布与时间进度"
        )
    )
    doc.para("图1  各任务部门完成率分布（红线为时间进度）", indent=False, size=12)
    doc.para("各任务部门完成情况见附表。")


def classes_text(content: dict, key: str) -> str:
    """The units of a class, or for a province where to find them (the annex)."""
    names = content["classes"][key]
    if content.get("province"):
        return "名单见附表" if names else "无"
    return "、".join(names) if names else "无"


# A compact table written as XML in one go: python-docx builds 3,000 rows × 7 cells one
# object at a time in tens of seconds; a string of the same XML is parsed in well under one.
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_TWIPS_PER_MM = 1440 / 25.4
ANNEX_HEADERS = ["名次", "任务部门", "所属县（区）", "年度任务", "累计到位", "完成率", "类别"]
ANNEX_WIDTHS_MM = [12, 58, 28, 22, 22, 14, 20]
COUNTY_HEADERS = ["县（区）", "单位数", "年度任务", "累计到位", "完成率", "完成", "超进度"]
COUNTY_HEADERS += ["低于进度", "无实绩"]
COUNTY_WIDTHS_MM = [28, 13, 24, 24, 14, 11, 13, 16, 13]


def _cell(text, width: int, *, right: bool, font: str, half_points: int, line: int) -> str:
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
        f'<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="{line}" w:lineRule="exact"/>'
        f'<w:ind w:firstLine="0"/><w:jc w:val="{"right" if right else "center"}"/></w:pPr>'
        f'<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" '
        f'w:eastAsia="{font}"/><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
        f'</w:rPr><w:t xml:space="preserve">{escape(str(text))}</w:t></w:r></w:p></w:tc>'
    )


def compact_table_xml(
    headers: list[str],
    rows: list[list],
    widths_mm: list[float],
    *,
    numeric=(),
    size_pt: float = 8,
    line_pt: float = 10,
) -> str:
    """A `w:tbl` in the body's table style: header row repeated on every page, fixed widths,
    no cell padding above and below, `size_pt` text on exact `line_pt` lines."""
    widths = [round(mm * _TWIPS_PER_MM) for mm in widths_mm]
    style = {"half_points": round(size_pt * 2), "line": round(line_pt * 20)}
    parts = [
        f'<w:tbl {_W}><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        '<w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="57" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr><w:tblGrid>",
        "".join(f'<w:gridCol w:w="{w}"/>' for w in widths),
        '</w:tblGrid><w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>',
        *(
            _cell(h, w, right=False, font="黑体", **style)
            for h, w in zip(headers, widths, strict=True)
        ),
        "</w:tr>",
    ]
    for values in rows:
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        parts.extend(
            _cell(v, w, right=i in numeric, font="仿宋", **style)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def compact_table(doc, headers, rows, widths_mm, **options) -> None:
    """Append a compact table (and an empty paragraph after it, as `GovDocument.table` does)."""
    body = doc.document.element.body
    # before the final section properties, which must stay the body's last child
    body.insert(len(body) - 1, parse_xml(compact_table_xml(headers, rows, widths_mm, **options)))
    doc.document.add_paragraph()


def annex(doc, content: dict) -> None:
    """附表: every task department in rank order, on pages of their own with narrower margins
    and a small font (3,000 units in about 40 pages)."""
    section = doc.document.add_section(WD_SECTION.NEW_PAGE)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    section.footer_distance = Mm(8)
    doc.heading("附表：各任务部门完成情况（金额单位：万元）")
    compact_table(
        doc,
        ANNEX_HEADERS,
        [
            [
                r["rank"],
                r["name"],
                r.get("county", ""),
                r["target_wan"],
                r["secured_wan"],
                r["rate_text"],
                r["status_text"],
            ]
            for r in content["league"]
        ],
        ANNEX_WIDTHS_MM,
        numeric=(3, 4, 5),
        line_pt=9.5,
    )


def assessment_units(content: dict) -> list[dict]:
    """The assessment's lines a bulletin prints: all of a city's; a province's best and last
    ten (the whole ranking is the assessment's Excel export)."""
    units = content["assessment"]["units"]
    if not content.get("province") or len(units) <= 2 * TOP:
        return units
    return units[:TOP] + units[-TOP:]
