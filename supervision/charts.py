"""What the bulletin's charts share (the CJK font and the colours of the four classes), apart
from the documents, so that the province part draws its chart without importing them."""

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
