"""Page cost must not grow with the data: the same queries at 1× and 10× the demo."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.scale import multiply_demo
from funding.models import Contact, Guide, Project, Receipt
from org.models import Unit
from policy.models import WorkItem


def _unit(code):
    return lambda: Unit.objects.get(code=code).pk


def _first(model, **lookup):
    return lambda: model.objects.filter(**lookup).order_by("pk").first().pk


PAGES = [
    ("office", "dashboard:cockpit", None),
    ("leader", "dashboard:cockpit", None),
    ("office", "dashboard:unit", _unit("ZJJ")),
    ("zjj", "dashboard:workbench", None),
    ("zjj", "dashboard:my_figures", None),
    ("office", "org:unit_list", None),
    ("office", "org:unit_detail", _unit("ZJJ")),
    ("office", "funding:target_list", None),
    ("office", "funding:project_list", None),
    ("office", "funding:project_detail", _first(Project, unit__code="ZJJ")),
    ("office", "funding:receipt_list", None),
    ("zjj", "funding:receipt_list", None),
    ("office", "funding:receipt_detail", _first(Receipt, unit__code="ZJJ")),
    ("office", "funding:guide_list", None),
    ("office", "funding:guide_detail", _first(Guide)),
    ("office", "funding:contact_list", None),
    ("office", "funding:contact_detail", _first(Contact, unit__code="ZJJ")),
    ("office", "policy:policy_list", None),
    ("leader", "policy:policy_list", None),
    ("office", "policy:workitem_list", None),
    ("zjj", "policy:workitem_list", None),
    ("office", "policy:workitem_detail", _first(WorkItem, code="GZ-01")),
]


def count_queries(client, cast) -> dict[str, int]:
    counts = {}
    for username, name, pk in PAGES:
        client.force_login(cast[username])
        args = [pk()] if pk else []
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name, args=args)).status_code == 200
        counts[f"{username} {name}"] = len(queries)
    return counts


@pytest.mark.slow
def test_page_queries_do_not_grow_with_ten_times_the_data(client, cast, capsys):
    count_queries(client, cast)  # warm the per-process caches (working-day calendar)
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
