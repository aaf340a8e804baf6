"""The bulletin of a province (issue 21): above 40 task departments it is grouped by county,
its charts keep their size whatever the number of units, and every unit is in the annex.
Real .docx files opened by python-docx, a real PDF rendered by LibreOffice."""

import datetime as dt
import io
import time
import zipfile

import pytest
from docx import Document
from PIL import Image

from org.period import ReportingPeriod
from supervision.bulletin import CLASS_NAMES, bulletin_content
from supervision.documents import render_bulletin_docx
from supervision.province import GROUPED_ABOVE, bands

PERIOD = ReportingPeriod(2024, dt.date(2024, 6, 30), "day")


def images(data: bytes) -> list[tuple[int, int, int]]:
    """(width, height, bytes) of every picture in a .docx."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.filename.startswith("word/media/"):
                image = Image.open(io.BytesIO(archive.read(info)))
                out.append((*image.size, info.file_size))
    return out


def annex_rows(document) -> list[list[str]]:
    table = next(t for t in document.tables if t.rows[0].cells[2].text == "所属县（区）")
    return [[c.text for c in row.cells] for row in table.rows[1:]]


@pytest.fixture
def province(demo):
    """The demo with 90 synthetic units in three counties on top: 107 task departments."""
    from demo.synth import synthesise

    synthesise(units=90, receipts=900)


def test_the_city_bulletin_is_not_grouped(demo):
    content = bulletin_content(PERIOD)
    assert len(content["league"]) == 17 <= GROUPED_ABOVE
    assert "province" not in content  # the stored figures of a city's bulletin as before


def test_a_province_bulletin_is_grouped_by_county_with_every_unit_in_the_annex(province):
    content = bulletin_content(PERIOD)
    league = content["league"]
    assert len(league) == 107
    part = content["province"]
    groups = {g["name"]: g for g in part["groups"]}
    # three counties of 30 and the demo's city departments, which have no county
    assert len(groups) == 4 and groups["未归属县（区）"]["units"] == 17
    assert sum(g["units"] for g in groups.values()) == 107
    for group in groups.values():
        assert sum(group[k] for k in CLASS_NAMES) == group["units"]
    assert sum(sum(b.values()) for b in part["bands"]) == 107
    assert part["top"] == league[:10] and part["bottom"] == league[-10:]

    data = render_bulletin_docx(content)
    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    county_table = next(t for t in document.tables if t.rows[0].cells[1].text == "单位数")
    assert len(county_table.rows) == 1 + 4
    # the best and the last ten, and no 107-line league in the body
    tops = [
        t
        for t in document.tables
        if [c.text for c in t.rows[0].cells][:3] == ["名次", "任务部门", "年度任务"]
    ]
    assert [len(t.rows) - 1 for t in tops] == [10, 10]
    assert tops[0].rows[1].cells[1].text == league[0]["name"]
    classes = [t for t in texts if t[:3] in ("（一）", "（二）", "（三）", "（四）")]
    assert len(classes) == 4
    for text, key in zip(classes, CLASS_NAMES, strict=True):
        count = len(content["classes"][key])
        assert text.endswith("名单见附表。" if count else "无。") and f"的{count}家" in text
    rows = annex_rows(document)
    assert [r[1] for r in rows] == [r["name"] for r in league]
    assert rows[0][0] == str(league[0]["rank"]) and rows[-1][5] == league[-1]["rate_text"]
    assert {r[2] for r in rows} == set(groups)
    # one bounded chart of bands instead of a bar per unit, and the months
    assert len(images(data)) == 2
    assert all(h <= 800 for _w, h, _size in images(data))


def test_the_preview_of_a_province_shows_counties_not_every_unit(province, client, cast):
    client.force_login(cast["office"])
    response = client.get("/supervision/bulletins/preview/?year=2024&as_of=2024-06-30")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="groups"' in html and 'id="league-top"' in html and 'id="league-bottom"' in html
    assert 'id="league"' not in html
    assert "见文件附表" in html
    assert html.count("<tr>") < 80  # 4 counties, 2 × 10 units, the annexes' few lines


def test_a_province_sized_docx_is_small_and_its_charts_keep_their_size():
    """3,000 task departments (the content a province's figures give, built here without a
    database): the document stays a few hundred KB and is written in seconds."""
    statuses = ["completed", "ahead", "behind", "none"]
    league = []
    for i in range(3000):
        status = statuses[i * 4 // 3000]
        rate = max(0, 120 - i * 120 // 3000)
        league.append(
            {
                "rank": i + 1,
                "code": f"SY{i // 30:03d}-{i % 30:02d}",
                "name": f"东城{i // 30}县发展和改革委员会",
                "county": f"东城{i // 30}县",
                "target_wan": "1,000",
                "secured_wan": f"{rate * 10:,}",
                "rate": f"{rate / 100:.4f}" if status != "none" else "0",
                "rate_text": f"{rate}%",
                "status": status,
                "status_text": CLASS_NAMES[status],
            }
        )
    groups = [
        {
            "name": f"东城{c}县",
            "units": 30,
            "target_wan": "30,000",
            "secured_wan": "15,000",
            "rate_text": "50%",
            **{k: 30 if k == statuses[c * 4 // 100] else 0 for k in statuses},
        }
        for c in range(100)
    ]
    content = {
        "year": 2024,
        "date_text": "2024年6月30日",
        "time_progress": "49.7%",
        "sentence": "截至2024年6月30日……",
        "secured_text": "1亿元",
        "target_text": "2亿元",
        "rate_text": "50%",
        "league": league,
        "classes": {s: [r["name"] for r in league if r["status"] == s] for s in statuses},
        "class_names": CLASS_NAMES,
        "overdue_items": [],
        "lag_measures": [],
        "doubtful_claims": [],
        "monthly_wan": [1.0] * 6,
        "assessment": None,
        "success_rates": None,
        "province": {
            "groups": groups,
            "top": league[:10],
            "bottom": league[-10:],
            "bands": bands(league),
            "totals": {"overdue_items": 0, "lag_measures": 0, "doubtful_claims": 0},
        },
    }
    started = time.perf_counter()
    data = render_bulletin_docx(content)
    took = time.perf_counter() - started
    assert len(data) < 3_000_000
    assert took < 30  # about 2 s on a quiet machine; generous for a shared one
    assert len(annex_rows(Document(io.BytesIO(data)))) == 3000
    assert all(w <= 1800 and h <= 800 for w, h, _size in images(data))
