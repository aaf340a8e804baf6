"""The workbench's reporting date moves: it follows today unless the office pinned one, a
period the user picks is remembered for the session, and money recorded after a past as-of
date is said, never silently left out (issue: 数据截至2024-06-30 that never moved)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from funding import services as funding
from org.services import save_site_config

WORKBENCH = "dashboard:workbench"


def _page(client, url: str) -> str:
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_without_a_pinned_date_the_workbench_follows_today(client, cast):
    save_site_config(user=cast["office"], default_as_of=None, default_year=None)
    client.force_login(cast["zjj"])
    today = timezone.localdate()
    assert f"数据截至{today:%Y-%m-%d}" in _page(client, reverse(WORKBENCH))


def test_a_picked_period_is_remembered_for_the_session(client, cast):
    client.force_login(cast["zjj"])
    assert "数据截至2024-06-30" in _page(client, reverse(WORKBENCH))  # the demo's pinned date
    assert "数据截至2024-07-31" in _page(client, reverse(WORKBENCH) + "?as_of=2024-07-31")
    assert "数据截至2024-07-31" in _page(client, reverse(WORKBENCH))
    cockpit = _page(client, reverse("dashboard:unit", args=[cast["zjj"].membership.unit_id]))
    assert 'value="2024-07-31"' in cockpit  # the unit page shows the same period
    bad = _page(client, reverse(WORKBENCH) + "?as_of=2024-13-45")
    assert "数据截至2024-07-31" in bad  # a bad value is refused and forgets nothing


def test_money_recorded_after_the_as_of_date_is_said_on_the_card(client, cast):
    """The demo's 市住建局 records 800万 in August (the doubtful 701号); 123.45万 more in July."""
    unit = cast["zjj"].membership.unit
    client.force_login(cast["zjj"])
    card = _page(client, reverse("dashboard:my_figures"))
    assert "2024-06-30之后本单位还登记了到位资金800万元，未计入以上数据。" in card
    funding.record_receipt(
        user=cast["zjj"], unit=unit, amount=1_234_500, received_on=dt.date(2024, 7, 15)
    )
    card = _page(client, reverse("dashboard:my_figures"))
    assert "2024-06-30之后本单位还登记了到位资金923.45万元，未计入以上数据。" in card
    assert "?year=2024&amp;as_of=2024-12-31&amp;mode=day" in card
    year_end = _page(client, reverse(WORKBENCH) + "?as_of=2024-12-31")
    assert "未计入以上数据" not in year_end
