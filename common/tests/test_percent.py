"""The one percent formatter (design §10): exact half-up rounding, one module behind every
page, document and command that shows a percent."""

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from common import percent
from common.templatetags.luoshi import percent as percent_filter
from common.templatetags.luoshi import percent1

ratios = st.fractions(min_value=0, max_value=10, max_denominator=10**6)


def test_time_progress_and_rates_read_as_the_speech_says():
    assert percent.progress_text(Fraction(182, 366)) == "49.7%"
    assert percent.rate_text(Fraction(107, 210)) == "51%"
    assert percent.format_percent(Fraction(5577, 10000), 2) == "55.77%"
    assert percent.rate_text(None) == percent.progress_text(None) == "—"
    assert percent.whole_percent(Fraction(1, 2)) == 50 and percent.whole_percent(None) is None


def test_halves_round_up_on_the_exact_value_not_on_a_float():
    # 1/80 = 1.25%: a float formatted with .1f says 1.2% (half to even on binary)
    assert percent1(Fraction(1, 80)) == "1.3%"
    assert percent.progress_text(Fraction(1, 80)) == "1.3%"
    assert percent_filter(0.505) == "51%"  # the float as it prints, not 0.50499…
    assert percent.half_up(Fraction(1, 2000), 2) == Decimal("0.00")
    assert percent.half_up(Fraction(1, 200), 2) == Decimal("0.01")
    assert percent.chart_percent(Fraction(1, 80)) == 1.3


@given(ratios)
def test_the_filters_are_the_formatter(ratio):
    assert percent_filter(ratio) == percent.rate_text(ratio) == f"{percent.whole_percent(ratio)}%"
    assert percent1(ratio) == percent.progress_text(ratio)
    value = percent.percent_value(ratio, 1)
    assert abs(Fraction(value) - ratio * 100) <= Fraction(1, 20)


def test_the_old_copies_are_gone():
    """`funding.rules` and the assessment keep their names, but not their own arithmetic."""
    from funding import rules as figures
    from supervision import assessment, bulletin

    assert figures.whole_percent is percent.whole_percent
    assert figures.ratio_decimal is percent.ratio_decimal
    assert assessment.half_up is percent.half_up
    assert bulletin.percent_text(Fraction(1, 2)) == percent.rate_text(Fraction(1, 2))


def test_the_lag_list_says_the_cockpits_time_progress(demo, client, cast):
    """The lag list said 50% where the cockpit says 49.7% (2024-06-30)."""
    import datetime as dt

    from org.period import ReportingPeriod
    from supervision.lag.services import lagging_units

    grounds = [
        g
        for lines in lagging_units(ReportingPeriod(2024, dt.date(2024, 6, 30))).values()
        for g in lines
    ]
    behind = [g for g in grounds if "低于时间进度" in g]
    assert behind and all(g.endswith("低于时间进度49.7%。") for g in behind)
    client.force_login(cast["office"])
    cockpit = client.get("/cockpit/?year=2024&as_of=2024-06-30").content.decode()
    assert 'data-figure="time_progress">49.7%<' in cockpit
    lag = client.get("/supervision/lag/").content.decode()
    assert "低于时间进度49.7%" in lag and "时间进度50%" not in lag


#: ad-hoc percent arithmetic: a float scaled by 100, an f-string rounding to a percent,
#: Python's `round` of a scaled ratio (half to even, on a float), or its own half-up rounding
AD_HOC = re.compile(
    r"float\([^()]*(\([^()]*\))?[^()]*\)\s*\*\s*100\b|:\.\d+f\}%|ROUND_HALF_UP"
    r"|round\([^()]*\*\s*100\b"
)
#: where it is allowed: the formatter itself, money (amounts, not percents), and the
#: bulletin's chart, which draws the number the formatter's text gave it
ALLOWED = {"common/percent.py", "common/money.py", "supervision/documents.py"}


def test_no_module_rounds_percents_by_itself():
    root = Path(__file__).resolve().parents[2]
    found = []
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root).as_posix()
        if relative in ALLOWED or "/tests/" in relative or relative.startswith((".", "venv")):
            continue
        if "/migrations/" in relative or ".venv" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if AD_HOC.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "use common.percent:\n" + "\n".join(found)
