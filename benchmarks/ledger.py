"""Ledger import/export benchmark: prints figures, asserts nothing.

    .venv/bin/python benchmarks/ledger.py [--rows 100000 --units 3000] [--postgres | --into DIR]

Sets up a throwaway SQLite database in a temporary LUOSHI_DATA_DIR (with --postgres: a
throwaway PostgreSQL server started by scripts/pg.sh on $PG_PORT, stopped at the end; with
--into DIR: a copy of the SQLite database and keys of the data directory DIR, such as one
`luoshi synth` filled, so that the import meets a million receipts), migrates it, writes a
workbook with `--rows` receipts over `--units` units, then measures: python-calamine merely
reading the file, the pandas peer (read_excel + to_sql into SQLite, no validation, no audit),
the import (wall and CPU time) and its ratio to the peer, peak memory (maxrss) and the
export.
"""

import argparse
import datetime as dt
import gc
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=3_000)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="import into a throwaway PostgreSQL (scripts/pg.sh, port $PG_PORT)",
    )
    parser.add_argument(
        "--import-only", action="store_true", help="stop after the import (no re-import, export)"
    )
    parser.add_argument(
        "--into",
        metavar="DIR",
        help="import into a copy of DIR's SQLite database and keys (e.g. a province's)",
    )
    parser.add_argument(
        "--no-gc",
        action="store_true",
        help="pause Python's cycle collector during the import, as `luoshi import_ledger` does",
    )
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="luoshi-bench-")
    if args.into:
        started = time.perf_counter()
        for source in Path(args.into).iterdir():  # the database, its keys, the audit anchor
            if source.is_file():
                shutil.copy2(source, Path(folder) / source.name)
        print(f"copied {args.into} in {time.perf_counter() - started:.1f} s")
    os.environ["LUOSHI_DATA_DIR"] = folder
    os.environ.pop("DATABASE_URL", None)
    if args.postgres:
        os.environ["DATABASE_URL"] = postgres("pg_start")
    try:
        run(args, folder)
    finally:
        if args.postgres:
            from django.db import connections

            connections.close_all()
            postgres("pg_stop")
        shutil.rmtree(folder, ignore_errors=True)


ROOT = Path(__file__).resolve().parent.parent


def postgres(action: str) -> str:
    """Start (returning its URL) or stop the throwaway server of scripts/pg.sh."""
    done = subprocess.run(
        ["bash", "-c", f'source scripts/pg.sh && {action} >&2 && echo "$PG_URL"'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    if action == "pg_start":
        print(done.stderr.strip())
    return done.stdout.strip()


def run(args, folder: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    print(f"database: {connection.vendor}")

    import xlsxwriter
    from python_calamine import CalamineWorkbook

    from ledger.export import export_ledger
    from ledger.services import import_ledger

    path = Path(folder) / "bench.xlsx"
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    units = workbook.add_worksheet("单位")
    units.write_row(0, 0, ["单位编码", "单位名称", "单位类型"])
    for i in range(args.units):
        units.write_row(i + 1, 0, [f"U{i:05d}", f"单位{i:05d}", "部门"])
    targets = workbook.add_worksheet("争取任务")
    targets.write_row(0, 0, ["年度", "单位编码", "任务金额（万元）"])
    for i in range(args.units):
        targets.write_row(i + 1, 0, [2024, f"U{i:05d}", 1000 + i])
    receipts = workbook.add_worksheet("到位资金")
    receipts.write_row(0, 0, ["单位编码", "金额（万元）", "到位日期", "文号"])
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    start = dt.date(2024, 1, 1)
    for i in range(args.rows):
        receipts.write_string(i + 1, 0, f"U{i % args.units:05d}")
        receipts.write_number(i + 1, 1, (i % 997) + 0.25)
        receipts.write_datetime(i + 1, 2, start + dt.timedelta(days=i % 360), date_format)
        receipts.write_string(i + 1, 3, f"财建〔2024〕{i}号")
    workbook.close()
    print(
        f"generated: {args.rows:,} receipts over {args.units:,} units "
        f"in {time.perf_counter() - started:.2f} s ({path.stat().st_size / 1e6:.1f} MB)"
    )

    started = time.perf_counter()
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        for _row in book.get_sheet_by_name(name).iter_rows():
            pass
    bare = time.perf_counter() - started
    print(f"bare read (python-calamine): {bare:.2f} s")
    peer, peer_cpu = pandas_peer(path, Path(folder) / "pandas.sqlite3")
    if peer:
        print(
            f"pandas read_excel(engine='calamine') + to_sql, no validation: {peer:.2f} s, "
            f"CPU {peer_cpu:.2f} s"
        )

    if args.no_gc:
        gc.disable()
    started, cpu = time.perf_counter(), time.process_time()
    result = import_ledger(path, user=None)
    gc.enable()
    took = time.perf_counter() - started
    cpu = time.process_time() - cpu
    assert result.ok, result.errors[:5]
    # CPU time too: on a shared machine the wall time says more about the neighbours
    print(f"import: {took:.2f} s, CPU {cpu:.2f} s ({result.summary_line()})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak memory after the import: {peak:.0f} MB")
    print(f"import / bare read: {took / bare:.1f}x")
    if peer:
        print(
            f"import / pandas peer: {took / peer:.1f}x, CPU {cpu / peer_cpu:.1f}x "
            "(goal: at most 3x)"
        )
    else:
        print("import / pandas peer: not measured (pandas is not installed)")

    if args.import_only:
        return
    started = time.perf_counter()
    again = import_ledger(path, user=None)
    print(
        f"re-import (nothing changes): {time.perf_counter() - started:.2f} s, "
        f"{again.changed} changes"
    )

    started = time.perf_counter()
    export_ledger(Path(folder) / "export.xlsx")
    print(f"export: {time.perf_counter() - started:.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak memory: {peak:.0f} MB")


def pandas_peer(path: Path, database: Path) -> tuple[float | None, float | None]:
    """The workbook read by pandas (calamine engine) and written with `to_sql` into a fresh
    SQLite file, with no validation and no audit: the lower bound an import is compared to
    (issue 12): (wall, CPU) seconds, None when pandas is not installed
    (`pip install -e '.[bench]'`)."""
    try:
        import sqlite3

        import pandas as pd
    except ImportError:
        print("pandas peer: skipped, pandas is not installed (pip install -e '.[bench]')")
        return None, None
    started, cpu = time.perf_counter(), time.process_time()
    sheets = pd.read_excel(path, sheet_name=None, engine="calamine")
    with sqlite3.connect(database) as connection:
        for number, frame in enumerate(sheets.values()):
            frame.to_sql(f"sheet{number}", connection, index=False, chunksize=10_000)
    return time.perf_counter() - started, time.process_time() - cpu


if __name__ == "__main__":
    main()
