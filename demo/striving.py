"""The demo's striving pipeline (design §9): a 2025 reserve with descriptions, follow-up
people and materials, guides published in June 2024 that it fits, and the 24 demo contacts
linked to the projects they were about and to what they led to.

Loaded by `demo.loader.load_demo` after the people exist, through the services, idempotently.
Nothing here is money: the figures of the speech stay exactly as they are.
"""

import datetime as dt

from django.contrib.auth import get_user_model

from common.money import YUAN_PER_WAN
from funding import services as funding
from funding.choices import ContactResult, Stage
from funding.models import Channel, Contact, Project, ProjectStageChange, Receipt
from org.models import Section, Unit

# channel code → its checklist (申报材料清单); None: every channel
CHECKLISTS = {
    None: ["项目申报表"],
    "ZYYS": ["可行性研究报告批复", "用地预审意见", "环境影响评价批复", "资金申请报告"],
    "ZYCZ": ["项目实施方案", "绩效目标表"],
    "TBGZ": ["可行性研究报告批复", "用地预审意见", "资金申请报告"],
    "ZXZQ": ["可行性研究报告批复", "融资平衡方案", "法律意见书"],
    "SJZX": ["项目实施方案", "绩效目标表"],
    "SJJB": ["项目实施方案"],
}

# code, unit, name, channel, total investment (万元), requested (万元), section, description,
# materials attached
RESERVE = [
    (
        "CB2025-ZJJ-01",
        "ZJJ",
        "城区燃气管道老化更新改造工程",
        "TBGZ",
        18600,
        9000,
        "规划计划科",
        "更新改造使用年限超过20年的市政燃气管道86公里及庭院管道，消除老城区燃气安全隐患。",
        ["项目申报表", "可行性研究报告批复"],
    ),
    (
        "CB2025-ZJJ-02",
        "ZJJ",
        "南湖片区城镇老旧小区改造项目",
        "ZYCZ",
        12800,
        5200,
        "项目管理科",
        "改造2000年底前建成的老旧小区28个，更新水电气路等基础设施，加装电梯，完善养老和停车配套。",
        ["项目申报表", "项目实施方案"],
    ),
    (
        "CB2025-ZJJ-03",
        "ZJJ",
        "东关城中村改造配套基础设施项目",
        "ZYYS",
        26000,
        8000,
        "规划计划科",
        "为东关城中村改造安置区配套建设道路、供排水、供电、燃气和消防设施，服务安置居民3200户。",
        ["项目申报表"],
    ),
    (
        "CB2025-CGJ-01",
        "CGJ",
        "城区易涝积水点整治及排涝泵站建设项目",
        "ZYYS",
        9800,
        4500,
        "",
        "整治城区易涝积水点17处，新建排涝泵站2座，扩建排水管网，推进海绵城市建设。",
        ["项目申报表"],
    ),
    (
        "CB2025-SLJ-01",
        "SLJ",
        "清水河中小河流治理工程",
        "ZYCZ",
        7600,
        4000,
        "",
        "治理清水河河道26公里，实施河道清淤疏浚、堤防加固和护岸整治，提升城区防洪能力。",
        ["项目申报表", "项目实施方案"],
    ),
    (
        "CB2025-JTJ-01",
        "JTJ",
        "G235国道城区过境段改建工程",
        "ZYCZ",
        32000,
        12000,
        "项目管理科",
        "改建国道G235城区过境段18公里，按一级公路标准建设，缓解老城区过境交通压力。",
        ["项目申报表"],
    ),
    (
        "CB2025-WJW-01",
        "WJW",
        "市人民医院传染病救治能力提升项目",
        "ZYYS",
        15000,
        6000,
        "",
        "新建传染病救治病区和负压病房，提升县域医疗中心传染病救治能力。",
        ["项目申报表"],
    ),
    (
        "CB2025-JYJ-01",
        "JYJ",
        "第二高级中学扩容建设项目",
        "ZYYS",
        11000,
        5000,
        "",
        "普通高中扩容，新建教学楼和学生宿舍，增加学位1500个，服务老城区学生就近入学。",
        ["项目申报表"],
    ),
    (
        "CB2025-MZJ-01",
        "MZJ",
        "老城区社区养老服务中心建设项目",
        "SJZX",
        3600,
        1800,
        "",
        "在老城区12个社区建设社区养老服务中心和老年助餐点，提供日间照料和居家养老服务。",
        ["项目申报表", "项目实施方案", "绩效目标表"],
    ),
    (
        "CB2025-SWJ-01",
        "SWJ",
        "老街商业步行街改造提升项目",
        "SJJB",
        5200,
        2000,
        "",
        "对老街商业步行街实施基础设施改造、业态提升和智慧化建设，发展夜间经济。",
        ["项目申报表"],
    ),
]

