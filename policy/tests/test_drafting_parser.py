"""The drafting reader as pure functions (no database): layouts, deadlines, names."""

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from demo import data
from policy.drafting.dates import field_deadline, find_deadlines
from policy.drafting.names import Directory, UnitRef, derive_aliases
from policy.drafting.parser import draft_items
from policy.drafting.reading import UnreadableDocument, text_of_bytes

DOCS = Path(__file__).parent / "drafting_docs"
UNITS = [UnitRef(code, name, kind) for code, name, kind, _t, _s in data.UNITS]
LEADERS = {name: codes for name, _title, codes in data.LEADERS}
DIRECTORY = Directory.build(UNITS)


def drafts_of(name: str, year: int = 2025):
    return draft_items(text_of_bytes(name, (DOCS / name).read_bytes()), DIRECTORY, LEADERS, year)


@pytest.mark.parametrize("name", ["fengong.txt", "ruogan.txt", "jiaotong.docx", "lingdao.txt"])
def test_it_reads_each_layout_as_labelled_by_hand(name):
    expected = json.loads((DOCS / "expected.json").read_text(encoding="utf-8"))[name]
    drafts = drafts_of(name)
    assert len(drafts) == len(expected)
    for want, got in zip(expected, drafts, strict=True):
        assert want["title"] in got.title
        assert got.lead_unit == want["lead_unit"], got.title
        assert set(got.co_units) == set(want["co_units"]), got.title
        assert (got.due_on.isoformat() if got.due_on else None) == want["due_on"], got.title
        assert set(got.unresolved) == set(want.get("unresolved", [])), got.title
        if "lead_leader" in want:
            assert got.lead_leader == want["lead_leader"], got.title


def test_it_numbers_words_own_list_paragraphs():
    """The .docx's tasks carry no number in their text: Word numbers them."""
    text = text_of_bytes("jiaotong.docx", (DOCS / "jiaotong.docx").read_bytes())
    assert "1. 实施城区主干道提升改造工程" in text
    assert "6. 推进城区燃气管道老化更新改造" in text


def test_it_takes_measures_from_headings_and_steps_from_earlier_dates():
    drafts = drafts_of("lingdao.txt")
    assert drafts[0].measure == "培育壮大特色产业"
    pension = drafts[6]
    assert pension.due_on == dt.date(2025, 11, 30)
    assert pension.milestones == [(dt.date(2025, 6, 30), "完成申报")]
    assert pension.lead_leader == "陈静"  # 由分管副市长陈静牵头: a leader, not a unit


def test_a_named_but_unknown_leader_is_listed_not_replaced():
    item = drafts_of("lingdao.txt")[5]
    assert item.lead_leader is None and "孙国栋" in item.unresolved
    assert "leader_by_oversight" not in item.flags


def test_an_unnamed_leader_is_the_lead_units_overseer_and_flagged():
    item = drafts_of("ruogan.txt")[0]
    assert item.lead_unit == "ZJJ" and item.lead_leader == "李华"
    assert "leader_by_oversight" in item.flags


def test_continuing_work_has_no_deadline_and_is_flagged():
    item = drafts_of("fengong.txt")[5]
    assert item.due_on is None and "ongoing" in item.flags


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2025年6月底前", dt.date(2025, 6, 30)),
        ("三季度末", dt.date(2025, 9, 30)),
        ("上半年", dt.date(2025, 6, 30)),
        ("年底前", dt.date(2025, 12, 31)),
        ("2026年第一季度", dt.date(2026, 3, 31)),
        ("2025年9月30日前", dt.date(2025, 9, 30)),
        ("2月底前", dt.date(2025, 2, 28)),
        ("7月中旬前", dt.date(2025, 7, 20)),
        ("11月前", dt.date(2025, 10, 31)),
        ("十二月底", dt.date(2025, 12, 31)),
        ("长期坚持", None),
        ("持续推进", None),
    ],
)
def test_it_reads_deadlines_as_offices_write_them(text, due):
    assert field_deadline(text, 2025)[0] == due


def test_an_undated_phrase_takes_the_year_written_before_it():
    steps = find_deadlines("2026年6月底前完成调查，年底前完成收储", 2025)
    assert [d.on for d in steps] == [dt.date(2026, 6, 30), dt.date(2026, 12, 31)]


def test_a_day_that_does_not_exist_is_no_deadline():
    assert find_deadlines("2025年2月30日前完成", 2025) == []


def test_aliases_are_derived_from_full_names():
    assert {"市住建局", "住建局", "市住房城乡建设局"} <= derive_aliases("市住房和城乡建设局")
    assert {"市发改委", "市发展改革委"} <= derive_aliases("市发展和改革委员会")
    assert {"高新区", "高新区管委会"} <= derive_aliases("高新技术产业开发区管委会")
    assert "东城街道" in derive_aliases("东城街道办事处")


def test_a_shared_alias_resolves_to_neither_and_collectives_to_every_unit_of_the_kind():
    units = [
        UnitRef("A", "市第一交通运输局", "department"),
        UnitRef("B", "市交通运输局", "department"),
    ]
    book = Directory.build(units, extra=[("一交局", "A")])
    assert book.resolve("市交通运输局") == ["B"]  # a full name always wins
    assert book.resolve("一交局") == ["A"]  # the office's alias
    assert DIRECTORY.resolve("各街道办事处") == ["DCJD", "XCJD", "NHJD"]
    assert DIRECTORY.resolve("各乡镇（街道）") == ["CGZ", "DCJD", "XCJD", "NHJD", "BSZ"]
    assert DIRECTORY.resolve("市公安局") == []


def test_names_it_cannot_resolve_are_listed_never_guessed():
    text = (
        "一、任务\n1. 开展安全检查。牵头单位：市公安局；"
        "配合单位：市住建局、市消防救援支队；完成时限：2025年6月底前"
    )
    [item] = draft_items(text, DIRECTORY, LEADERS, 2025)
    assert item.lead_unit is None and item.co_units == ["ZJJ"]
    assert item.unresolved == ["市公安局", "市消防救援支队"]
    assert "no_lead_unit" in item.flags


def test_an_unreadable_file_is_refused():
    with pytest.raises(UnreadableDocument):
        text_of_bytes("x.docx", b"PK\x03\x04 not a zip")
    with pytest.raises(UnreadableDocument):
        text_of_bytes("x.txt", b"\xff\xfe\x00\xd8\x00")


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet="一二三、（）()1.：:牵头配合单位市住建局各街道办事处2025年6月底前长期坚持\n，。",
        max_size=300,
    )
)
def test_any_text_drafts_without_error(text):
    for item in draft_items(text, DIRECTORY, LEADERS, 2025):
        assert item.lead_unit is None or item.lead_unit in {u.code for u in UNITS}
        assert item.lead_unit not in item.co_units
        assert item.due_on is None or dt.date(2000, 1, 1) <= item.due_on <= dt.date(2100, 12, 31)
