"""In Chromium, the striving pipeline as a unit's officer lives it (design §9): a reserve
project with two materials, a new guide on the workbench with its countdown, the project
ranked first with reasons, "prepare application", then money on it: 到位, channel filled.
And every new page, looked at on a desktop and on a phone."""

import datetime as dt

import docx
import pytest

from conftest import login, screenshot, settle
from funding.choices import Stage
from funding.models import Guide, Project, ProjectMaterial, Receipt

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_officer_takes_a_reserve_project_from_guide_to_money(demo, new_page, tmp_path):
    # two real files: a Word document python-docx writes, and a PDF
    report = docx.Document()
    report.add_paragraph("北关片区雨污分流改造工程可行性研究报告批复")
    report_path = tmp_path / "可研批复.docx"
    report.save(report_path)
    land_path = tmp_path / "用地预审意见.pdf"
    land_path.write_bytes(MINIMAL_PDF)

    page = new_page()
    login(page, "zjj")
    page.goto("/cockpit/workbench/")
    page.click("#new-project")
    page.fill("#id_code", "CB2025-ZJJ-21")
    page.fill("#id_name", "北关片区雨污分流改造工程")
    page.fill("#id_total_investment", "9600")
    page.fill("#id_requested", "4200")
    page.fill(
        "#id_description",
        "对北关片区合流制排水管网实施雨污分流改造，新建污水管网21公里，消除城区易涝积水点。",
    )
    page.select_option("#id_channel", label="中央预算内投资")
    # a person is offered with how they are reached: “周伟（…）· mobile · e-mail”
    zhou = page.eval_on_selector(
        "#id_follow_up", "s => [...s.options].find(o => o.text.includes('周伟')).value"
    )
    page.select_option("#id_follow_up", value=zhou)
    page.click("#project-save")
    settle(page)
    project = Project.objects.get(code="CB2025-ZJJ-21")
    assert project.stage == Stage.RESERVE and project.follow_up.username == "zjj"
    for label, path in (("可行性研究报告批复", report_path), ("用地预审意见", land_path)):
        page.select_option("#id_requirement", label=label)
        page.set_input_files("#id_file", str(path))
        page.click("#material-upload")
        settle(page)
    files = ProjectMaterial.objects.filter(project=project)
    assert sorted(files.values_list("requirement__name", flat=True)) == [
        "可行性研究报告批复",
        "用地预审意见",
    ]
    assert page.locator(".checklist li.done").count() == 2
    screenshot(page, "striving-project-materials")

    # the office records a guide published today (the reporting date, 2024-06-30)
    office = new_page()
    login(office, "office")
    office.goto("/funding/guides/new/")
    office.fill("#id_title", "2025年城市排水管网雨污分流改造中央预算内投资申报通知")
    office.fill("#id_issuer", "国家发展改革委")
    office.select_option("#id_level", "central")
    office.select_option("#id_channel", label="中央预算内投资")
    office.fill("#id_published_on", "2024-06-30")
    office.fill("#id_deadline", "2024-07-19")
    office.fill("#id_scope", "支持城市排水管网雨污分流改造、污水管网新建和易涝积水点整治。")
    office.get_by_label("市住房和城乡建设局").check()
    office.click("#guide-save")
    settle(office)
    guide = Guide.objects.get(title__startswith="2025年城市排水管网雨污分流")

    page.goto("/cockpit/workbench/")
    row = page.locator(f'.guide-row[data-guide="{guide.code}"]')
    assert row.locator(".countdown").get_attribute("data-countdown") == "15"
    assert "还剩15个工作日" in row.inner_text()
    assert "北关片区雨污分流改造工程" in row.inner_text()
    screenshot(page, "striving-workbench-guide")
    row.get_by_role("link", name=guide.title).click()
    settle(page)
    first = page.locator("li.match").first
    assert first.get_attribute("data-project") == "CB2025-ZJJ-21"
    reasons = first.locator(".reasons").inner_text()
    assert "雨污分流" in reasons and "资金渠道一致" in reasons
    screenshot(page, "striving-guide-matches")
    assert first.locator("button.prepare").inner_text() == "准备申报"
    first.locator("button.prepare").click()
    settle(page)
    project.refresh_from_db()
    assert project.stage == Stage.APPLIED and project.guide == guide
    assert page.locator("[data-stage]").inner_text() == "申报"

    # later: the money arrives; recorded once, on the project, without typing the channel
    page.goto("/cockpit/workbench/")
    page.fill("#id_amount", "4200")
    page.fill("#id_received_on", "2024-09-20")
    page.fill("#id_doc_no", "发改投资〔2024〕1466号")
    page.select_option("#id_project", label=str(project))
    page.locator("#receipt-card button[type=submit]").click()
    settle(page)
    receipt = Receipt.objects.get(doc_no="发改投资〔2024〕1466号")
    assert receipt.project == project and receipt.channel.name == "中央预算内投资"
    page.goto(f"/funding/projects/{project.pk}/")
    assert page.locator("[data-stage]").inner_text() == "到位"
    assert page.locator("[data-receipt-channel]").first.inner_text() == "中央预算内投资"
    assert "4,200万元" in page.locator("[data-money=arrived]").inner_text()
    screenshot(page, "striving-project-funded")
    assert receipt.received_on == dt.date(2024, 9, 20)


NEW_PAGES = [
    ("office", "striving-guide-new", "/funding/guides/new/"),
    ("office", "striving-checklist", "/funding/materials/checklist/"),
    ("office", "striving-rates-office", "/funding/rates/?year=2024&as_of=2024-06-30"),
    ("office", "striving-cockpit-forecast", "/cockpit/"),
    ("zjj", "striving-workbench", "/cockpit/workbench/"),
    ("zjj", "striving-project-new", "/funding/projects/new/"),
    ("zjj", "striving-leads", "/funding/leads/"),
    ("zjj", "striving-counterparts", "/funding/contacts/counterparts/"),
    ("leader", "striving-rates-leader", "/funding/rates/"),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_new_page_on_a_desktop_and_a_phone(demo, new_page):
    project = Project.objects.get(code="CB2025-ZJJ-02")
    guide = Guide.objects.get(code="ZN2024-102")
    lead = project.unit.leads.first()
    contact = project.unit.contacts.first()
    pages = [
        *NEW_PAGES,
        ("zjj", "striving-project", f"/funding/projects/{project.pk}/"),
        ("zjj", "striving-project-edit", f"/funding/projects/{project.pk}/edit/"),
        ("zjj", "striving-guide", f"/funding/guides/{guide.pk}/"),
        ("office", "striving-guide-edit", f"/funding/guides/{guide.pk}/edit/"),
        ("zjj", "striving-lead-convert", f"/funding/leads/{lead.pk}/convert/"),
        ("zjj", "striving-contact", f"/funding/contacts/{contact.pk}/"),
        ("zjj", "striving-unit-forecast", f"/cockpit/unit/{project.unit_id}/"),
    ]
    for viewport, suffix in (((1366, 900), "desktop"), ((390, 844), "phone")):
        sessions = {}
        for username, name, url in pages:
            if username not in sessions:
                sessions[username] = new_page(viewport=viewport)
                login(sessions[username], username)
            page = sessions[username]
            response = page.goto(url)
            settle(page)
            assert response.status == 200, url
            # nothing wider than the screen on a phone
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{url} is {overflow}px wider than a {suffix}"
            screenshot(page, f"{name}-{suffix}")