# code, title, issuer, level, channel, published, deadline, units, scope, conditions
GUIDES = [
    (
        "ZN2024-101",
        "2025年超长期特别国债城市地下管网更新改造项目申报通知",
        "国家发展改革委",
        "central",
        "TBGZ",
        dt.date(2024, 6, 24),
        dt.date(2024, 7, 26),
        ["ZJJ", "CTJT"],
        "支持城市燃气管道、供水管网、排水管网等地下管网老化更新改造，重点支持48个重点老旧城区。",
        "管网使用年限超过20年或存在安全隐患，已完成可行性研究报告批复。",
    ),
    (
        "ZN2024-102",
        "2025年城镇老旧小区改造中央补助资金申报指南",
        "省住房和城乡建设厅",
        "central",
        "ZYCZ",
        dt.date(2024, 6, 27),
        dt.date(2024, 8, 15),
        ["ZJJ"],
        "支持2000年底前建成的城镇老旧小区改造，重点改造水电气路等基础设施，加装电梯，完善养老、托育、停车等配套。",
        "改造小区已纳入2025年改造计划，居民改造意愿强烈。",
    ),
    (
        "ZN2024-103",
        "2025年中央预算内投资保障性安居工程（城中村改造）专项申报通知",
        "国家发展改革委",
        "central",
        "ZYYS",
        dt.date(2024, 6, 28),
        dt.date(2024, 8, 30),
        ["ZJJ"],
        "支持城中村改造项目配套基础设施建设，包括道路、供排水、供电、燃气、消防等设施。",
        "项目已纳入城中村改造计划，完成可研批复和用地预审。",
    ),
    (
        "ZN2024-104",
        "2025年城市排水防涝能力提升项目申报指南",
        "国家发展改革委",
        "central",
        "ZYYS",
        dt.date(2024, 6, 21),
        dt.date(2024, 7, 31),
        ["CGJ", "ZJJ"],
        "支持城市排水管网、排涝泵站、调蓄设施建设和易涝积水点整治，推进海绵城市建设。",
        "城市内涝治理系统化实施方案已编制。",
    ),
    (
        "ZN2024-105",
        "2025年中小河流治理项目申报通知",
        "水利部",
        "central",
        "ZYCZ",
        dt.date(2024, 6, 19),
        dt.date(2024, 7, 19),
        ["SLJ"],
        "支持中小河流治理，包括河道清淤疏浚、堤防加固、护岸整治。",
        "项目列入中小河流治理总体方案。",
    ),
    (
        "ZN2024-106",
        "2025年普通国省道改造车购税资金项目申报通知",
        "省交通运输厅",
        "central",
        "ZYCZ",
        dt.date(2024, 6, 25),
        dt.date(2024, 8, 9),
        ["JTJ"],
        "支持普通国道、省道改建和提质改造，重点支持城区过境段和瓶颈路段。",
        "项目纳入省普通国省道建设规划。",
    ),
    (
        "ZN2024-107",
        "2025年社区养老服务设施建设补助资金申报通知",
        "省民政厅",
        "provincial",
        "SJZX",
        dt.date(2024, 6, 26),
        dt.date(2024, 8, 20),
        ["MZJ"],
        "支持社区养老服务中心、老年助餐点建设和居家适老化改造。",
        "设施产权清晰，运营主体已确定。",
    ),
]

