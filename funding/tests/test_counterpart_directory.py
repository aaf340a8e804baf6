"""The counterpart directory (对口联系, design §12): departments, their people and the units
dealing with each; the contact form picks from it; the ledger's 对口联系 sheet."""

import openpyxl
import pytest
from django.urls import reverse

from funding.choices import Level
from funding.directory.services import save_counterpart, save_counterpart_person
from funding.models import Contact, Counterpart
from funding.tests.factories import ZJJ
from ledger.export import export_ledger
from ledger.services import import_ledger
from ledger.tests.helpers import write_xlsx
from org.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

SHEET = [["上级部门", "层级", "姓名", "职务", "电话", "对接单位编码"]]


def test_the_office_keeps_the_directory_and_a_unit_reads_it(client, team):
    client.force_login(team["office"])
    zjj = UnitFactory(**ZJJ)
    response = client.post(
        reverse("funding:counterpart_directory"),
        {"name": "省住房和城乡建设厅村镇处", "level": "provincial", "units": [zjj.pk]},
    )
    assert response.status_code == 302
    counterpart = Counterpart.objects.get(name="省住房和城乡建设厅村镇处")
    response = client.post(
        reverse("funding:counterpart_person_add", args=[counterpart.pk]),
        {"name": "陆明", "post": "副处长", "phone": "0551-6262-0999"},
    )
    assert response.status_code == 302
    assert counterpart.people.get().post == "副处长"
    unit = team["zjj"]
    client.force_login(unit)
    page = client.get(reverse("funding:counterpart_directory"), {"q": "村镇"})
    assert "陆明" in page.content.decode() and "0551-6262-0999" in page.content.decode()
    refused = client.post(
        reverse("funding:counterpart_person_add", args=[counterpart.pk]),
        {"name": "某人"},
    )
    assert refused.status_code == 403


def test_the_contact_form_picks_from_the_directory_and_dates_the_last_contact(client, team):
    department = save_counterpart(
        user=None,
        counterpart=None,
        name="省住房和城乡建设厅城建处",
        level=Level.PROVINCIAL,
        units=[UnitFactory(**ZJJ)],
    )
    person = save_counterpart_person(
        user=None, counterpart=department, name="周敏", post="处长", phone="0551-6262-0001"
    )
    client.force_login(team["zjj"])
    response = client.post(
        reverse("dashboard:contact_create"),
        {"direction": "out", "occurred_on": "2024-06-28", "person": person.pk},
    )
    assert response.status_code in (200, 302), response.content.decode()[:500]
    contact = Contact.objects.latest("pk")
    assert contact.directory == person.counterpart
    assert contact.counterpart == person.counterpart.name
    assert person.name in contact.people
    page = client.get(reverse("funding:counterpart_detail", args=[person.counterpart_id]))
    assert page.context["c"].last_contact.isoformat() == "2024-06-28"
    # a department named by neither list nor text is an error
    before = Contact.objects.count()
    client.post(
        reverse("dashboard:contact_create"), {"direction": "out", "occurred_on": "2024-06-28"}
    )
    assert Contact.objects.count() == before


def test_the_ledger_sheet_round_trips_and_imports_new_people(db, tmp_path):
    fgw, zjj = UnitFactory(code="FGW"), UnitFactory(**ZJJ)
    for name, units in (("省发展和改革委员会投资处", [fgw]), ("省财政厅经济建设处", [fgw, zjj])):
        department = save_counterpart(
            user=None, counterpart=None, name=name, level=Level.PROVINCIAL, units=units
        )
        save_counterpart_person(user=None, counterpart=department, name="王强", post="处长")
    path = tmp_path / "out.xlsx"
    counts = export_ledger(path)
    assert counts["counterparts"] >= Counterpart.objects.count()
    rows = list(openpyxl.load_workbook(path)["对口联系"].iter_rows(values_only=True))
    assert rows[0] == tuple(SHEET[0])
    again = import_ledger(path, user=None)
    assert again.ok, [str(i) for i in again.errors]
    assert again.counts["counterparts"].created == 0
    assert again.counts["counterparts"].updated == 0
    sheet = SHEET + [
        ["省发展和改革委员会投资处", "省级", "新来的", "科员", "0551-0000", "FGW、ZJJ"],
        ["国家发展改革委地区振兴司", "中央", "", "", "", "FGW"],
        ["省某厅", "", "", "", "", "NOPE"],
    ]
    bad = import_ledger(write_xlsx(tmp_path / "bad.xlsx", {"对口联系": sheet}), user=None)
    assert not bad.ok and any("NOPE" in i.message for i in bad.errors)
    good = import_ledger(write_xlsx(tmp_path / "good.xlsx", {"对口联系": sheet[:-1]}), user=None)
    assert good.ok, [str(i) for i in good.errors]
    assert (good.counts["counterparts"].created, good.counts["counterparts"].updated) == (1, 1)
    fgw = Counterpart.objects.get(name="省发展和改革委员会投资处")
    assert fgw.people.filter(name="新来的").exists()
    assert {u.code for u in fgw.units.all()} == {"FGW", "ZJJ"}
    assert Counterpart.objects.get(name="国家发展改革委地区振兴司").level == "central"
