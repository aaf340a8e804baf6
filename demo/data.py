"""The situation of the seed speech, as data (design §1).

Figures are chosen so that `luoshi summary --year 2024 --as-of 2024-06-30` reproduces the
speech: 10.7亿元 secured, 51% of the annual plan; of 17 task departments 1 completed, 4 ahead
of time progress, 8 behind, 4 with no result. Amounts here are in 万元.
"""

import datetime as dt
from zoneinfo import ZoneInfo

YEAR = 2024
AS_OF = dt.date(2024, 6, 30)
GOVERNMENT = "示范市"
DEMO_PASSWORD = "Luoshi@2024demo"

# code, name, kind, 2024 target (万元) or None, secured by 2024-06-30 (万元)
UNITS = [
    ("FGW", "市发展和改革委员会", "department", 30000, 31500),  # completed
    ("ZJJ", "市住房和城乡建设局", "department", 36000, 22000),  # ahead (target raised)
    ("JTJ", "市交通运输局", "department", 26000, 14500),  # ahead
    ("SLJ", "市水利局", "department", 18000, 9800),  # ahead
    ("ZRJ", "市自然资源和规划局", "department", 12000, 6200),  # ahead
    ("NYJ", "市农业农村局", "department", 16000, 6500),  # behind
    ("CZJ", "市财政局", "department", 12000, 4200),
    ("STJ", "市生态环境局", "department", 10000, 3600),
    ("JYJ", "市教育局", "department", 9800, 2900),
    ("WJW", "市卫生健康委员会", "department", 9000, 2300),
    ("WLJ", "市文化和旅游局", "department", 8000, 1800),
    ("SWJ", "市商务局", "department", 8000, 1100),
    ("JXJ", "市经济和信息化局", "department", 6000, 600),  # behind
    ("MZJ", "市民政局", "department", 3000, 0),  # no result
    ("RSJ", "市人力资源和社会保障局", "department", 2500, 0),
    ("KJJ", "市科学技术局", "department", 2000, 0),
    ("CGJ", "市城市管理局", "department", 1500, 0),
    ("GZW", "市国有资产监督管理委员会", "department", None, 0),
    ("SJJ", "市审计局", "department", None, 0),
    ("TJJ", "市统计局", "department", None, 0),
    ("SCJ", "市市场监督管理局", "department", None, 0),
    ("YJJ", "市应急管理局", "department", None, 0),
    ("LYJ", "市林业局", "department", None, 0),
    ("YBJ", "市医疗保障局", "department", None, 0),
    ("SJZ", "市数据资源管理局", "department", None, 0),
    ("CTJT", "市城市建设投资集团有限公司", "enterprise", None, 0),
    ("GXQ", "高新技术产业开发区管委会", "other", None, 0),
    ("JKQ", "经济技术开发区管委会", "other", None, 0),
    ("CGZ", "城关镇人民政府", "township", None, 0),
    ("DCJD", "东城街道办事处", "township", None, 0),
    ("XCJD", "西城街道办事处", "township", None, 0),
    ("NHJD", "南湖街道办事处", "township", None, 0),
    ("BSZ", "北山镇人民政府", "township", None, 0),
]
TARGET_RAISE = (
    "ZJJ",
    30000,
    dt.datetime(2024, 6, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    "《意见》出台后按市委要求调增任务",
)

# A doubtful claim (重复申报, design §3.1): 市民政局 also recorded 住建局's allocation document,
# written differently. In August, so the mid-year (and 31 July) figures stay as in the speech;
# listed as 待核实 until the office confirms it or rejects one receipt.
DOUBTFUL_CLAIM = [
    ("ZJJ", 800, dt.date(2024, 8, 12), "省财建〔2024〕701号"),
    ("MZJ", 800, dt.date(2024, 8, 20), "省财建（2024）701 号"),
]

# name, title, codes of the units overseen
LEADERS = [
    ("张明", "市委常委、常务副市长", ["FGW", "CZJ", "GZW", "SJJ", "TJJ"]),
    ("李华", "副市长", ["ZJJ", "CGJ", "CTJT", "ZRJ"]),
    ("王强", "副市长", ["JTJ", "SLJ", "YJJ"]),
    ("刘洋", "副市长", ["NYJ", "LYJ", "BSZ", "CGZ"]),
    ("陈静", "副市长", ["JYJ", "WJW", "YBJ", "MZJ", "RSJ"]),
    ("杨帆", "副市长", ["WLJ", "SWJ", "SCJ", "DCJD"]),
    ("赵磊", "副市长", ["JXJ", "KJJ", "SJZ", "GXQ", "JKQ"]),
    ("黄敏", "市政府秘书长", ["STJ", "XCJD", "NHJD"]),
]

ASPECTS = [
    ("XM", "项目"),
    ("ZJ", "资金"),
    ("TD", "土地"),
    ("RC", "人才"),
    ("CY", "产业"),
    ("JR", "金融"),
]

POLICY = {
    "title": "关于加快老旧城区开发建设的实施意见",
    "short_name": "《意见》",
    "issuer": "省人民政府办公厅",
    "doc_no": "省政办发〔2024〕18号",
    "issued_on": dt.date(2024, 5, 20),
    "summary": "加大对48个重点老旧城区的帮扶力度，从项目、资金、土地、人才、产业、金融"
    "6个方面提出支持政策。",
}

# aspect code, measure code, text
MEASURES = [
    ("XM", "一", "支持48个重点老旧城区城市更新项目优先纳入省级重大项目库"),
    ("XM", "二", "对老旧小区改造、地下管网更新项目给予前期工作经费支持"),
    ("ZJ", "三", "统筹中央预算内投资、中央财政专项资金向重点老旧城区倾斜"),
    ("ZJ", "四", "地方政府专项债券额度分配向重点老旧城区倾斜"),
    ("TD", "五", "单列重点老旧城区新增建设用地计划指标"),
    ("TD", "六", "支持存量低效用地盘活和城乡建设用地增减挂钩"),
    ("RC", "七", "选派省直单位干部和专家到重点老旧城区挂职服务"),
    ("RC", "八", "对引进的急需紧缺人才给予住房和安家补贴支持"),
    ("CY", "九", "支持老旧城区建设特色产业园区和承接产业转移"),
    ("CY", "十", "对文旅街区、商业步行街改造提升给予奖补"),
    ("JR", "十一", "引导政策性开发性金融工具支持城市更新"),
    ("JR", "十二", "支持设立城市更新基金，省级引导基金优先参股"),
]

# 56 work items: (measure code, title); lead unit, leader and co-units are assigned below.
WORK_ITEMS = [
    ("一", "梳理城市更新项目清单并争取纳入省级重大项目库"),
    ("一", "争取老城片区综合改造项目列入省重点项目"),
    ("一", "争取历史文化街区保护利用项目纳入省级项目库"),
    ("一", "争取城区排水防涝设施建设项目列入省重点"),
    ("一", "谋划储备2025年城市更新项目"),
    ("二", "争取老旧小区改造前期工作经费"),
    ("二", "争取城市地下管网更新改造前期经费"),
    ("二", "争取燃气管道老化更新改造前期经费"),
    ("二", "争取供水管网改造项目前期经费"),
    ("二", "编制城市更新专项规划并争取省级补助"),
    ("三", "争取中央预算内投资支持保障性安居工程"),
    ("三", "争取中央财政城镇老旧小区改造补助资金"),
    ("三", "争取中央预算内投资支持城市停车设施建设"),
    ("三", "争取中央财政支持普通国省道改造"),
    ("三", "争取中央水利发展资金支持城区防洪工程"),
    ("三", "争取中央财政农业相关转移支付资金"),
    ("三", "争取中央预算内投资支持教育强国基础设施建设"),
    ("三", "争取中央预算内投资支持卫生健康服务能力提升"),
    ("三", "争取中央生态环境资金支持城区水环境治理"),
    ("三", "争取中央财政文化和旅游发展资金"),
    ("四", "争取新增专项债券额度支持老旧城区基础设施"),
    ("四", "谋划包装符合专项债券投向的城市更新项目"),
    ("四", "争取专项债券支持城区道路提升工程"),
    ("四", "争取专项债券支持产业园区基础设施"),
    ("四", "争取专项债券支持城区学校扩容项目"),
    ("四", "争取专项债券支持医疗卫生项目"),
    ("五", "争取单列新增建设用地计划指标"),
    ("五", "争取重点项目用地纳入省级统筹保障"),
    ("五", "争取林地定额支持重点项目建设"),
    ("六", "推进存量低效用地盘活并争取奖励指标"),
    ("六", "争取城乡建设用地增减挂钩节余指标调剂"),
    ("六", "推进城中村改造用地政策落地"),
    ("七", "争取省直单位选派干部到我市挂职"),
    ("七", "争取省级专家服务团到我市开展指导"),
    ("七", "建立与省直部门对口联系工作机制"),
    ("八", "争取省级急需紧缺人才住房补贴资金"),
    ("八", "争取省级高层次人才项目支持"),
    ("八", "争取技能人才培训补贴资金"),
    ("九", "争取省级特色产业园区认定及奖补资金"),
    ("九", "争取承接产业转移示范区政策支持"),
    ("九", "争取制造业高质量发展专项资金"),
    ("九", "争取省级科技创新平台建设资金"),
    ("九", "争取数字经济发展专项资金"),
    ("十", "争取商业步行街改造提升奖补资金"),
    ("十", "争取省级文旅街区创建奖补资金"),
    ("十", "争取县域商业体系建设资金"),
    ("十", "争取夜间文旅消费集聚区奖补"),
    ("十一", "争取政策性开发性金融工具支持城市更新项目"),
    ("十一", "对接国家开发银行城市更新专项贷款"),
    ("十一", "对接农业发展银行城乡融合项目贷款"),
    ("十一", "争取超长期特别国债项目支持"),
    ("十二", "争取省级城市更新引导基金参股设立子基金"),
    ("十二", "推动市城投集团发行城市更新债券"),
    ("十二", "争取省级国企参与城市更新合作"),
    ("十二", "建立城市更新项目融资对接机制"),
    ("十二", "争取社区养老服务设施建设补助资金"),
]

# code, name, level
CHANNELS = [
    ("ZYYS", "中央预算内投资", "central"),
    ("ZYCZ", "中央财政专项资金", "central"),
    ("TBGZ", "超长期特别国债", "central"),
    ("ZXZQ", "地方政府专项债券", "provincial"),
    ("SJZX", "省级专项资金", "provincial"),
    ("SJJB", "省级奖补资金", "provincial"),
    ("SHIJ", "市级配套资金", "municipal"),
]

# Document number prefix per issuing channel, for realistic 文号.
DOC_PREFIX = {
    "ZYYS": "发改投资〔2024〕",
    "ZYCZ": "财建〔2024〕",
    "TBGZ": "发改投资〔2024〕",
    "ZXZQ": "省财债〔2024〕",
    "SJZX": "省财建〔2024〕",
    "SJJB": "省财预〔2024〕",
    "SHIJ": "市财预〔2024〕",
}

GUIDES = [
    (
        "2024年中央预算内投资保障性安居工程专项申报指南",
        "国家发展改革委",
        "central",
        dt.date(2024, 6, 3),
        dt.date(2024, 7, 15),
        "XM",
        ["ZJJ", "FGW"],
    ),
    (
        "2024年城镇老旧小区改造中央补助资金申报通知",
        "省住房和城乡建设厅",
        "provincial",
        dt.date(2024, 6, 12),
        dt.date(2024, 7, 31),
        "ZJ",
        ["ZJJ"],
    ),
    (
        "2024年城市更新行动省级专项资金申报指南",
        "省财政厅",
        "provincial",
        dt.date(2024, 6, 18),
        dt.date(2024, 8, 10),
        "ZJ",
        ["ZJJ", "CTJT", "CZJ"],
    ),
    (
        "2024年水利发展资金项目申报指南",
        "水利部",
        "central",
        dt.date(2024, 5, 28),
        dt.date(2024, 7, 5),
        "ZJ",
        ["SLJ"],
    ),
    (
        "2024年省级特色产业园区申报办法",
        "省经济和信息化厅",
        "provincial",
        dt.date(2024, 6, 25),
        dt.date(2024, 8, 30),
        "CY",
        ["JXJ", "GXQ", "JKQ"],
    ),
    (
        "2024年急需紧缺人才住房补贴申报通知",
        "省人力资源和社会保障厅",
        "provincial",
        dt.date(2024, 6, 20),
        dt.date(2024, 7, 20),
        "RC",
        ["RSJ", "KJJ"],
    ),
    (
        "2025年超长期特别国债项目储备申报通知",
        "国家发展改革委",
        "central",
        dt.date(2024, 6, 26),
        dt.date(2024, 9, 30),
        "XM",
        ["FGW", "JTJ", "SLJ"],
    ),
    (
        "2024年县域商业体系建设专项资金申报指南",
        "省商务厅",
        "provincial",
        dt.date(2024, 5, 30),
        dt.date(2024, 6, 28),
        "CY",
        ["SWJ"],
    ),
]

COUNTERPARTS = [
    "省发展和改革委员会投资处",
    "省财政厅经济建设处",
    "省住房和城乡建设厅城建处",
    "省交通运输厅规划处",
    "省水利厅规划计划处",
    "省自然资源厅用途管制处",
    "省农业农村厅计划财务处",
    "省生态环境厅财务处",
    "省教育厅发展规划处",
    "省卫生健康委规划发展处",
    "省文化和旅游厅资源开发处",
    "省商务厅流通处",
]

# the demo's people who get example contact details (…@example.gov.cn, 1380000….)
REACHED_ROLES = {"office", "leader", "unit_officer", "unit_head"}
DEMO_USERS = [
    # username, full name, role, unit code, leader name
    ("office", "督查室 孙丽", "office", None, None),
    ("leader", "李华", "leader", None, "李华"),
    ("zjj", "住建局联络员 周伟", "unit_officer", "ZJJ", None),
    ("zjj_head", "住建局局长 吴刚", "unit_head", "ZJJ", None),
    ("sysadmin", "系统管理员", "system_admin", None, None),
    ("secadmin", "安全管理员", "security_admin", None, None),
    ("auditor", "审计管理员", "audit_admin", None, None),
]
