"""One rule per record (design §10): the same random receipts sent through the workbench's
receipt form, the JSON API and the ledger import are refused alike or stored alike, field by
field (channel and level taken from the project, the 文号 key, the project moved to 到位)."""

import datetime as dt
import json

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funding.models import Channel, Project, Receipt
from ledger.services import import_ledger
from ledger.tests.helpers import write_xlsx

HEADER = ["单位编码", "金额（万元）", "到位日期", "项目编号", "文号", "资金渠道", "层级"]
FIELDS = (
    "unit_id",
    "project_id",
    "amount",
    "received_on",
    "doc_no",
    "doc_key",
    "channel_id",
    "level",
    "note",
    "state",
    "corrects_id",
)
COMPARED = {"records": 0, "stored": 0}


@pytest.fixture
def cast(db):
    """ZJJ's projects in four stages (one rejected), FGW's project, channels of each level,
    and FGW's receipts under 文号 the records may repeat (doubtful claims); the office and
    ZJJ's officer by their demo usernames (not the whole demo)."""
    from funding.choices import Level, Stage
    from funding.tests.factories import ChannelFactory, ProjectFactory
    from ledger.tests.factories import receipt
    from org.tests.factories import UnitFactory, cast_of

    zjj, fgw = UnitFactory(code="ZJJ"), UnitFactory(code="FGW")
    channels = [ChannelFactory(level=level) for level in Level.values]
    for n, stage in enumerate((Stage.RESERVE, Stage.APPROVED, Stage.FUNDED, Stage.REJECTED)):
        ProjectFactory(unit=zjj, stage=stage, channel=channels[n % len(channels)])
    ProjectFactory(unit=fgw, channel=channels[0])
    for n, issuer in enumerate(("财建", "住建", "省财建"), start=1):
        receipt(fgw, n * 1_000_000, dt.date(2024, 3, n), doc_no=f"{issuer}〔2024〕{n}号")
    return cast_of("office", "zjj", unit=zjj)


doc_numbers = st.one_of(
    st.just(""),
    st.builds(
        lambda issuer, brackets, number, space: (
            f"{issuer}{brackets[0]}2024{brackets[1]}{space}{number}号"
        ),
        st.sampled_from(["财建", "住建", "省财建", "ＡＢ", "ab"]),
        st.sampled_from([("〔", "〕"), ("[", "]"), ("（", "）"), ("(", ")"), ("【", "】")]),
        st.integers(1, 30),
        st.sampled_from(["", " ", "\u3000"]),
    ),
)
records = st.fixed_dictionaries(
    {
        "amount": st.integers(1, 10**10),
        "received_on": st.dates(dt.date(2024, 1, 1), dt.date(2025, 12, 31)),
        "doc_no": doc_numbers,
        # an index into ZJJ's projects, then every other unit's (another unit's project is
        # refused on every path); negative: none
        "project": st.integers(-3, 40),
        "channel": st.integers(-3, 10),  # an index into the channels; negative: none
        # the same money again a day later: with a 文号, a duplicate every path refuses
        "again": st.booleans(),
    }
)


def _stored(before: set[int]) -> list[tuple]:
    """The receipts a path stored (every field) with their project's stage, oldest first."""
    return [
        (
            *(getattr(receipt, name) for name in FIELDS),
            receipt.project.stage if receipt.project_id else "",
        )
        for receipt in Receipt.every.exclude(pk__in=before).select_related("project").order_by("pk")
    ]


def _through(path, sends: list[dict], before: set[int]) -> list[tuple]:
    """Each record sent through `path` in turn; what it stored, then all rolled back."""
    with transaction.atomic():
        for sent in sends:
            path(sent)
        stored = _stored(before)
        transaction.set_rollback(True)
    return stored


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(record=records)
def test_the_same_record_is_stored_alike_through_form_api_and_ledger(
    client, cast, tmp_path, record
):
    projects = sorted(
        Project.objects.select_related("unit"), key=lambda p: (p.unit.code != "ZJJ", p.code)
    )
    channels = list(Channel.objects.order_by("pk"))
    project = projects[record["project"] % len(projects)] if record["project"] >= 0 else None
    channel = channels[record["channel"] % len(channels)] if record["channel"] >= 0 else None
    first = {
        "amount": f"{record['amount']}元",
        "on": record["received_on"].isoformat(),
        "doc_no": record["doc_no"],
    }
    sends = [first]
    if record["again"]:
        sends.append({**first, "on": (record["received_on"] + dt.timedelta(days=1)).isoformat()})
    before = set(Receipt.every.values_list("pk", flat=True))
    client.force_login(cast["zjj"])

    def form(sent):
        client.post(
            reverse("dashboard:receipt_create"),
            {
                "amount": sent["amount"],
                "received_on": sent["on"],
                "doc_no": sent["doc_no"],
                "channel": channel.pk if channel else "",
                "project": project.pk if project else "",
            },
        )

    def api(sent):
        body = {"amount": sent["amount"], "received_on": sent["on"], "doc_no": sent["doc_no"]}
        if project:
            body["project"] = project.code
        if channel:
            body["channel"] = channel.name
        client.post(
            reverse("api:receipt_create"), json.dumps(body), content_type="application/json"
        )

    def ledger(sent):
        row = [
            "ZJJ",
            sent["amount"],
            sent["on"],
            project.code if project else "",
            sent["doc_no"],
            channel.name if channel else "",
            "",
        ]
        workbook = write_xlsx(tmp_path / "paths.xlsx", {"到位资金": [HEADER, row]})
        import_ledger(workbook, user=cast["office"])

    stored = [_through(path, sends, before) for path in (form, api, ledger)]
    assert stored[0] == stored[1] == stored[2], stored
    COMPARED["records"] += len(sends)
    COMPARED["stored"] += len(stored[0])
    for row in stored[0]:
        if project is not None:
            # money on a project takes the project's channel and level unless one was given
            assert row[6] == (channel.pk if channel else project.channel_id)


def test_report_how_many_records_were_compared(capsys):
    """Runs after the property test (same module): says how many records it compared."""
    with capsys.disabled():
        print(
            f"\none rule per record: {COMPARED['records']} random records through the form, "
            f"the API and the ledger: {COMPARED['stored']} stored alike on each path, the "
            f"{COMPARED['records'] - COMPARED['stored']} others refused on each"
        )
