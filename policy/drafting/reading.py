"""The text of an uploaded policy document, as lines: .txt (UTF-8, GB18030) or .docx.

Word's own numbering (a "List Number" paragraph, or one whose numbering properties say so)
is not in a paragraph's text: each such paragraph is given its number ("1.") so the parser
sees what the reader sees. Table rows become tab-separated lines.
"""

import io
import zipfile

from django.utils.translation import gettext as _


class UnreadableDocument(ValueError):
    """The upload is neither UTF-8/GB18030 text nor a .docx python-docx can open."""


def text_of_bytes(name: str, data: bytes) -> str:
    """The document's text, lines joined by newlines."""
    if name.lower().endswith(".docx") or data[:2] == b"PK":
        return "\n".join(docx_lines(data))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument(_("The file is neither UTF-8 nor GB18030 text, nor a .docx."))


def _numbered(paragraph) -> bool:
    """Whether Word numbers this paragraph (its own numbering or its style's)."""
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return True
    style = paragraph.style
    while style is not None:
        spp = style.element.pPr
        if spp is not None and spp.numPr is not None:
            return True
        if style.name.lower().startswith("list number") or "编号" in style.name:
            return True
        style = style.base_style
    return False


def docx_lines(data: bytes) -> list[str]:
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableDocument(_("This .docx file cannot be opened.")) from error
    lines: list[str] = []
    counter = 0
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(block, document)
            text = paragraph.text.strip()
            if not text:
                continue
            if _numbered(paragraph):
                counter += 1
                text = f"{counter}. {text}"
            lines.append(text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells = [cell.text.strip().replace("\n", " ") for cell in row.cells]
                lines.append("\t".join(cells))
    return lines
