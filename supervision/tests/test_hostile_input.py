"""No input gives a 5xx: every supervision form and parameter answered with a message."""

import datetime as dt

import pytest

from policy.tests.factories import unit_people

HOSTILE = [
    "",
    " ",
    "abc",
    "-1",
    "99999999999999999999",
    "2024-02-30",
    "１２",
    "<script>",
    "\x00",
    "9" * 5000,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_never_give_a_server_error(db, client, value):
    from supervision.models import AssessmentRules
    from supervision.services import open_dispatch

    cast = unit_people()
    dispatch = open_dispatch(  # a round the unit is asked in
        user=cast["office"],
        title="调度",
        meeting_on=dt.date(2024, 7, 20),
        due_on=dt.date(2024, 7, 18),
        units=[cast["unit"]],
        questions=["下半年重点项目", "存在的困难"],
    )
    request = dispatch.requests.get()
    client.force_login(cast["office"])
    posts = [
        (
            "/supervision/dispatch/new/",
            {
                "title": value,
                "meeting_on": value,
                "due_on": value,
                "as_of": value,
                "units": [value],
                "questions": value,
                "leader": value,
            },
        ),
        ("/supervision/bulletins/issue/", {"year": value, "as_of": value, "mode": value}),
        ("/supervision/assessment/rules/", {"source": value, "code": value, "year": value}),
        (
            f"/supervision/assessment/rules/{AssessmentRules.objects.get(code='default-1').pk}/",
            {"funding_weight": value, "bonus_step_percent": value, "version": value},
        ),
        (f"/supervision/dispatch/{dispatch.pk}/urge/", {"x": value}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code < 500, url
    for url in [
        f"/supervision/bulletins/preview/?year={value}&as_of={value}&mode={value}",
        f"/supervision/assessment/?year={value}&as_of={value}&rules={value}",
        f"/supervision/assessment/export.xlsx?year={value}&as_of={value}",
        f"/supervision/bulletins/?year={value}",
    ]:
        assert client.get(url).status_code < 500, url
    client.force_login(cast["zjj"])
    response = client.post(
        f"/supervision/dispatch/answer/{request.pk}/",
        {"answer_0": value, "answer_1": value, "report": value},
    )
    assert response.status_code < 500
