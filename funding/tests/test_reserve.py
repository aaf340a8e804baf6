"""The project reserve (design §9): units create and edit projects; one fact once for money;
materials with their limits; leads become projects; contacts lead somewhere."""

import datetime as dt
import io
import os
import stat

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from common.files import check_upload, max_upload_bytes
from funding import services
from funding.choices import ContactResult, LeadStatus, Level, Stage
from funding.models import Contact, MaterialRequirement, Project, ProjectMaterial, Receipt
from funding.tests.factories import (
    ZJJ,
    ChannelFactory,
    ContactFactory,
    LeadFactory,
    ProjectFactory,
    ReceiptFactory,
)
from org.models import Section
from org.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def _unit(code):
    """The unit of that code (ZJJ: 市住房和城乡建设局, the cast's), made when first asked for."""
    return UnitFactory(**ZJJ) if code == "ZJJ" else UnitFactory(code=code)


def _zjj_project(**values) -> Project:
    return ProjectFactory(unit=_unit("ZJJ"), **values)


def test_it_refuses_a_project_code_already_used_naming_the_project(team):
    existing = _zjj_project(code="CB2025-ZJJ-02")
    with pytest.raises(ValidationError) as caught:
        services.create_project(
            user=team["zjj"], code="CB2025-ZJJ-02", unit=_unit("ZJJ"), name="另一个项目"
        )
    message = " ".join(caught.value.messages)
    assert existing.name in message and "市住房和城乡建设局" in message


