"""People's mobile and e-mail: the office for anyone, a unit head for their unit; shown on
the unit's page and wherever a person is picked."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from audit.versions import StaleObjectError
from org import services
from org.models import Unit
from org.people import person_label
from org.tests.factories import UnitFactory, cast_of
from reminders.models import RobotKind
from reminders.services import save_robot

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    """The office, and ZJJ's liaison officer (with the demo's addresses) and head, by their
    demo usernames (not the whole demo)."""
    zjj = UnitFactory(code="ZJJ", name="市住房和城乡建设局")
    cast = cast_of("office", "zjj", "zjj_head", unit=zjj)
    cast["zjj"].email = "zjj@example.gov.cn"
    cast["zjj"].save(update_fields=["email"])
    cast["zjj"].membership.phone = "13800000001"
    cast["zjj"].membership.save(update_fields=["phone"])
    return cast


def test_the_demo_people_have_example_addresses(cast):
    assert cast["zjj"].email == "zjj@example.gov.cn"
    assert cast["leader"].email == "leader@example.gov.cn"
    assert cast["zjj"].membership.phone.startswith("1380000")
    assert cast["sysadmin"].email == ""


def test_a_unit_head_edits_their_people_and_it_is_audited(client, people):
    cast = people
    zjj = cast["zjj"]
    client.force_login(cast["zjj_head"])
    url = reverse("org:person_contact", kwargs={"pk": zjj.pk})
    page = client.get(url)
    assert page.status_code == 200
    version = page.context["form"].initial["version"]
    response = client.post(
        url,
        {
            "mobile": "＋86 139-1234-5678",
            "email": "zhou.wei@zjj.example.gov.cn",
            "version": version,
        },
    )
    assert response.status_code == 302
    zjj.refresh_from_db()
    assert zjj.email == "zhou.wei@zjj.example.gov.cn"
    assert zjj.membership.phone == "13912345678"
    event = AuditEvent.objects.filter(action="org.person.contact_changed").latest("id")
    assert event.before["email"] == "zjj@example.gov.cn"
    assert event.after["mobile"] == "13912345678"
    # the same form again, now stale, is refused naming the change
    stale = client.post(url, {"mobile": "", "email": "", "version": version})
    assert stale.status_code == 200
    assert "version" in str(stale.context["form"].errors) or stale.context["form"].errors


@pytest.mark.parametrize(
    ("mobile", "email"),
    [("12345", ""), ("", "not-an-address"), ("138abc00000", ""), ("", "a@b.cn\r\nBcc: x@y.cn")],
)
def test_bad_contact_details_are_refused_with_a_message(client, people, mobile, email):
    cast = people
    zjj = cast["zjj"]
    client.force_login(cast["office"])
    url = reverse("org:person_contact", kwargs={"pk": zjj.pk})
    response = client.post(
        url, {"mobile": mobile, "email": email, "version": zjj.membership.version}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    zjj.refresh_from_db()
    assert zjj.email == "zjj@example.gov.cn"


def test_outside_their_unit_a_head_may_not_and_an_officer_may_not_at_all(people, make_user):
    cast = people
    other = make_user("unit_officer", unit=UnitFactory(code="FGW"))
    with pytest.raises(PermissionDenied):
        services.set_contact(user=cast["zjj_head"], person=other, mobile="", email="x@y.cn")
    with pytest.raises(PermissionDenied):
        services.set_contact(user=cast["zjj"], person=cast["zjj"], mobile="", email="x@y.cn")
    with pytest.raises(ValidationError):
        services.normalise_mobile("0755-1234567")
    with pytest.raises(StaleObjectError):
        services.set_contact(
            user=cast["office"], person=other, mobile="", email="a@b.cn", expected_version=7
        )


def test_the_unit_page_lists_people_with_addresses_and_robots(client, people):
    cast = people
    client.force_login(cast["office"])
    zjj = Unit.objects.get(code="ZJJ")
    save_robot(  # disabled, as the demo's: an example never sent to
        user=None,
        unit=zjj,
        kind=RobotKind.WECOM,
        webhook="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=example",
        enabled=False,
    )
    page = client.get(reverse("org:unit_detail", kwargs={"pk": zjj.pk})).content.decode()
    assert "zjj@example.gov.cn" in page and "Edit contact" in page or "修改联系方式" in page
    assert "企业微信群机器人" in page
    nobody = UnitFactory()
    empty = client.get(reverse("org:unit_detail", kwargs={"pk": nobody.pk})).content.decode()
    assert "reach" in empty and 'id="people"' not in empty


def test_a_person_is_picked_with_how_they_are_reached(people):
    person = get_user_model().objects.select_related("membership").get(username="zjj")
    label = person_label(person)
    assert "zjj@example.gov.cn" in label and "1380000" in label
