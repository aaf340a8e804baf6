"""Builds `jiaotong.docx`: a 实施方案 whose tasks are Word's own numbered paragraphs (the
"List Number" style: the numbers are made by Word, they are not in the text), as offices
send them. Run `python policy/tests/drafting_docs/build_docx.py` to write it again."""

from pathlib import Path

from docx import Document

HERE = Path(__file__).resolve().parent

PARTS = [
    (
        "一、完善城区交通基础设施",
        [
            "实施城区主干道提升改造工程，完成人民路、解放路等5条道路改造。"
            "责任单位：市交通运输局（牵头），市城管局、市公安局。完成时限：2025年11月30日前。",
            "争取中央车购税资金支持普通国省道改造。责任单位：市交通局（牵头），市财政局。"
            "完成时限：2025年第三季度末。",
            "新建改建城区公共停车泊位2000个。责任单位：市城市管理局（牵头），市住建局、"
            "市自然资源规划局、东城街道、西城街道、南湖街道。完成时限：2025年年底前。",
        ],
    ),
    (
        "二、补齐市政设施短板",
        [
            "推进城区排水防涝设施建设，完成易涝点整治12处。"
            "责任单位：市住建局（牵头），市水利局、市应急局。完成时限：2025年6月底前。",
            "加快老旧供水管网改造，年内完成改造40公里。"
            "责任单位：市城投集团（牵头），市住建局、市供水公司。完成时限：年底前。",
            "推进城区燃气管道老化更新改造。责任单位：市住建局（牵头），市市场监管局、"
            "各乡镇（街道）。完成时限：持续推进。",
        ],
    ),
]


def build(path: Path = HERE / "jiaotong.docx") -> Path:
    document = Document()
    document.add_heading("示范市城区基础设施补短板三年行动2025年实施方案", level=1)
    document.add_paragraph(
        "为加快补齐城区基础设施短板，根据《关于加快老旧城区开发建设的实施意见》，制定本方案。"
    )
    for heading, tasks in PARTS:
        document.add_heading(heading, level=2)
        for task in tasks:
            document.add_paragraph(task, style="List Number")
    document.add_paragraph("各责任单位要于每月底前报送工作进展。")
    document.save(path)
    return path


if __name__ == "__main__":
    print(build())
