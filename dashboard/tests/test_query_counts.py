"""Page cost must not grow with the data: the same queries at 1× and 10× the demo."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.scale import multiply_demo
from org.models import Unit

PAGES = [
    ("office", "dashboard:cockpit", None),
    ("leader", "dashboard:cockpit", None),
    ("office", "dashboard:unit", "ZJJ"),
    ("zjj", "dashboard:workbench", None),
    ("zjj", "dashboard:my_figures", None),
]


def count_queries(client, cast) -> dict[str, int]:
    counts = {}
    for username, name, unit_code in PAGES:
        client.force_login(cast[username])
        args = [Unit.objects.get(code=unit_code).pk] if unit_code else []
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name, args=args)).status_code == 200
        counts[f"{username} {name}"] = len(queries)
    return counts


@pytest.mark.slow
def test_page_queries_do_not_grow_with_ten_times_the_data(client, cast, capsys):
    before = count_queries(client, cast)
    multiply_demo(10)
    after = count_queries(client, cast)
    with capsys.disabled():
        print(
            "\nqueries per page (1× → 10×):",
            {page: f"{before[page]} → {after[page]}" for page in before},
        )
    assert after == before
    assert max(after.values()) <= 40
