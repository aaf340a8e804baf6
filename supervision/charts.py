"""What the bulletin's charts share (the CJK font, the colours of the four classes, the title
and legend), apart from the documents, so that the province part draws its chart without
importing them."""

import io

NOTO_SANS = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
NOTO_SANS_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
NOTO_SC_INDEX = 2  # Simplified Chinese face inside the Noto CJK collections

CLASS_COLOURS = {
    "completed": (46, 125, 50),
    "ahead": (25, 118, 210),
    "behind": (245, 124, 0),
    "none": (198, 40, 40),
}


def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    path = NOTO_SANS_BOLD if bold else NOTO_SANS
    try:
        return ImageFont.truetype(path, size, index=NOTO_SC_INDEX)
    except OSError:  # no CJK font installed: still a chart, with Pillow's own font
        return ImageFont.load_default(size)


def title_and_legend(draw, width: int, title: str, font, scale: int) -> None:
    """The title at the top of a bulletin chart and, below it, the legend of the four classes
    (`font` the legend's), as every chart of the bulletin shows them."""
    draw.text(
        (width // 2, 18 * scale), title, fill="black", font=_font(16 * scale, True), anchor="mt"
    )
    x_legend = 40 * scale
    for key, label in (
        ("completed", "完成全年任务"),
        ("ahead", "超时间进度"),
        ("behind", "低于时间进度"),
        ("none", "无实绩"),
    ):
        draw.rectangle(
            [x_legend, 44 * scale, x_legend + 14 * scale, 56 * scale], fill=CLASS_COLOURS[key]
        )
        draw.text((x_legend + 18 * scale, 50 * scale), label, fill="#333", font=font, anchor="lm")
        x_legend += 40 * scale + int(draw.textlength(label, font=font))


def png_bytes(image) -> bytes:
    """A drawn chart as the PNG the documents embed (optimised: a province's bulletin holds
    several)."""
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
