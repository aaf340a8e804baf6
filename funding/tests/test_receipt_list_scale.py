"""The receipt list at a province's size (issue 21): its count read from the rollups, a
leader's page found by walking the sort's index — and still exactly the rows and the number
`Receipt.objects.visible_to` gives, for every role, sorted any way, filtered or not."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding.choices import Level
from funding.models import Receipt
from funding.querysets import receipt_list_rows
from funding.tests.factories import ChannelFactory, ReceiptFactory
from org.tests.factories import UnitFactory


@pytest.fixture
def receipts(team):
    """Receipts of three units (the cast's ZJJ and SLJ, which the leader oversees, and FGW),
    of several levels, amounts and 文号 — some without one: each role sees another set."""
    zjj, slj = team["zjj"].membership.unit, UnitFactory(code="SLJ")
    team["leader"].leader.oversees.add(slj)
    channels = [ChannelFactory(level=level) for level in (Level.CENTRAL, Level.PROVINCIAL)]
    made = []
    for unit, count in ((zjj, 5), (slj, 4), (UnitFactory(code="FGW"), 3)):
        for n in range(count):
            made.append(
                ReceiptFactory(
                    unit=unit,
                    amount=(n % 3 + 1) * 1_000_000,
                    received_on=dt.date(2024, 1 + n * 2, 10 + count),
                    channel=channels[n % 2] if n != 3 else None,
                    doc_no="" if n == 2 else f"{unit.code}〔2024〕{n + 1}号",
                )
            )
    return made


def _shown_count(client, query: str = "") -> int:
    page = client.get(f"/funding/receipts/{query}").content.decode()
    return int(re.search(r"<small>共\s*([\d,]+)\s*条", page).group(1).replace(",", ""))


@pytest.mark.parametrize("username", ["office", "leader", "zjj"])
def test_the_list_shows_exactly_the_visible_receipts_and_their_number(
    client, team, receipts, username
):
    user = team[username]
    visible = Receipt.objects.visible_to(user)
    rows = receipt_list_rows(user)
    assert rows.count() == visible.count() > 0
    for order in (["-received_on", "-pk"], ["amount", "pk"], ["-doc_no", "-pk"]):
        assert list(rows.order_by(*order).values_list("pk", flat=True)) == list(
            visible.order_by(*order).values_list("pk", flat=True)
        )
    client.force_login(user)
    expected = visible.count()
    with CaptureQueriesContext(connection) as queries:
        assert _shown_count(client) == expected
    # counted from the rollups, never by a COUNT over the receipts
    assert not [q for q in queries if "COUNT(" in q["sql"] and "funding_receipt" in q["sql"]]

    # a filter counts the filtered rows
    level = visible.values_list("level", flat=True).first()
    assert _shown_count(client, f"?level={level}") == visible.filter(level=level).count()


def test_a_leader_with_many_receipts_walks_the_sort_index(team, receipts):
    """A leader who sees a large share of many receipts: the page's query cannot use the
    unit index (`unit_id + 0`), so the database walks (received on, id) from its end; on a
    page far down, or sorted by unit, the unit index serves again."""
    from funding.querysets import WALK_COST

    rows = receipt_list_rows(team["leader"])
    theirs, every = rows.count(), Receipt.objects.count()
    walks = theirs > WALK_COST * 50 and WALK_COST * 50 * every / theirs < theirs
    assert ("+ 0" in str(rows.query)) == walks
    assert "+ 0" not in str(receipt_list_rows(team["leader"], sort="unit").query)
    assert "+ 0" not in str(receipt_list_rows(team["leader"], page=10_000).query)
    # a unit officer's own unit: the unit index (unit, received on) serves their page
    assert "+ 0" not in str(receipt_list_rows(team["zjj"]).query)


def test_the_walk_gives_the_same_rows_in_the_same_order(team, receipts, monkeypatch):
    """The walk's rows are the leader's visible rows, in every walkable order (a few
    receipts are too few to walk at the real break-even: a lower one here)."""
    import funding.querysets

    monkeypatch.setattr(funding.querysets, "WALK_COST", 0.01)
    leader = team["leader"]
    visible = Receipt.objects.visible_to(leader)
    for sort, order in (("", ["-received_on", "-pk"]), ("amount", ["amount", "pk"])):
        rows = receipt_list_rows(leader, sort=sort)
        assert "+ 0" in str(rows.query) and rows.count() == visible.count()
        assert list(rows.order_by(*order).values_list("pk", flat=True)) == list(
            visible.order_by(*order).values_list("pk", flat=True)
        )


def test_a_known_count_is_forgotten_by_none_and_by_set_operations(team, receipts):
    rows = receipt_list_rows(team["leader"])
    every = rows.count()
    assert every > 0
    assert rows.none().count() == 0
    unordered = rows.order_by()
    assert unordered.count() == every  # ordering does not narrow: the known count stays
    assert unordered.intersection(Receipt.objects.none().order_by()).count() == 0
    assert unordered.difference(unordered).count() == 0
