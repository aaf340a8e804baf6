"""The assessment of design §8: the rules on exact numbers, and the demo recomputed
independently with fractions against `luoshi assess --format json`."""

import datetime as dt
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from supervision.assessment import Rules, bonus, funding_score, items_score, share_ranks

DEFAULT = Rules()


@pytest.mark.parametrize(
    "percent, points",
    [
        ("104", 0),
        ("100", 0),
        ("99", 0),
        ("110", 2),
        ("120", 4),
        ("135.5", 6),
        ("150", 10),
        ("250", 10),
    ],
)
def test_it_gives_two_points_per_full_ten_points_above_100_capped_at_10(percent, points):
    assert bonus(Fraction(percent) / 100, DEFAULT) == Decimal(points)


def test_it_scores_funding_on_the_exact_rate_rounded_half_up():
    # 70 × 1/8 = 8.75 exactly; 70 × 1/3 = 23.333… → 23.33; 70 × 0.5 / 1000 = 0.035 → 0.04
    assert funding_score(Fraction(1, 8), DEFAULT) == Decimal("8.75")
    assert funding_score(Fraction(1, 3), DEFAULT) == Decimal("23.33")
    assert funding_score(Fraction(1, 2000), DEFAULT) == Decimal("0.04")
    assert funding_score(Fraction(3, 2), DEFAULT) == Decimal("70.00")


def test_a_unit_with_no_led_item_due_gets_the_full_items_score():
    assert items_score(0, 0, DEFAULT) == Decimal("30.00")
    assert items_score(1, 3, DEFAULT) == Decimal("10.00")
    assert items_score(2, 3, DEFAULT) == Decimal("20.00")


def test_ties_share_a_rank():
    assert share_ranks([Decimal(5), Decimal(9), Decimal(5), Decimal(1)]) == [2, 1, 2, 4]


@given(st.fractions(min_value=0, max_value=5))
def test_the_funding_score_never_exceeds_its_weight_and_the_bonus_its_cap(rate):
    assert Decimal(0) <= funding_score(rate, DEFAULT) <= Decimal(70)
    assert Decimal(0) <= bonus(rate, DEFAULT) <= Decimal(10)


