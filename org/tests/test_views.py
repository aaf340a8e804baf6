import pytest
from django.urls import reverse

from common.testing import CAST
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


def test_unit_officer_sees_only_own_unit(client, cast, django_assert_max_num_queries):
    client.force_login(cast["zjj"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("org:unit_list"))
    assert "市住房和城乡建设局" in response.content.decode()
    assert list(response.context["page"].object_list.values_list("code", flat=True)) == ["ZJJ"]


def test_office_search_and_sort(client, cast):
    client.force_login(cast["office"])
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


def test_unit_detail_shows_figures(client, cast, django_assert_max_num_queries):
    from org.models import Unit

    client.force_login(cast["office"])
    unit = Unit.objects.get(code="ZJJ")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("org:unit_detail", kwargs={"pk": unit.pk}))
    assert response.context["figures"].target == 360_000_000
    assert "市住房和城乡建设局" in response.content.decode()
