"""The receipt list at a province's size (issue 21): its count read from the rollups, a
leader's page found by walking the sort's index — and still exactly the rows and the number
`Receipt.objects.visible_to` gives, for every role, sorted any way, filtered or not."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding.models import Receipt
from funding.querysets import receipt_list_rows


def _shown_count(client, query: str = "") -> int:
    page = client.get(f"/funding/receipts/{query}").content.decode()
    return int(re.search(r"<small>共\s*([\d,]+)\s*条", page).group(1).replace(",", ""))


@pytest.mark.parametrize("username", ["office", "leader", "zjj"])
def test_the_list_shows_exactly_the_visible_receipts_and_their_number(demo, client, cast, username):
    user = cast[username]
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


def test_a_leader_with_many_receipts_walks_the_sort_index(demo, cast, monkeypatch):
    """The demo leader sees a large share of the receipts: the page's query cannot use the
    unit index (`unit_id + 0`), so the database walks (received on, id) from its end."""
    rows = receipt_list_rows(cast["leader"])
    share = rows.count() / Receipt.objects.count()
    sql = str(rows.order_by("-received_on", "-pk")[:50].query)
    if share * rows.count() > 50:  # the break-even of receipt_list_rows
        assert '"unit_id" + 0' in sql or 'unit_id" + 0' in sql
    else:
        assert "+ 0" not in sql
    # a unit officer's own unit: the unit index (unit, received on) serves their page
    assert "+ 0" not in str(receipt_list_rows(cast["zjj"]).query)
