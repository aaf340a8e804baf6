"""No input gives a 5xx on the pipeline's pages: huge ids, text for numbers, bad dates."""

import pytest
from django.test import Client

from funding.tests.factories import ContactFactory, GuideFactory, ProjectFactory

pytestmark = pytest.mark.django_db
BIG = "9" * 30


def _requests(unit):
    """Hostile requests about `unit`'s guide, reserve project and contact."""
    guide = GuideFactory(units=[unit]).pk
    project = ProjectFactory(unit=unit).pk
    contact = ContactFactory(unit=unit).pk
    return [
        ("get", f"/funding/projects/new/?unit={BIG}", {}),
        ("post", f"/funding/guides/{guide}/prepare/", {"project": BIG}),
        ("post", f"/funding/projects/{project}/materials/", {"requirement": BIG}),
        ("get", "/funding/rates/?year=99999&as_of=2024-02-30", {}),
        (
            "post",
            f"/funding/projects/{project}/edit/",
            {"code": "x", "name": "n", "version": BIG, "plan_year": BIG, "requested": "1e999"},
        ),
        ("post", f"/funding/contacts/{contact}/link/", {"version": BIG, "project": BIG}),
        ("post", "/funding/projects/new/", {"code": "x" * 500, "name": "\x00", "section": BIG}),
        (
            "post",
            "/funding/guides/new/",
            {
                "title": "t",
                "issuer": "i",
                "level": "central",
                "published_on": "2024-06-01",
                "deadline": "2024-99-01",
                "units": [BIG],
                "channel": BIG,
            },
        ),
        ("post", "/funding/materials/checklist/", {"channel": BIG, "name": "x", "sort_order": BIG}),
        ("get", f"/funding/leads/?status=zzz&unit={BIG}&noted_from=abc", {}),
        ("get", f"/funding/materials/{BIG}/", {}),
    ]


@pytest.mark.parametrize("username", ["office", "zjj"])
def test_hostile_input_never_gives_a_server_error(username, team, half_year):
    client = Client(raise_request_exception=False)
    client.force_login(team[username])
    for method, url, data in _requests(team["zjj"].membership.unit):
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, (url, response.status_code)
