"""Province-scale synthetic data (`luoshi synth`): test and benchmark data only.

On top of the demo it adds counties/districts (县/区) with their task units, each unit a
2024 target, receipts spread over the year through realistic channels and levels, projects at
every stage, work items with milestones and progress reports, and gives the demo's leaders a
share of the counties to oversee. Rows are written with bulk inserts (a benchmark needs a
million receipts in minutes); the receipt rollups follow through their triggers. One audit
event records the run. Refused on a database that holds anything but the demo.
"""

import datetime as dt
import random
import re
import time
from dataclasses import dataclass

from django.db import connection, transaction

from audit.services import record
from demo import data
from funding import rollup_triggers
from funding.choices import Stage
from funding.docno import normalise_doc_no
from funding.models import Channel, Project, Receipt, Target
from org.models import Leader, Unit
from policy.models import Assignment, Milestone, Policy, ProgressReport, WorkItem

YEAR = 2024
CODE = re.compile(r"^SY\d{3,}(-\d{2})?$")
PER_COUNTY = 30
YUAN_PER_WAN = 10_000

_EAST = "东西南北中安长永平清新丰泰宁兴和福德明阳"
_WEST = "山河川江湖源林原城桥溪峰台岭口湾田坪水关"
DEPARTMENTS = [
    ("发展和改革局", "department"),
    ("住房和城乡建设局", "department"),
    ("交通运输局", "department"),
    ("水利局", "department"),
    ("自然资源局", "department"),
    ("农业农村局", "department"),
    ("财政局", "department"),
    ("生态环境局", "department"),
    ("教育局", "department"),
    ("卫生健康局", "department"),
    ("文化和旅游局", "department"),
    ("商务局", "department"),
    ("工业和信息化局", "department"),
    ("民政局", "department"),
    ("人力资源和社会保障局", "department"),
    ("科学技术局", "department"),
    ("城市管理局", "department"),
    ("林业局", "department"),
    ("应急管理局", "department"),
    ("医疗保障局", "department"),
    ("城关镇", "township"),
    ("东关街道", "township"),
    ("西关街道", "township"),
    ("新城镇", "township"),
    ("河口镇", "township"),
    ("山前乡", "township"),
    ("高新区管委会", "other"),
    ("经开区管委会", "other"),
    ("城投集团", "enterprise"),
    ("交投公司", "enterprise"),
]
STAGES = [
    (Stage.RESERVE, 30),
    (Stage.APPLIED, 20),
    (Stage.IN_REVIEW, 15),
    (Stage.APPROVED, 12),
    (Stage.FUNDED, 15),
    (Stage.REJECTED, 8),
]


class SynthRefused(Exception):
    """The database holds data that is not the demo: synthetic rows must not mix with it."""


@dataclass
class SynthResult:
    counties: int
    units: int
    receipts: int
    projects: int
    work_items: int
    milestones: int
    seconds: float


def check_database() -> None:
    """Refuse unless the database holds the demo and nothing else (no real data, no earlier
    synthetic data)."""
    demo_codes = {code for code, *_ in data.UNITS}
    codes = set(Unit.objects.values_list("code", flat=True))
    if not codes >= demo_codes:
        raise SynthRefused(
            "synthetic data goes on top of the demo: run `luoshi demo` on an empty database first"
        )
    if any(CODE.match(code) for code in codes):
        raise SynthRefused("the database already holds synthetic data; start from an empty one")
    if codes - demo_codes:
        raise SynthRefused(
            "the database holds units that are not the demo's (real data?): "
            "synthetic data is for an empty database with the demo only"
        )


