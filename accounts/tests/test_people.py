import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from common.permissions import Role
from org.models import Membership
from org.tests.factories import PersonFactory, cast_of


def test_a_unit_role_needs_a_unit_and_the_form_keeps_what_was_typed(db):
    admin = Client()
    admin.force_login(PersonFactory(role=Role.SYSTEM_ADMIN))
    html = admin.post(
        reverse("accounts:user_create"),
        {"username": "nounit", "full_name": "无单位", "role": "unit_officer"},
    ).content.decode()
    assert "单位角色必须选择单位" in html and 'value="nounit"' in html


def test_one_person_holds_one_role(db):
    auditor = PersonFactory(role=Role.AUDIT_ADMIN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=auditor, role="system_admin")


def test_deactivated_people_cannot_log_in_and_admins_cannot_deactivate_themselves(db):
    cast = cast_of("zjj", "sysadmin", password="Luoshi@2024demo")
    assert Client().login(username="zjj", password="Luoshi@2024demo")  # before: they could
    admin = Client()
    admin.force_login(cast["sysadmin"])
    admin.post(reverse("accounts:user_set_active", args=[cast["zjj"].pk]), {"active": "0"})
    response = Client().post(
        reverse("accounts:login"), {"username": "zjj", "password": "Luoshi@2024demo"}
    )
    assert response.status_code == 200  # refused, login page again
    admin.post(reverse("accounts:user_set_active", args=[cast["sysadmin"].pk]), {"active": "0"})
    assert get_user_model().objects.get(username="sysadmin").is_active


def test_the_audit_admin_cannot_manage_people(db):
    officer = PersonFactory(role=Role.UNIT_OFFICER)
    auditor = Client()
    auditor.force_login(PersonFactory(role=Role.AUDIT_ADMIN))
    assert auditor.get(reverse("accounts:user_list")).status_code == 403
    assert (
        auditor.post(reverse("accounts:user_reset_password", args=[officer.pk])).status_code == 403
    )
