"""The office's settings: one audited service, stale edits refused, a page for the office."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.models import AuditEvent
from audit.versions import StaleObjectError
from org.models import SiteConfig
from org.services import save_site_config, site_config
from org.tests.factories import cast_of, reporting_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db):
    """The demo's settings (2024 as of 30 June, the default 10 working days due soon), the
    office and three other roles, by their demo usernames (not the whole demo)."""
    reporting_period(2024)
    return cast_of("office", "leader", "zjj", "sysadmin")


def test_it_creates_the_settings_on_first_save_and_audits_it():
    config, changed = save_site_config(user=None, name="某县人民政府", default_year=2024)
    assert changed and config.pk and config.version == 1
    event = AuditEvent.objects.get(action="org.site_config.created")
    assert event.after["name"] == "某县人民政府" and event.after["due_soon_workdays"] == 10


def test_it_audits_a_change_before_and_after_and_bumps_the_version():
    save_site_config(user=None, name="某县", default_year=2024)
    config, changed = save_site_config(
        user=None, due_soon_workdays=15, time_progress_mode="month", expected_version=1
    )
    assert changed and config.version == 2
    event = AuditEvent.objects.get(action="org.site_config.updated")
    assert (event.before["due_soon_workdays"], event.after["due_soon_workdays"]) == (10, 15)
    assert (event.before["time_progress_mode"], event.after["time_progress_mode"]) == (
        "day",
        "month",
    )
    assert event.after["name"] == "某县"  # a keyword left out keeps its value


def test_saving_the_same_values_changes_nothing():
    save_site_config(user=None, name="某县", default_year=2024)
    events = AuditEvent.objects.count()
    config, changed = save_site_config(user=None, name="某县", default_year=2024)
    assert not changed and config.version == 1 and AuditEvent.objects.count() == events


def test_it_refuses_a_stale_edit():
    save_site_config(user=None, name="某县")
    save_site_config(user=None, due_soon_workdays=12, expected_version=1)
    with pytest.raises(StaleObjectError):
        save_site_config(user=None, due_soon_workdays=20, expected_version=1)
    assert site_config().due_soon_workdays == 12


@pytest.mark.parametrize(
    "values, field",
    [
        ({"default_year": 2024, "default_as_of": dt.date(2025, 1, 1)}, "default_as_of"),
        ({"default_year": None, "default_as_of": dt.date(2024, 6, 30)}, "default_as_of"),
        ({"default_year": 1999}, "default_year"),
        ({"default_year": 2101}, "default_year"),
        ({"due_soon_workdays": 0}, "due_soon_workdays"),
        ({"due_soon_workdays": 61}, "due_soon_workdays"),
        ({"time_progress_mode": "week"}, "time_progress_mode"),
        ({"name": "县" * 101}, "name"),
    ],
)
def test_it_refuses_values_outside_the_rules(values, field):
    with pytest.raises(ValidationError) as refused:
        save_site_config(user=None, **values)
    assert field in refused.value.message_dict
    assert not SiteConfig.objects.exists() and not AuditEvent.objects.exists()


def test_the_database_refuses_an_unbounded_due_soon_window():
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteConfig.objects.create(due_soon_workdays=0)


def test_only_the_office_may_change_the_settings(make_user):
    for role in ("leader", "unit_officer", "system_admin"):
        unit = None
        if role == "unit_officer":
            from org.services import save_unit

            unit, _ = save_unit(user=None, code="T", name="测试单位")
        with pytest.raises(PermissionDenied):
            save_site_config(user=make_user(role, unit=unit), due_soon_workdays=5)
    save_site_config(user=make_user("office"), due_soon_workdays=5)
    assert site_config().due_soon_workdays == 5


# --- The page ---


def _form(**changes) -> dict:
    data = {
        "name": "某市人民政府",
        "default_year": "2024",
        "default_as_of": "2024-06-30",
        "time_progress_mode": "day",
        "due_soon_workdays": "10",
        "version": str(site_config().version),
    }
    data.update(changes)
    return data


def test_the_office_edits_the_settings_on_its_page(client, cast):
    client.force_login(cast["office"])
    page = client.get(reverse("org:settings"))
    html = page.content.decode()
    assert page.status_code == 200 and 'value="2024-06-30"' in html
    assert reverse("org:settings") in html  # linked from the office's navigation
    response = client.post(reverse("org:settings"), _form(due_soon_workdays="5"))
    assert response.status_code == 302
    assert site_config().due_soon_workdays == 5
    event = AuditEvent.objects.filter(action="org.site_config.updated").latest("id")
    assert event.actor_name == "office"
    assert (event.before["due_soon_workdays"], event.after["due_soon_workdays"]) == (10, 5)
    # the history on the page shows the change
    assert "5" in client.get(reverse("org:settings")).content.decode()


def test_the_page_refuses_an_as_of_date_outside_the_year(client, cast):
    client.force_login(cast["office"])
    response = client.post(reverse("org:settings"), _form(default_as_of="2023-12-31"))
    assert response.status_code == 200
    assert response.context["form"].errors["default_as_of"]
    assert site_config().default_as_of == dt.date(2024, 6, 30)


@pytest.mark.parametrize("value", ["0", "61", "十", "", "1e3"])
def test_the_page_bounds_the_due_soon_window(client, cast, value):
    client.force_login(cast["office"])
    response = client.post(reverse("org:settings"), _form(due_soon_workdays=value))
    assert response.status_code == 200 and response.context["form"].errors["due_soon_workdays"]
    assert site_config().due_soon_workdays == 10


def test_the_page_refuses_a_stale_form(client, cast):
    client.force_login(cast["office"])
    stale = _form(due_soon_workdays="20")
    save_site_config(user=cast["office"], due_soon_workdays=15)
    response = client.post(reverse("org:settings"), stale)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors().as_data()
    assert [e.code for e in errors] == ["stale"]
    assert site_config().due_soon_workdays == 15


def test_other_roles_see_no_settings_link(client, cast):
    for username in ("leader", "zjj", "sysadmin"):
        client.force_login(cast[username])
        home = client.get(reverse("org:unit_list")).content.decode()
        assert reverse("org:settings") not in home
