"""The receipt rollups equal a full recomputation after any writes (issue 12 item 2).

The rollups are kept by triggers (`funding/rollup_triggers.py`); random sequences of the
receipt writes the application has — recording through the service, the ledger's bulk insert
and bulk update, rejecting a doubtful claim — must leave them equal to the sums of the
receipts, and the read model's figures from them equal to the figures summed from the
receipts, at any as-of date.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.services import AuditBatch
from funding import rollup_triggers, services
from funding.corrections import services as correction_services
from funding.models import (
    Channel,
    Receipt,
    ReceiptCityMonth,
    ReceiptSharedDoc,
    ReceiptUnitMonth,
)
from org.models import Unit
from org.period import ReportingPeriod
from reporting.read_model import (
    SYSTEM,
    figures_for,
    secured_by_unit,
    secured_by_unit_from_receipts,
)


def recomputed_unit_months() -> dict:
    return {
        (row["unit_id"], row["y"], row["m"]): (row["total"], row["n"])
        for row in Receipt.objects.order_by()
        .annotate(y=ExtractYear("received_on"), m=ExtractMonth("received_on"))
        .values("unit_id", "y", "m")
        .annotate(total=Sum("amount"), n=Count("pk"))
    }


def recomputed_city_months() -> dict:
    return {
        (row["y"], row["m"], row["ch"], row["level"]): (row["total"], row["n"])
        for row in Receipt.objects.order_by()
        .annotate(
            y=ExtractYear("received_on"), m=ExtractMonth("received_on"), ch=Coalesce("channel", 0)
        )
        .values("y", "m", "ch", "level")
        .annotate(total=Sum("amount"), n=Count("pk"))
    }


def stored_unit_months() -> dict:
    return {
        (r.unit_id, r.year, r.month): (r.total, r.receipts) for r in ReceiptUnitMonth.objects.all()
    }


def stored_city_months() -> dict:
    return {
        (r.year, r.month, r.channel_key, r.level): (r.total, r.receipts)
        for r in ReceiptCityMonth.objects.all()
    }


def recomputed_shared_docs() -> set:
    return set(
        Receipt.objects.exclude(doc_key="")
        .order_by()
        .values("doc_key")
        .annotate(units=Count("unit_id", distinct=True))
        .filter(units__gt=1)
        .values_list("doc_key", flat=True)
    )


def assert_rollups_exact() -> None:
    assert stored_unit_months() == recomputed_unit_months()
    assert stored_city_months() == recomputed_city_months()
    assert set(ReceiptSharedDoc.objects.values_list("doc_key", flat=True)) == (
        recomputed_shared_docs()
    )


def test_the_demo_rollups_equal_its_receipts(demo):
    assert ReceiptUnitMonth.objects.exists()
    assert ReceiptSharedDoc.objects.exists()  # the demo's doubtful claim
    assert_rollups_exact()


def test_rebuild_gives_the_same_rollups(ledger):
    before = stored_unit_months(), stored_city_months()
    assert before[0] and before[1]
    rollup_triggers.rebuild(connection)
    assert (stored_unit_months(), stored_city_months()) == before


_day = st.dates(min_value=dt.date(2023, 12, 1), max_value=dt.date(2025, 1, 31))
_write = st.one_of(
    st.tuples(
        st.just("record"),
        st.integers(0, 40),  # unit (index)
        st.integers(1, 5_000).map(lambda w: w * 10_000),  # amount in 元
        _day,
        st.integers(-1, 6),  # channel (index, -1: none)
        st.sampled_from(["", "财建〔2024〕1号", "发改投资〔2024〕7号", "x-9"]),
    ),
    st.tuples(st.just("bulk"), st.integers(0, 40), st.integers(1, 900), _day, st.integers(-1, 6)),
    st.tuples(st.just("move"), st.integers(0, 10_000), st.integers(-1, 6)),
    st.tuples(st.just("reject"), st.integers(0, 10_000)),
    # corrections (design §10): void, amend amount/date/channel, reinstate a rejected one
    st.tuples(st.just("void"), st.integers(0, 10_000)),
    st.tuples(
        st.just("amend"),
        st.integers(0, 10_000),
        st.integers(1, 5_000).map(lambda w: w * 10_000),
        _day,
        st.integers(-1, 6),
    ),
    st.tuples(st.just("reinstate"), st.integers(0, 10_000)),
)
_as_of = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2024, 12, 31))


@pytest.fixture
def ledger(team):
    """The books the random writes start from: eight units (five with a 2024 target, so the
    read model's league is a part of them), seven channels, receipts of two years
    with and without 文号, and a doubtful claim of two units."""
    from funding.choices import Level
    from funding.tests.factories import ChannelFactory, ReceiptFactory, TargetFactory, double_claim
    from org.tests.factories import UnitFactory

    units = [UnitFactory(code=f"U{n}") for n in range(8)]
    for unit in units[:5]:
        TargetFactory(unit=unit, amount=50_000_000)
    # seven channels, of every level: the writes pick one by its index, 0 to 6
    channels = [ChannelFactory(level=Level.values[n % 3]) for n in range(7)]
    for n in range(24):
        ReceiptFactory(
            unit=units[n % 8],
            amount=(n + 1) * 100_000,
            received_on=dt.date(2023 + n % 2, 1 + n % 12, 1 + n),
            channel=channels[n % len(channels)] if n % 3 else None,
        )
    double_claim(units[0], units[6])


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    writes=st.lists(_write, min_size=1, max_size=12),
    as_of=_as_of,
    mode=st.sampled_from(["day", "month"]),
)
def test_random_writes_keep_the_rollups_exact(team, ledger, writes, as_of, mode):
    office = team["office"]
    units = list(Unit.objects.order_by("pk"))
    channels = list(Channel.objects.order_by("pk"))
    with transaction.atomic():
        for step, write in enumerate(writes):
            kind = write[0]
            if kind == "record":
                _, u, amount, on, c, doc = write
                try:
                    with transaction.atomic():
                        services.record_receipt(
                            user=office,
                            unit=units[u % len(units)],
                            amount=amount,
                            received_on=on,
                            doc_no=doc,
                            channel=channels[c] if c >= 0 else None,
                        )
                except ValidationError:
                    pass  # a duplicate, refused: nothing written
            elif kind == "bulk":
                _, u, n, on, c = write
                unit = units[u % len(units)]
                audit = AuditBatch(user=office)
                services.bulk_record_receipts(
                    user=office,
                    audit=audit,
                    creates=[
                        (
                            unit.pk,
                            None,
                            (k + 1) * 10_000,
                            on + dt.timedelta(days=k % 40),
                            f"批量{n}-{step}-{k}",  # checked for duplicates by the ledger
                            channels[c].pk if c >= 0 else None,
                            "",
                        )
                        for k in range(3)
                    ],
                    updates=[],
                    unit_names={unit.pk: unit.name},
                )
            elif kind == "move":
                _, r, c = write
                ids = list(Receipt.objects.order_by("pk").values_list("pk", flat=True))
                pk = ids[r % len(ids)]
                audit = AuditBatch(user=office)
                services.bulk_record_receipts(
                    user=office,
                    audit=audit,
                    creates=[],
                    updates=[
                        (
                            pk,
                            {
                                "channel_id": channels[c].pk if c >= 0 else None,
                                "level": channels[c].level if c >= 0 else "",
                            },
                        )
                    ],
                    unit_names={},
                )
            elif kind in ("void", "amend"):
                ids = list(Receipt.objects.order_by("pk").values_list("pk", flat=True))
                receipt = Receipt.objects.get(pk=ids[write[1] % len(ids)])
                changes = {}
                if kind == "amend":
                    _, _r, amount, on, c = write
                    changes = {
                        "amount": amount,
                        "received_on": on,
                        "channel": channels[c] if c >= 0 else None,
                    }
                try:
                    with transaction.atomic():
                        request = correction_services.request_correction(
                            user=office,
                            receipt=receipt,
                            kind=kind,
                            reason="随机更正",
                            changes=changes,
                            expected_version=receipt.version,
                        )
                        correction_services.approve_correction(
                            user=office, correction=request, expected_version=request.version
                        )
                except ValidationError:
                    pass  # nothing changes, or the corrected receipt would be a duplicate
            elif kind == "reinstate":
                rejected = list(
                    Receipt.every.filter(state="rejected")
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                if rejected:
                    receipt = Receipt.every.get(pk=rejected[write[1] % len(rejected)])
                    try:
                        with transaction.atomic():
                            correction_services.reinstate_receipt(
                                user=office,
                                receipt=receipt,
                                reason="核实",
                                expected_version=receipt.version,
                            )
                    except ValidationError:
                        pass  # recorded again since
            else:
                _, r = write
                shared = list(
                    Receipt.objects.exclude(doc_key="").order_by("pk").values_list("pk", flat=True)
                )
                if shared:
                    receipt = Receipt.objects.get(pk=shared[r % len(shared)])
                    try:
                        with transaction.atomic():
                            correction_services.reject_receipt(
                                user=office, receipt=receipt, note="重复"
                            )
                    except ValidationError:
                        pass  # not a doubtful claim
        assert_rollups_exact()
        # and the read model reads the same figures from them as from the receipts
        period = ReportingPeriod(2024, as_of, mode)
        figures = figures_for(SYSTEM, period)
        assert secured_by_unit(period, figures.unit_ids) == secured_by_unit_from_receipts(
            period, figures.unit_ids
        )
        assert figures.secured_by_month() == figures.secured_by_month_from_receipts()
        for field in ("channel__name", "level"):
            assert figures.secured_by(field) == figures.secured_by_from_receipts(field)
        some = figures.unit_ids[::3]
        assert figures.secured_by_month(some) == figures.secured_by_month_from_receipts(some)
        transaction.set_rollback(True)


def test_a_unit_outside_the_league_is_not_in_the_series(team):
    """Receipts of a unit without a target count in the rollups but not in the cockpit."""
    from funding.tests.factories import ChannelFactory, ReceiptFactory, TargetFactory
    from org.tests.factories import UnitFactory

    channel = ChannelFactory()
    for code in ("ZJJ", "SLJ"):  # the league: units with a 2024 target, money in two months
        unit = TargetFactory(unit=UnitFactory(code=code)).unit
        for on in (dt.date(2024, 1, 20), dt.date(2024, 3, 5)):
            ReceiptFactory(unit=unit, received_on=on, channel=channel)
    gzw = UnitFactory(code="GZW")  # no 2024 target
    services.record_receipt(
        user=team["office"],
        unit=gzw,
        amount=7_000_000,
        received_on=dt.date(2024, 3, 5),
        doc_no="国资〔2024〕3号",
        channel=channel,
    )
    assert_rollups_exact()
    figures = figures_for(SYSTEM, ReportingPeriod(2024, dt.date(2024, 6, 30), "day"))
    assert gzw.pk not in figures.unit_ids
    assert figures.secured_by("channel__name") == figures.secured_by_from_receipts("channel__name")
    assert figures.secured_by_month() == figures.secured_by_month_from_receipts()
    assert sum(figures.secured_by_month()) == figures.summary.secured