def cents(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def independent_scores(as_of: dt.date, rules: str = "default-1") -> dict[str, tuple]:
    """§8 recomputed from the raw rows, without the application's figures or rules:
    per unit code (funding, bonus, items, total, (on time, late, due), secured, rate)."""
    from funding.models import Receipt, Target
    from policy.models import Assignment

    days = (dt.date(as_of.year, 12, 31) - dt.date(as_of.year, 1, 1)).days + 1
    progress = Fraction(as_of.timetuple().tm_yday, days)  # the demo reports by day
    totals = {}
    for target in Target.objects.filter(year=as_of.year).select_related("unit"):
        # the target in force on the as-of date: the latest revision effective by then
        amount = target.amount
        revisions = list(target.revisions.order_by("effective_on", "pk"))
        if revisions:
            amount = revisions[0].old_amount
            for revision in revisions:
                if revision.effective_on <= as_of:
                    amount = revision.new_amount
        secured = sum(
            r.amount
            for r in Receipt.objects.filter(
                unit=target.unit, received_on__year=as_of.year, received_on__lte=as_of
            )
        )
        rate = Fraction(secured, amount)
        if rules == "default-1":
            funding = cents(70 * min(rate, Fraction(1)))
        else:
            funding = cents(70 * min(rate / progress, Fraction(1)))
        steps = int((rate - 1) * 100 // 10) if rate > 1 else 0
        reward = cents(min(Fraction(2 * steps), Fraction(10)))
        due = on_time = late = 0
        for assignment in Assignment.objects.filter(unit=target.unit, role="lead"):
            item = assignment.work_item
            if item.due_on <= as_of:
                due += 1
                if item.done_on is not None and item.done_on <= item.due_on:
                    on_time += 1
                elif item.done_on is not None and item.done_on <= as_of:
                    late += 1
        if rules == "default-1":
            items = cents(Fraction(30)) if due == 0 else cents(Fraction(30 * on_time, due))
        elif due == 0:
            items = cents(Fraction(funding) * 30 / 70)
        else:
            items = cents((30 * on_time + 15 * late) / Fraction(due))
        totals[target.unit.code] = (
            funding,
            reward,
            items,
            funding + reward + items,
            (on_time, late, due),
            secured,
            rate,
        )
    return totals


def _assess(as_of: str, fmt: str = "json", **options):
    out = StringIO()
    call_command("assess", year=2024, as_of=as_of, format=fmt, stdout=out, **options)
    return json.loads(out.getvalue()) if fmt == "json" else out.getvalue()


#: the JSON contract of the second round, which `default-1` keeps exactly
DEFAULT_1_UNIT_KEYS = {
    "code",
    "name",
    "completion_rate",
    "funding_score",
    "bonus",
    "items_score",
    "total",
    "rank",
    "calculation",
}


@pytest.mark.parametrize("as_of", ["2024-06-30", "2024-12-31"])
def test_default_1_gives_exactly_what_it_gave_before_default_2(demo, as_of):
    """`--rules default-1` still answers §8's first rules, in the same shape, to the cent."""
    result = _assess(as_of, rules="default-1")
    assert set(result) == {"year", "as_of", "rules_version", "units"}
    assert result["rules_version"] == "default-1"
    assert result["year"] == 2024 and result["as_of"] == as_of
    expected = independent_scores(dt.date.fromisoformat(as_of), "default-1")
    assert {u["code"] for u in result["units"]} == set(expected) and len(expected) == 17
    for unit in result["units"]:
        assert set(unit) == DEFAULT_1_UNIT_KEYS, unit["code"]
        funding, reward, items, total, (on_time, _late, due), _secured, rate = expected[
            unit["code"]
        ]
        assert Decimal(str(unit["completion_rate"])) == cents(rate * 100) / 100, unit["code"]
        assert Decimal(str(unit["funding_score"])) == funding, unit["code"]
        assert Decimal(str(unit["bonus"])) == reward, unit["code"]
        assert Decimal(str(unit["items_score"])) == items, unit["code"]
        assert Decimal(str(unit["total"])) == total, unit["code"]
        assert unit["calculation"][-1] == f"总分 = {funding} + {reward} + {items} = {total}分"
        assert unit["calculation"][1].startswith("资金得分 = 70.00 × min(完成率, 100%) = ")
        if due == 0:  # default-1's full item points for nothing due
            assert "得满分30.00分" in unit["calculation"][3]
        else:
            assert f"按期完成的牵头事项{on_time}项" in unit["calculation"][3]
    totals = [expected[u["code"]][3] for u in result["units"]]
    assert totals == sorted(totals, reverse=True)
    ranks = [u["rank"] for u in result["units"]]
    assert ranks == share_ranks(totals)
    codes = [u["code"] for u in result["units"]]
    assert codes == sorted(codes, key=lambda c: (ranks[codes.index(c)], c))
    # FGW is at 105% in June: no bonus yet, told so in words
    fgw = next(u for u in result["units"] if u["code"] == "FGW")
    assert any("不满10个百分点" in line for line in fgw["calculation"]) or as_of != "2024-06-30"
    # the text table says the same
    text = _assess(as_of, "text", rules="default-1")
    assert "规则版本 default-1）" in text.splitlines()[0]
    for unit in result["units"]:
        funding, reward, items, total = expected[unit["code"]][:4]
        row = next(line.split() for line in text.splitlines()[2:19] if f" {unit['code']} " in line)
        assert row[0] == str(unit["rank"]) and row[3:] == [
            str(funding),
            str(reward),
            str(items),
            str(total),
        ]


def test_a_copied_version_changes_the_scores_and_names_itself(demo, cast):
    from supervision import services
    from supervision.models import AssessmentRules

    source = AssessmentRules.objects.get(code="default-1")
    copy = services.copy_rules(
        user=cast["office"], source=source, code="2024-b", name="", year=2024
    )
    services.edit_rules(
        user=cast["office"],
        rules=copy,
        values={
            "funding_weight": Decimal(80),
            "items_weight": Decimal(20),
            "bonus_step_percent": 5,
            "bonus_per_step": Decimal(1),
            "bonus_cap": Decimal(4),
        },
        expected_version=copy.version,
    )
    out = StringIO()
    call_command("assess", year=2024, as_of="2024-06-30", format="json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["rules_version"] == "2024-b"  # the year's own version is chosen
    fgw = next(u for u in result["units"] if u["code"] == "FGW")
    assert fgw["funding_score"] == 80 and fgw["bonus"] == 1  # 105%: one full 5-point step
    # default-1 cannot be edited
    with pytest.raises(Exception, match="locked|锁定"):
        services.edit_rules(
            user=cast["office"],
            rules=source,
            values={f: getattr(source, f) for f in services.RULE_FIELDS},
            expected_version=source.version,
        )


def test_the_excel_export_carries_the_version_on_every_row(demo, client, cast):
    import openpyxl

    client.force_login(cast["leader"])
    response = client.get("/supervision/assessment/export.xlsx?year=2024&as_of=2024-06-30")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 17
    assert {row[8] for row in rows} == {"default-2"}  # the default for every year
    assert all("总分" in row[9] for row in rows)


def test_the_page_shows_each_units_worked_calculation(demo, client, cast):
    client.force_login(cast["office"])
    page = client.get("/supervision/assessment/?year=2024&as_of=2024-06-30").content.decode()
    assert page.count('class="calc"') == 17
    assert "资金得分 = 70.00 × min(完成率 ÷ 时间进度, 100%)" in page  # default-2
    old = client.get("/supervision/assessment/?year=2024&as_of=2024-06-30&rules=default-1")
    assert "资金得分 = 70.00 × min(完成率, 100%)" in old.content.decode()
    bad = client.get("/supervision/assessment/?year=2024&as_of=2024-06-30&rules=nope")
    assert bad.status_code == 200 and "没有规则版本" in bad.content.decode()
