"""Plain-text layout for terminals, where a Chinese character takes two columns."""

import unicodedata


def display_width(text: str) -> int:
    """Columns `text` takes on a terminal: wide and full-width characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int, align: str = "<") -> str:
    """`text` padded with spaces to `width` display columns, left (`<`) or right (`>`)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if align == ">" else text + fill


def text_table(rows: list[list[str]], align: str) -> list[str]:
    """Lines of a table whose columns line up on a terminal; `align` holds `<`/`>` per column."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(align))]
    lines = []
    for row in rows:
        cells = zip(row, widths, align, strict=True)
        lines.append("  ".join(pad(cell, width, a) for cell, width, a in cells).rstrip())
    return lines