# a minimal valid PDF standing in for a scanned document
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def load(units: dict[str, Unit]) -> None:
    channels = {c.code: c for c in Channel.objects.all()}
    requirements = {}
    for code, names in CHECKLISTS.items():
        for order, name in enumerate(names, start=1):
            requirement, _ = funding.save_material_requirement(
                user=None, channel=channels.get(code) if code else None, name=name, sort_order=order
            )
            requirements[(code, name)] = requirement
    _reserve(units, channels, requirements)
    _guides(units, channels)
    _link_contacts()


def _reserve(units, channels, requirements) -> None:
    people = {
        user.membership.unit_id: user
        for user in get_user_model()
        .objects.filter(membership__role="unit_officer")
        .select_related("membership")
    }
    for code, unit_code, name, channel_code, total, requested, section, text, files in RESERVE:
        if Project.objects.filter(code=code).exists():
            continue
        unit = units[unit_code]
        channel = channels[channel_code]
        project = funding.create_project(
            user=None,
            code=code,
            unit=unit,
            name=name,
            channel=channel,
            level=channel.level,
            plan_year=2025,
            total_investment=total * YUAN_PER_WAN,
            requested=requested * YUAN_PER_WAN,
            description=text,
            section=Section.objects.filter(unit=unit, name=section).first() if section else None,
            follow_up=people.get(unit.pk),
            owner="规划计划科" if section else "",
            next_follow_up_on=dt.date(2024, 7, 10),
            on=dt.date(2024, 6, 18),
        )
        for file_name in files:
            requirement = (
                requirements.get((channel_code, file_name)) or requirements[(None, file_name)]
            )
            funding.attach_material(
                user=None,
                project=project,
                name=f"{file_name}.pdf",
                content=PDF,
                requirement=requirement,
            )


def _guides(units, channels) -> None:
    for code, title, issuer, level, channel, published, deadline, unit_codes, scope, cond in GUIDES:
        funding.save_guide(
            user=None,
            code=code,
            title=title,
            issuer=issuer,
            level=level,
            channel=channels[channel],
            published_on=published,
            deadline=deadline,
            scope=scope,
            conditions=cond,
            units=[units[c] for c in unit_codes],
        )


def _link_contacts() -> None:
    """Each contact is about a project of its unit; where that project was approved or got
    money after the contact, the contact led to it."""
    projects: dict[int, list[Project]] = {}
    for project in Project.objects.exclude(stage=Stage.RESERVE).order_by("code"):
        projects.setdefault(project.unit_id, []).append(project)
    approvals = {
        project_id: on
        for project_id, on in ProjectStageChange.objects.filter(
            to_stage=Stage.APPROVED
        ).values_list("project_id", "changed_on")
    }
    receipts: dict[int, list[Receipt]] = {}
    for receipt in Receipt.objects.filter(project__isnull=False).order_by("received_on", "pk"):
        receipts.setdefault(receipt.project_id, []).append(receipt)
    for contact in Contact.objects.filter(project__isnull=True, result="").order_by("pk"):
        candidates = projects.get(contact.unit_id, [])
        if not candidates:
            continue
        later = [
            p for p in candidates if approvals.get(p.pk) and approvals[p.pk] > contact.occurred_on
        ]
        project = later[0] if later else candidates[contact.pk % len(candidates)]
        money = [r for r in receipts.get(project.pk, []) if r.received_on > contact.occurred_on]
        if money:
            result, receipt = ContactResult.FUNDED, money[0]
        elif approvals.get(project.pk, dt.date.min) > contact.occurred_on:
            result, receipt = ContactResult.APPROVED, None
        else:
            result, receipt = "", None
        funding.link_contact(
            user=None, contact=contact, project=project, result=result, result_receipt=receipt
        )
