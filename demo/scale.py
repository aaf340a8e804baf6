"""Multiply the demo data, to check that page costs do not grow with it (test data only)."""

import datetime as dt

from funding.choices import ContactDirection, Level, Stage
from funding.docno import normalise_doc_no
from funding.models import Channel, Contact, Guide, Project, Receipt, Target
from org.models import Leader, Unit
from policy.models import Assignment, Milestone, Policy, ProgressReport, WorkItem


def multiply_demo(factor: int) -> None:
    """Add (factor − 1) copies of every unit with a target, its receipts, projects, items,
    progress reports and contacts, and of every guide."""
    guides = list(Guide.objects.all())
    channel = Channel.objects.order_by("code").first()
    policy = Policy.objects.first()
    leaders = list(Leader.objects.all())
    originals = list(Unit.objects.order_by("pk"))
    for copy in range(1, factor):
        units = Unit.objects.bulk_create(
            Unit(
                code=f"{u.code}-X{copy}",
                name=f"{u.name}（{copy}）",
                kind=u.kind,
                sort_order=1000 * copy + u.sort_order,
            )
            for u in originals
        )
        Target.objects.bulk_create(
            Target(unit=unit, year=2024, amount=100_000_000 + 1_000_000 * i)
            for i, unit in enumerate(units)
        )
        Receipt.objects.bulk_create(
            Receipt(
                unit=unit,
                amount=10_000_000 * (1 + i % 5),
                received_on=dt.date(2024, 1 + n, 10),
                doc_no=f"X{copy}-{i}-{n}",
                doc_key=normalise_doc_no(f"X{copy}-{i}-{n}"),
                channel=channel,
                level=channel.level,
            )
            for i, unit in enumerate(units)
            for n in range(i % 4)
        )
        Project.objects.bulk_create(
            Project(
                code=f"XP{copy}-{i}-{n}",
                name=f"扩容测试项目{copy}-{i}-{n}",
                unit=unit,
                stage=Stage.values[n % 6],
                channel=channel,
            )
            for i, unit in enumerate(units)
            for n in range(3)
        )
        items = WorkItem.objects.bulk_create(
            WorkItem(
                policy=policy,
                code=f"GZ-X{copy}-{i}",
                title=f"扩容测试事项{copy}-{i}",
                lead_leader=leaders[i % len(leaders)],
                due_on=dt.date(2024, 6 + i % 6, 20),
            )
            for i, _unit in enumerate(units)
        )
        Assignment.objects.bulk_create(
            Assignment(work_item=item, unit=unit, role="lead")
            for item, unit in zip(items, units, strict=True)
        )
        Milestone.objects.bulk_create(
            Milestone(work_item=item, title="测试节点", due_on=dt.date(2024, 6, 25))
            for item in items
        )
        ProgressReport.objects.bulk_create(
            ProgressReport(
                work_item=item,
                unit=unit,
                reported_on=dt.date(2024, 6, 1),
                percent=30,
                text="测试",
                # approved: only an approved report is an item's progress (design §10)
                approved_at=dt.datetime(2024, 6, 2, tzinfo=dt.UTC),
            )
            for item, unit in zip(items, units, strict=True)
        )
        Contact.objects.bulk_create(
            Contact(
                unit=unit,
                direction=ContactDirection.values[n % 2],
                occurred_on=dt.date(2024, 3, 1 + n),
                counterpart=f"扩容测试对接单位{copy}-{i}-{n}",
                leader=leaders[i % len(leaders)],
            )
            for i, unit in enumerate(units)
            for n in range(2)
        )
        Guide.objects.bulk_create(
            Guide(
                code=f"{guide.code}-X{copy}",
                title=f"{guide.title}（扩容{copy}）",
                issuer=guide.issuer,
                level=guide.level or Level.PROVINCIAL,
                published_on=guide.published_on,
                deadline=guide.deadline,
            )
            for guide in guides
        )
