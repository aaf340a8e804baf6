"""Design §10: the settings page shows the time progress of the period the office pinned
(from the read model), not today's."""

import datetime as dt
from fractions import Fraction

import pytest
from django.urls import reverse

from org.period import office_period
from org.services import save_site_config
from org.tests.factories import cast_of


@pytest.fixture
def cast(db):
    """The office (not the whole demo)."""
    return cast_of("office")


def test_a_pinned_past_year_shows_its_own_time_progress(client, cast):
    save_site_config(user=cast["office"], default_year=2023, default_as_of=None)
    client.force_login(cast["office"])
    page = client.get(reverse("org:settings"))
    assert page.status_code == 200
    # the year alone, in the past: its last day, as every figure reads it
    assert page.context["period"] == office_period()
    assert page.context["as_of"] == dt.date(2023, 12, 31)
    assert page.context["time_progress"] == 1
    html = page.content.decode()
    assert '<dd id="settings-time-progress">100.0%</dd>' in html
    assert "2023 · 2023-12-31" in html


def test_a_pinned_date_by_month_shows_the_read_models_progress(client, cast):
    save_site_config(
        user=cast["office"],
        default_year=2024,
        default_as_of=dt.date(2024, 6, 15),
        time_progress_mode="month",
    )
    client.force_login(cast["office"])
    page = client.get(reverse("org:settings"))
    assert page.context["time_progress"] == Fraction(5, 12) == office_period().progress
    assert '<dd id="settings-time-progress">41.7%</dd>' in page.content.decode()
