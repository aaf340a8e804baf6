"""Plain-text layout for terminals, where a Chinese character takes two columns; text made
safe for the documents Luoshi writes."""

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


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


# --- Text for documents ----------------------------------------------------------------------

# What XML 1.0 cannot hold (C0 controls but tab, newline and carriage return; surrogates; the
# non-characters U+FFFE and U+FFFF): python-docx refuses such text with "All strings must be
# XML compatible", so one stored U+001C would fail the whole document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: Any) -> Any:
    """`value` with every character XML cannot hold removed, in texts nested anywhere in
    dicts, lists and tuples (the data a document is rendered from). Old data may hold such
    characters (text hygiene refuses them on input since design §10): a document never
    fails on stored text."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value) if not value.isprintable() else value
    if isinstance(value, dict):
        return {xml_safe(k): xml_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(xml_safe(v) for v in value)
    return value


def xml_safe_arguments(render: Callable[P, R]) -> Callable[P, R]:
    """A document writer whose every text argument passes through `xml_safe` first."""

    @functools.wraps(render)
    def safe(*args: P.args, **kwargs: P.kwargs) -> R:
        return render(*xml_safe(args), **xml_safe(kwargs))

    return safe
