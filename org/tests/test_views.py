import datetime as dt

import pytest
from django.urls import reverse

from common.testing import CAST
from ledger.tests.factories import target
from org.tests.factories import UnitFactory, cast_of, reporting_period
from org.tests.matrix import MATRIX

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", CAST)
def test_unit_list_matrix(client, cast, username):
    client.force_login(cast[username])
    response = client.get(reverse("org:unit_list"))
    allowed = username in MATRIX["org:unit_list"].allowed
    assert (response.status_code == 200) == allowed
    if not allowed:
        assert response.status_code in (403, 404)


@pytest.fixture
def zjj(db):
    """市住房和城乡建设局 among a dozen units (not the whole demo)."""
    UnitFactory.create_batch(12)
    return UnitFactory(code="ZJJ", name="市住房和城乡建设局")


def test_unit_officer_sees_only_own_unit(client, zjj, django_assert_max_num_queries):
    client.force_login(cast_of("zjj", unit=zjj)["zjj"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("org:unit_list"))
    assert "市住房和城乡建设局" in response.content.decode()
    assert list(response.context["page"].object_list.values_list("code", flat=True)) == ["ZJJ"]


def test_office_search_and_sort(client, zjj):
    client.force_login(cast_of("office")["office"])
    response = client.get(reverse("org:unit_list"), {"q": "ZJJ", "sort": "-name"})
    assert [u.code for u in response.context["page"].object_list] == ["ZJJ"]


def test_anonymous_goes_to_login(client):
    response = client.get(reverse("org:unit_list"))
    assert response.status_code == 302


@pytest.mark.parametrize("key", ["org:unit_detail", "org:unit_detail#other-unit"])
@pytest.mark.parametrize("username", CAST)
def test_unit_detail_matrix(client, cast, username, key):
    entry = MATRIX[key]
    client.force_login(cast[username])
    response = client.get(reverse(key.split("#")[0], kwargs=entry.kwargs()))
    if username in entry.allowed:
        assert response.status_code == 200
    else:
        assert response.status_code in (403, 404)


def test_unit_detail_shows_figures(client, zjj, django_assert_max_num_queries):
    reporting_period(2024)
    office = cast_of("office")["office"]
    # raised from 1 April: in force on the period's 30 June
    made = target(
        zjj, 300_000_000, user=office, revised_to=360_000_000, effective_on=dt.date(2024, 4, 1)
    )
    client.force_login(office)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("org:unit_detail", kwargs={"pk": zjj.pk}))
    assert response.context["figures"].target == made.amount == 360_000_000
    assert "市住房和城乡建设局" in response.content.decode()