def test_the_form_refuses_a_used_code_on_the_code_field(client, team):
    existing = ProjectFactory(
        code="XM2024-FGW-01", name="发展和改革委员会公共服务设施补短板项目", unit=_unit("FGW")
    )
    client.force_login(team["zjj"])
    response = client.post(
        reverse("funding:project_create"),
        {"code": "XM2024-FGW-01", "name": "重复编号项目", "plan_year": "2025"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert existing.name in html
    assert not Project.objects.filter(name="重复编号项目").exists()


def test_a_unit_creates_and_edits_a_reserve_project(client, team):
    client.force_login(team["zjj"])
    section = Section.objects.create(unit=_unit("ZJJ"), name="规划计划科")
    channel = ChannelFactory(code="ZYYS", level=Level.CENTRAL)
    response = client.post(
        reverse("funding:project_create"),
        {
            "code": "CB2025-ZJJ-09",
            "name": "老城区停车设施建设项目",
            "plan_year": "2025",
            "total_investment": "1.2亿",
            "requested": "4000",
            "description": "建设立体停车库3座",
            "channel": str(channel.pk),
            "section": str(section.pk),
            "follow_up": str(team["zjj"].pk),
            "next_follow_up_on": "2024-07-15",
        },
    )
    project = Project.objects.get(code="CB2025-ZJJ-09")
    assert response.status_code == 302 and response["Location"].endswith(f"/{project.pk}/")
    assert project.unit.code == "ZJJ" and project.stage == Stage.RESERVE
    assert project.total_investment == 120_000_000 and project.requested == 40_000_000
    assert project.level == "central"  # from the channel
    assert project.follow_up == team["zjj"] and project.section == section
    assert AuditEvent.objects.filter(action="funding.project.created", object_id=str(project.pk))
    response = client.post(
        reverse("funding:project_edit", args=[project.pk]),
        {
            "code": "ignored",
            "name": "老城区立体停车库建设项目",
            "requested": "4500",
            "version": "1",
        },
    )
    project.refresh_from_db()
    assert project.name == "老城区立体停车库建设项目" and project.code == "CB2025-ZJJ-09"
    assert project.requested == 45_000_000 and project.version == 2


def test_the_follow_up_person_must_belong_to_the_unit(team):
    project = ProjectFactory(unit=_unit("SLJ"))
    with pytest.raises(ValidationError):
        services.update_project(user=team["office"], project=project, follow_up=team["zjj"])
    with pytest.raises(PermissionDenied):
        services.update_project(user=team["zjj"], project=project, name="改名")


def test_a_receipt_on_a_project_funds_it_and_takes_its_channel(team):
    """One fact once: the 4,900万 on S2 needs no separate advance and no channel typed."""
    project = _zjj_project(code="XM2024-ZJJ-S2", stage=Stage.APPROVED)
    receipt, created = services.record_receipt(
        user=team["zjj"],
        unit=_unit("ZJJ"),
        amount=49_000_000,
        received_on=dt.date(2024, 9, 2),
        doc_no="发改投资〔2024〕1300号",
        project=project,
    )
    project.refresh_from_db()
    assert created and project.stage == Stage.FUNDED
    assert receipt.channel == project.channel and receipt.level == project.level != ""
    last = project.stage_changes.order_by("-pk").first()
    assert last.to_stage == Stage.FUNDED and last.changed_on == dt.date(2024, 9, 2)


def test_money_on_a_reserve_project_passes_the_stages_it_skipped(team):
    project = _zjj_project(code="CB2025-ZJJ-03")
    services.record_receipt(
        user=team["zjj"],
        unit=_unit("ZJJ"),
        amount=10_000_000,
        received_on=dt.date(2024, 10, 8),
        project=project,
    )
    project.refresh_from_db()
    stages = list(project.stage_changes.values_list("to_stage", flat=True))
    assert stages[-3:] == [Stage.APPLIED, Stage.APPROVED, Stage.FUNDED]


def test_a_project_without_channel_takes_the_receipts(team):
    project = services.create_project(
        user=team["zjj"], code="CB-T-1", unit=_unit("ZJJ"), name="无渠道项目"
    )
    channel = ChannelFactory(code="SJZX", level=Level.PROVINCIAL)
    services.record_receipt(
        user=team["zjj"],
        unit=_unit("ZJJ"),
        amount=1_000_000,
        received_on=dt.date(2024, 9, 1),
        project=project,
        channel=channel,
    )
    project.refresh_from_db()
    assert project.channel == channel and project.level == channel.level


def test_money_on_a_rejected_project_is_refused(db):
    rejected = ProjectFactory(stage=Stage.REJECTED)
    with pytest.raises(ValidationError):
        services.record_receipt(
            user=None,
            unit=rejected.unit,
            amount=1_000_000,
            received_on=dt.date(2024, 9, 1),
            project=rejected,
        )
    assert not Receipt.objects.filter(project=rejected, received_on=dt.date(2024, 9, 1))


# --- materials ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, size, code",
    [
        ("../../etc/passwd.pdf", 10, "path"),
        ("子目录/可研批复.pdf", 10, "path"),
        ("C:\\材料\\可研.pdf", 10, "path"),
        ("可研批复.exe", 10, "type"),
        ("可研批复.html", 10, "type"),
        ("没有扩展名", 10, "type"),
        ("可研批复.pdf", None, "size"),
        ("可研批复\x00.pdf", 10, "path"),
    ],
)
def test_it_refuses_bad_uploads(name, size, code):
    with pytest.raises(ValidationError) as caught:
        check_upload(name, PDF if size else PDF + b"x" * max_upload_bytes())
    assert caught.value.code == code
    assert caught.value.messages[0]  # a sentence for the user


def test_a_file_larger_than_declared_is_refused_while_stored(team):
    project = _zjj_project()
    before = set(os.listdir(ProjectMaterial.FOLDER.path))
    big = io.BytesIO(PDF + b"x" * max_upload_bytes())
    big.size = 10  # what the client declared
    with pytest.raises(ValidationError) as caught:
        services.attach_material(user=team["zjj"], project=project, name="大文件.pdf", content=big)
    assert caught.value.code == "size"
    assert set(os.listdir(ProjectMaterial.FOLDER.path)) == before  # nothing left behind


def test_an_upload_is_stored_0600_served_to_who_may_see_it_and_audited(client, team):
    project = _zjj_project()
    other = services.attach_material(
        user=None, project=ProjectFactory(unit=_unit("SLJ")), name="其他单位.pdf", content=PDF
    )
    client.force_login(team["zjj"])
    upload = SimpleUploadedFile("绩效目标表.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("funding:material_upload", args=[project.pk]), {"file": upload})
    assert response.status_code == 302
    material = ProjectMaterial.objects.get(project=project, name="绩效目标表.pdf")
    path = ProjectMaterial.FOLDER.path_of(material.storage_name)
    assert path.parent.parent == settings.DATA_DIR
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == PDF and material.size == len(PDF)
    assert AuditEvent.objects.filter(action="funding.material.attached", object_id=str(material.pk))
    response = client.get(reverse("funding:material_download", args=[material.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="funding.material.downloaded").count() == 1
    client.force_login(team["leader"])  # 李华 oversees 住建局
    assert client.get(reverse("funding:material_download", args=[material.pk])).status_code == 200
    client.force_login(team["zjj"])
    assert client.get(reverse("funding:material_download", args=[other.pk])).status_code == 404


def test_a_forbidden_upload_through_the_page_is_refused_with_a_message(client, team):
    project = _zjj_project()
    client.force_login(team["zjj"])
    upload = SimpleUploadedFile("脚本.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(
        reverse("funding:material_upload", args=[project.pk]), {"file": upload}, follow=True
    )
    assert "不能作为附件" in response.content.decode()
    assert not ProjectMaterial.objects.filter(name="脚本.exe").exists()


def test_the_checklist_shows_what_is_missing(client, team):
    channel = ChannelFactory()
    plan, _goals = (
        MaterialRequirement.objects.create(channel=channel, name=name, sort_order=n)
        for n, name in enumerate(["项目实施方案", "绩效目标表"])
    )
    project = _zjj_project(channel=channel)
    services.attach_material(
        user=team["zjj"], project=project, name="项目实施方案.pdf", content=PDF, requirement=plan
    )
    client.force_login(team["zjj"])
    page = client.get(reverse("funding:project_detail", args=[project.pk]))
    html = page.content.decode()
    assert "绩效目标表" in html and "项目实施方案.pdf" in html
    assert page.context["missing"] == ["绩效目标表"]


def test_removing_a_material_deletes_the_file_after_commit(
    team, django_capture_on_commit_callbacks
):
    material = services.attach_material(
        user=team["zjj"],
        project=_zjj_project(),
        name="待删除.pdf",
        content=PDF,
    )
    path = ProjectMaterial.FOLDER.path_of(material.storage_name)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_material(user=team["zjj"], material=material)
    assert not path.exists()
    assert not ProjectMaterial.objects.filter(pk=material.pk).exists()


# --- leads and contacts ---------------------------------------------------------------


def test_a_lead_becomes_a_reserve_project(client, team):
    lead = LeadFactory(unit=_unit("ZJJ"))
    client.force_login(team["zjj"])
    response = client.post(
        reverse("funding:lead_convert", args=[lead.pk]),
        {"code": "CB2025-ZJJ-L1", "name": "线索转化项目", "plan_year": "2025"},
    )
    project = Project.objects.get(code="CB2025-ZJJ-L1")
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.project == project
    assert project.requested == lead.estimated and project.stage == Stage.RESERVE
    with pytest.raises(ValidationError):
        services.convert_lead(user=team["zjj"], lead=lead, code="CB2025-ZJJ-L2")


def test_every_demo_contact_is_linked_and_some_led_to_results(demo):
    contacts = Contact.objects.all()
    assert contacts.count() == 24
    assert not contacts.filter(project__isnull=True).exists()
    assert contacts.filter(result=ContactResult.FUNDED, result_receipt__isnull=False).exists()
    for contact in contacts.select_related("project", "result_receipt"):
        assert contact.project.unit_id == contact.unit_id
        if contact.result_receipt:
            assert contact.result_receipt.project_id == contact.project_id
            assert contact.result_receipt.received_on > contact.occurred_on


def test_a_contact_cannot_claim_another_units_receipt(team):
    contact = ContactFactory(unit=_unit("ZJJ"))
    receipt = ReceiptFactory(unit=_unit("FGW"))
    with pytest.raises(ValidationError):
        services.link_contact(
            user=team["zjj"],
            contact=contact,
            project=None,
            result=ContactResult.FUNDED,
            result_receipt=receipt,
        )


def test_counterparts_show_when_they_were_last_contacted(client, team):
    from funding.directory.services import save_counterpart

    department = save_counterpart(
        user=None, counterpart=None, name="省发展和改革委员会投资处", level=Level.PROVINCIAL
    )
    for day in (dt.date(2024, 3, 5), dt.date(2024, 6, 20), dt.date(2024, 5, 1)):
        ContactFactory(unit=_unit("ZJJ"), counterpart=department.name, occurred_on=day)
    client.force_login(team["office"])
    html = client.get(reverse("funding:counterpart_list")).content.decode()
    assert "省发展和改革委员会投资处" in html and "2024-06-20" in html
    assert "2024-05-01" not in html and "2024-03-05" not in html  # the latest only


def test_the_workbench_logs_a_contact_with_its_project_and_result(client, team):
    project = _zjj_project()
    receipt = ReceiptFactory(unit=project.unit, project=project)
    client.force_login(team["zjj"])
    response = client.post(
        reverse("dashboard:contact_create"),
        {
            "direction": "out",
            "occurred_on": "2024-03-01",
            "counterpart": "省财政厅经济建设处",
            "project": str(project.pk),
            "result": ContactResult.FUNDED,
            "result_receipt": str(receipt.pk),
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get(occurred_on=dt.date(2024, 3, 1), unit__code="ZJJ")
    assert contact.project == project and contact.result_receipt == receipt
    other = ReceiptFactory(unit=_unit("FGW"))
    response = client.post(
        reverse("dashboard:contact_create"),
        {
            "direction": "out",
            "occurred_on": "2024-03-02",
            "counterpart": "省财政厅",
            "result": ContactResult.FUNDED,
            "result_receipt": str(other.pk),  # not one of the unit's: not offered, refused
        },
    )
    assert response.status_code == 400
    assert not Contact.objects.filter(occurred_on=dt.date(2024, 3, 2)).exists()
