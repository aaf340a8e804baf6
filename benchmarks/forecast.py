"""Year-end forecast back-test: forecast from 30 June, compare with 31 December.

    .venv/bin/python benchmarks/forecast.py [--units 40 --seed 7] [--format text|json]

Builds a throwaway SQLite database (temporary LUOSHI_DATA_DIR) through the services: for
`--units` task departments, two years of receipts with each unit's own season (some get most
of their money early, most late in the year, as transfer payments do), and projects approved
in the first half whose money arrives in the second. It then runs `reporting.forecast` as of
30 June of the second year and compares each unit's forecast with what it actually secured by
31 December: mean absolute percentage error over units, the error of the city total, and how
many actual amounts fell inside the forecast's low–high range. It does the same on the demo
(whose money after June is only what the demo records in July and August, so its "actual"
is no real year end: the figure shows the rule without a second half, not its accuracy).
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
from pathlib import Path

YEAR = 2024


def build(units: int, seed: int) -> None:
    from django.db import transaction

    from audit.context import Actor, acting_as
    from funding import services as funding
    from funding.choices import Stage
    from org import services as org

    rng = random.Random(seed)
    with acting_as(Actor(name="luoshi forecast benchmark")), transaction.atomic():
        channel = funding.save_channel(
            user=None, code="SJZX", name="省级专项资金", level="provincial"
        )
        for n in range(units):
            unit, _ = org.save_unit(
                user=None, code=f"U{n:03d}", name=f"测试单位{n:03d}", sort_order=n
            )
            size = rng.choice([300, 800, 2000, 5000, 12000])  # 万元 a year
            early = rng.uniform(0.2, 0.65)  # this unit's usual share by 30 June
            funding.set_target(user=None, unit=unit, year=YEAR, amount=int(size * 1.1) * 10_000)
            for year in (YEAR - 1, YEAR):
                total = size * rng.uniform(0.8, 1.25)
                # the season drifts a little from one year to the next
                share = min(0.95, max(0.05, early + rng.uniform(-0.08, 0.08)))
                if n % 10 == 0 and year == YEAR - 1:
                    continue  # a unit new to striving: no history of its own
                for half, amount in ((0, total * share), (1, total * (1 - share))):
                    pieces = rng.randint(2, 5)
                    for k in range(pieces):
                        month = rng.randint(1, 6) + 6 * half
                        day = dt.date(year, month, rng.randint(1, 28))
                        funding.record_receipt(
                            user=None,
                            unit=unit,
                            amount=max(1, int(amount / pieces)) * 10_000,
                            received_on=day,
                            doc_no=f"测财〔{year}〕{n:03d}{half}{k}号",
                            channel=channel,
                        )
            # an approved project whose money arrives in November
            if n % 3 == 0:
                amount = int(size * rng.uniform(0.1, 0.3)) * 10_000
                project, _ = funding.save_project(
                    user=None,
                    code=f"BT-{n:03d}",
                    name=f"测试项目{n:03d}",
                    unit=unit,
                    channel=channel,
                    requested=amount,
                    on=dt.date(YEAR, 2, 1),
                )
                for stage, on in (
                    (Stage.APPLIED, dt.date(YEAR, 3, 1)),
                    (Stage.APPROVED, dt.date(YEAR, 6, 1)),
                ):
                    funding.advance_project(user=None, project=project, to_stage=stage, on=on)
                funding.record_receipt(
                    user=None,
                    unit=unit,
                    amount=amount,
                    received_on=dt.date(YEAR, 11, 15),
                    doc_no=f"测财〔{YEAR}〕BT{n:03d}号",
                    project=project,
                )


def backtest(as_of: dt.date, until: dt.date) -> dict:
    from org.period import ReportingPeriod
    from reporting.forecast import forecasts_for
    from reporting.read_model import SYSTEM, figures_for

    # the forecast reads projects at the stage they had on `as_of` (their history)
    forecasts = forecasts_for(SYSTEM, ReportingPeriod(as_of.year, as_of))
    actual = {
        u.unit_id: u.secured for u in figures_for(SYSTEM, ReportingPeriod(until.year, until)).units
    }
    errors, inside, rows = [], 0, []
    for f in forecasts:
        real = actual.get(f.unit_id, 0)
        if real > 0:
            errors.append(abs(f.forecast - real) / real)
        inside += f.low <= real <= f.high
        rows.append(
            {"code": f.code, "forecast": f.forecast, "actual": real, "low": f.low, "high": f.high}
        )
    total_f = sum(f.forecast for f in forecasts)
    total_a = sum(actual.get(f.unit_id, 0) for f in forecasts)
    return {
        "units": len(forecasts),
        "mape": round(sum(errors) / len(errors), 4) if errors else None,
        "city_error": round((total_f - total_a) / total_a, 4) if total_a else None,
        "in_range": round(inside / len(forecasts), 4) if forecasts else None,
        "city_forecast_wan": total_f // 10_000,
        "city_actual_wan": total_a // 10_000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", choices=["text", "json"], default="text")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    results = {}
    for name in ("synthetic", "demo"):
        folder = tempfile.mkdtemp(prefix=f"luoshi-forecast-{name}-")
        os.environ["LUOSHI_DATA_DIR"] = folder
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
        import django
        from django.conf import settings

        if not settings.configured or name == "synthetic":
            django.setup()
        from django.core.management import call_command
        from django.db import connection

        if name == "demo":
            # a second database in the same process: point the connection at a new file
            connection.close()
            connection.settings_dict["NAME"] = str(Path(folder) / "luoshi.sqlite3")
        call_command("migrate", verbosity=0)
        if name == "synthetic":
            build(args.units, args.seed)
        else:
            from demo.loader import load_demo

            load_demo()
        results[name] = backtest(dt.date(YEAR, 6, 30), dt.date(YEAR, 12, 31))
    if args.format == "json":
        print(json.dumps(results, ensure_ascii=False))
        return
    for name, r in results.items():
        print(
            f"forecast back-test ({name}, {r['units']} units, 30 June → 31 December {YEAR}): "
            f"mean absolute error per unit {r['mape']:.1%}, "
            f"city total error {r['city_error']:+.1%} "
            f"({r['city_forecast_wan']}万元 forecast vs {r['city_actual_wan']}万元 actual), "
            f"actual inside the range for {r['in_range']:.0%} of units"
        )


if __name__ == "__main__":
    main()