def county_name(index: int) -> str:
    a, b = divmod(index, len(_WEST))
    suffix = "县" if index % 3 else "区"
    return f"{_EAST[a % len(_EAST)]}{_WEST[b]}{suffix}" + (
        "" if a < len(_EAST) else str(a // len(_EAST))
    )


def synthesise(*, units: int, receipts: int, seed: int = 2024, stdout=None) -> SynthResult:
    """Add `units` task units (in counties of 30) and `receipts` receipts of 2024."""
    started = time.monotonic()
    rng = random.Random(seed)

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(f"  {text} ({time.monotonic() - started:.1f} s)")

    with transaction.atomic():
        check_database()
        channels = list(Channel.objects.order_by("code"))
        if not channels:
            raise SynthRefused("the demo has no funding channels; run `luoshi demo` first")
        leaders = list(Leader.objects.order_by("sort_order", "pk"))
        policy = Policy.objects.order_by("pk").first()

        # --- counties and their units ---
        n_counties = -(-units // PER_COUNTY)
        counties = Unit.objects.bulk_create(
            Unit(code=f"SY{c:03d}", name=county_name(c), kind="other", sort_order=100_000 + c)
            for c in range(n_counties)
        )
        made = []
        for i in range(units):
            county = counties[i // PER_COUNTY]
            dept, kind = DEPARTMENTS[i % PER_COUNTY]
            made.append(
                Unit(
                    code=f"{county.code}-{i % PER_COUNTY:02d}",
                    name=f"{county.name}{dept}",
                    kind=kind,
                    parent=county,
                    sort_order=200_000 + i,
                )
            )
        task_units = Unit.objects.bulk_create(made, batch_size=1000)
        through = Leader.oversees.through
        through.objects.bulk_create(
            through(leader_id=leaders[c % len(leaders)].pk, unit_id=u.pk)
            for c in range(n_counties)
            for u in [counties[c], *task_units[c * PER_COUNTY : (c + 1) * PER_COUNTY]]
        )
        say(f"{n_counties} counties, {units} units")

        # --- receipts: 15% of units have none; the rest weighted, amounts log-normal ---
        weights = [0.0 if rng.random() < 0.15 else rng.lognormvariate(0, 0.8) for _ in task_units]
        cumulative, running = [], 0.0
        for w in weights:
            running += w
            cumulative.append(running)
        owners = rng.choices(range(len(task_units)), cum_weights=cumulative, k=receipts)
        days = 366 if YEAR % 4 == 0 else 365
        start = dt.date(YEAR, 1, 1).toordinal()
        unit_channels = [rng.sample(channels, k=rng.randint(2, 4)) for _ in task_units]
        full_year = [0] * len(task_units)
        rows = []
        for n, owner in enumerate(owners):
            channel = rng.choice(unit_channels[owner])
            amount = min(50_000, int(rng.lognormvariate(3.5, 1.1)) + 1) * YUAN_PER_WAN
            day = dt.date.fromordinal(start + min(days - 1, int(days * rng.random() ** 0.9)))
            doc_no = f"{data.DOC_PREFIX.get(channel.code, '财〔2024〕')}{100_000 + n}号"
            full_year[owner] += amount
            rows.append((task_units[owner].pk, amount, day, doc_no, channel.pk, channel.level, n))
        # a few doubtful claims: another unit records the same allocation document
        for n in range(min(20, len(rows) // 2)):
            unit_pk, amount, day, doc_no, channel_pk, level, _ = rows[(n * 7) % receipts]
            other = task_units[(n * 37 + 11) % len(task_units)].pk
            if other != unit_pk:
                rows.append((other, amount, day, doc_no, channel_pk, level, len(rows)))
        say(f"{len(rows)} receipts generated")
        last_id = Receipt.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with rollup_triggers.bulk_insert(connection, last_id):
            _insert_receipts(rows)
        say("receipts written")

        # --- targets: a spread of completion rates around time progress ---
        targets = []
        for unit, total in zip(task_units, full_year, strict=True):
            if total:
                amount = int(total * rng.uniform(0.6, 2.6)) // 100_000 * 100_000
            else:
                amount = rng.randint(5, 50) * 100 * YUAN_PER_WAN
            targets.append(Target(unit=unit, year=YEAR, amount=max(amount, 1_000_000)))
        Target.objects.bulk_create(targets, batch_size=2000)

        # --- projects: 10 a unit, at every stage ---
        stage_names, stage_weights = zip(*STAGES, strict=True)
        projects = []
        for i, unit in enumerate(task_units):
            for n in range(10):
                channel = rng.choice(unit_channels[i])
                stage = rng.choices(stage_names, weights=stage_weights)[0]
                projects.append(
                    Project(
                        code=f"{unit.code}-P{n:02d}",
                        name=f"{unit.name}{('城市更新', '老旧小区改造', '道路提升', '管网改造', '公共服务设施')[n % 5]}项目{n + 1}",  # noqa: E501
                        unit=unit,
                        channel=channel,
                        level=channel.level,
                        requested=rng.randint(50, 5000) * YUAN_PER_WAN,
                        stage=stage,
                        applied_on=None
                        if stage == Stage.RESERVE
                        else dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randint(0, 200)),
                        plan_year=YEAR + (1 if stage == Stage.RESERVE and n % 2 else 0),
                        owner="项目负责人",
                    )
                )
        Project.objects.bulk_create(projects, batch_size=2000)
        say(f"{len(projects)} projects")

        # --- work items: 10,000 over the counties, two milestones each ---
        n_items = max(1, units * 10 // 3)
        items = [
            WorkItem(
                policy=policy,
                code=f"SY-GZ-{k:05d}",
                title=f"{task_units[k % len(task_units)].name}落实老旧城区开发建设"
                f"第{k % 12 + 1}项任务",
                goal="按时间节点完成，形成可核验的工作成果。",
                lead_leader=leaders[k % len(leaders)],
                due_on=dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randint(60, 364)),
            )
            for k in range(n_items)
        ]
        for item in items:
            if item.due_on < data.AS_OF and rng.random() < 0.6:
                item.done_on = item.due_on - dt.timedelta(days=rng.randint(0, 10))
        items = WorkItem.objects.bulk_create(items, batch_size=2000)
        Assignment.objects.bulk_create(
            (
                Assignment(work_item=item, unit=task_units[k % len(task_units)], role="lead")
                for k, item in enumerate(items)
            ),
            batch_size=2000,
        )
        milestones = [
            Milestone(
                work_item=item,
                title=title,
                due_on=item.due_on - dt.timedelta(days=days_before),
                done_on=item.done_on,
            )
            for item in items
            for title, days_before in (("方案编制完成", 40), ("组织实施到位", 10))
        ]
        Milestone.objects.bulk_create(milestones, batch_size=2000)
        ProgressReport.objects.bulk_create(
            (
                ProgressReport(
                    work_item=item,
                    unit=task_units[k % len(task_units)],
                    reported_on=min(item.due_on, data.AS_OF) - dt.timedelta(days=5),
                    percent=100 if item.done_on else rng.randint(10, 90),
                    text="按计划推进。",
                    # approved: only an approved report is an item's progress (design §10)
                    approved_at=dt.datetime(data.AS_OF.year, 1, 1, tzinfo=dt.UTC),
                )
                for k, item in enumerate(items)
                if k % 2 == 0
            ),
            batch_size=2000,
        )
        say(f"{len(items)} work items, {len(milestones)} milestones")
        result = SynthResult(
            counties=n_counties,
            units=units,
            receipts=len(rows),
            projects=len(projects),
            work_items=len(items),
            milestones=len(milestones),
            seconds=0.0,
        )
        record(
            "demo.synthesised",
            None,
            after={
                "counties": n_counties,
                "units": units,
                "receipts": len(rows),
                "projects": len(projects),
                "work_items": len(items),
                "seed": seed,
            },
            object_type="synth",
            object_repr=f"{units} units, {len(rows)} receipts",
        )
    # fresh statistics for the query planner after a bulk load (PostgreSQL's autovacuum would
    # get there later; SQLite never does by itself)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE main" if connection.vendor == "sqlite" else "ANALYZE")
    result.seconds = time.monotonic() - started
    return result


def _insert_receipts(rows) -> None:
    """A million rows: straight SQL (SQLite executemany, PostgreSQL COPY)."""
    table = Receipt._meta.db_table
    columns = "unit_id, amount, received_on, doc_no, doc_key, channel_id, level, note, version"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for unit_pk, amount, day, doc_no, channel_pk, level, _n in rows:
                    copy.write_row(
                        (unit_pk, amount, day, doc_no, normalise_doc_no(doc_no), channel_pk,
                         level, "", 1)
                    )  # fmt: skip
        else:
            # a big page cache, and rows in index order: the indexes and rollups then grow
            # at their ends instead of rewriting pages all over the file
            cursor.execute("PRAGMA cache_size = -400000")
            rows.sort(key=lambda row: (row[0], row[2]))
            batch = 50_000
            for i in range(0, len(rows), batch):
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, '', 1)",
                    [
                        (unit_pk, amount, day.isoformat(), doc_no, normalise_doc_no(doc_no),
                         channel_pk, level)
                        for unit_pk, amount, day, doc_no, channel_pk, level, _n
                        in rows[i : i + batch]
                    ],
                )  # fmt: skip
