from common.text import display_width, pad, text_table


def test_chinese_characters_take_two_columns():
    assert display_width("FGW") == 3
    assert display_width("市水利局") == 8
    assert display_width("９,８００万元") == 13  # full-width digits are wide, the comma is not


def test_pad_counts_columns_not_characters():
    assert pad("水利局", 10) == "水利局    "
    assert pad("5%", 5, ">") == "   5%"
    assert pad("市住房和城乡建设局", 4) == "市住房和城乡建设局"  # never cut


def test_table_columns_line_up_on_a_terminal():
    lines = text_table([["单位", "金额"], ["市水利局", "1.8亿元"], ["JXJ", "600万元"]], "<>")
    assert lines == [
        "单位         金额",
        "市水利局  1.8亿元",
        "JXJ       600万元",
    ]
    assert len({display_width(line) for line in lines}) == 1
