"""Deadlines as documents write them: 2025年6月底前, 三季度末, 上半年, 年底前, 长期坚持…

`find_deadlines` returns every dated phrase of a text in order, each with the clause it ends
(the milestone's title); `is_ongoing` says the text asks for continuing work (no deadline).
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_DIGITS.update({"十": 10, "十一": 11, "十二": 12, "1": 1, "2": 2, "3": 3, "4": 4})

ONGOING = re.compile(r"长期坚持|持续推进|长期推进|常态化推进|持续开展|长期开展|常抓不懈")

_YEAR = r"(?:(?P<year>20\d{2})\s*年\s*(?:度\s*)?)"
_MONTH = r"(?P<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
PATTERNS = [
    # 2025年9月30日前, 9月30日
    ("day", re.compile(_YEAR + r"?" + _MONTH + r"\s*月\s*(?P<day>[0-3]?\d)\s*[日号]")),
    # 7月上旬 / 中旬 / 下旬 (the 10th, the 20th, the month's end)
    ("tenday", re.compile(_YEAR + r"?" + _MONTH + r"\s*月\s*(?P<tenday>[上中下])旬")),
    # 2025年6月底前, 6月底, 2025年6月末, 6月份, 6月内
    ("month", re.compile(_YEAR + r"?" + _MONTH + r"\s*月\s*(?:份\s*)?(?:底|末|内|份)")),
    # 11月前: before November begins
    ("before", re.compile(_YEAR + r"?" + _MONTH + r"\s*月\s*(?:以)?前")),
    # 2025年三季度末, 第三季度, 3季度
    ("quarter", re.compile(_YEAR + r"?第?(?P<quarter>[一二三四1-4])\s*季度")),
    # 上半年 / 下半年
    ("half", re.compile(_YEAR + r"?(?P<half>[上下])\s*半\s*年")),
    # 2025年年底前, 年底前, 年内, 2025年底
    ("year", re.compile(_YEAR + r"?(?:年\s*)?(?:年底|年末|年内)")),
    ("year", re.compile(r"(?P<year>20\d{2})\s*年(?:底|末)")),
    # 2025年12月 (a month named alone in a 时限 field is its end)
]


@dataclass(frozen=True)
class Deadline:
    on: dt.date
    start: int  # where the phrase starts in the text
    end: int

    def __lt__(self, other: "Deadline") -> bool:
        return self.start < other.start


def _month(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() else CN_DIGITS[value]


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _date_of(kind: str, match: re.Match, year: int) -> dt.date | None:
    year = int(match.group("year")) if match.groupdict().get("year") else year
    try:
        if kind == "day":
            return dt.date(year, _month(match.group("month")), int(match.group("day")))
        if kind == "month":
            return _month_end(year, _month(match.group("month")))
        if kind == "tenday":
            month = _month(match.group("month"))
            if match.group("tenday") == "下":
                return _month_end(year, month)
            return dt.date(year, month, 10 if match.group("tenday") == "上" else 20)
        if kind == "before":
            return dt.date(year, _month(match.group("month")), 1) - dt.timedelta(days=1)
        if kind == "quarter":
            return _month_end(year, 3 * CN_DIGITS[match.group("quarter")])
        if kind == "half":
            return dt.date(year, 6, 30) if match.group("half") == "上" else dt.date(year, 12, 31)
        return dt.date(year, 12, 31)
    except (ValueError, KeyError):  # 2月30日: not a date, not a deadline
        return None


def find_deadlines(text: str, year: int) -> list[Deadline]:
    """Every dated phrase in `text`, in order. An undated phrase takes the year of the dated
    one before it (2025年6月底前完成调查，年底前完成收储: 年底 is 2025's), else `year`.

    Phrases overlapping an earlier pattern's match are dropped (2025年6月底前 is one month
    deadline, not also a 年底)."""
    matches: list[tuple[str, re.Match]] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            if any(m.start() < match.end() and match.start() < m.end() for _k, m in matches):
                continue
            matches.append((kind, match))
    found: list[Deadline] = []
    current = year
    for kind, match in sorted(matches, key=lambda km: km[1].start()):
        if match.groupdict().get("year"):
            current = int(match.group("year"))
        on = _date_of(kind, match, current)
        if on is not None:
            found.append(Deadline(on, match.start(), match.end()))
    # a bare "2025年" counts only in a 时限 field (`field_deadline`)
    return found


def field_deadline(value: str, year: int) -> tuple[dt.date | None, bool]:
    """A 完成时限 field: (its date, whether it says ongoing work). The latest date wins."""
    if ONGOING.search(value) and not find_deadlines(value, year):
        return None, True
    dates = [d.on for d in find_deadlines(value, year)]
    if not dates:
        bare = re.search(r"(20\d{2})\s*年", value)
        if bare:
            return dt.date(int(bare.group(1)), 12, 31), False
        return None, False
    return max(dates), False


def is_ongoing(text: str) -> bool:
    return bool(ONGOING.search(text))
