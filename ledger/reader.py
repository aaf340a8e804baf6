"""Opening a ledger file safely and streaming its rows.

A ledger arrives from outside, so before any parser sees it the file is checked: it must be
an `.xlsx` (a zip with a workbook), a `.zip` of CSV files named after the sheets, a single
`.csv` named after its sheet, or (command line) a folder of such CSV files. Zip entries are
checked for declared sizes and compression ratio (zip bombs), XML parts for DOCTYPE/ENTITY
declarations, the workbook for macros, and each sheet's row count is counted by streaming
its XML before python-calamine loads it, so memory stays bounded.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .format import SHEET_LOOKUP, Issue, LedgerError, Sheet, normalise_header

MAX_ROWS = 200_000  # per sheet
MAX_UNCOMPRESSED = 512 * 1024 * 1024  # all zip members together
MAX_RATIO = 100  # uncompressed / compressed, for members above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
_CHUNK = 1024 * 1024


@dataclass
class SheetSource:
    sheet: Sheet
    title: str  # the name as written in the file
    rows: Iterator[list]  # the header row first; values as calamine/csv give them
    first_row: int = 1  # spreadsheet row number of the header


def _fail(message: str) -> LedgerError:
    return LedgerError([Issue(message)])


def max_upload_bytes() -> int:
    return int(getattr(settings, "LEDGER_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))


def open_ledger(path: str | Path, name: str | None = None) -> tuple[list[SheetSource], list[Issue]]:
    """Check the file and return its recognised sheets (rows streamed) and warnings.

    Raises LedgerError with a clear message for anything that is not a safe ledger.
    """
    path = Path(path)
    name = name or path.name
    if path.is_dir():
        return _csv_folder(path)
    size = path.stat().st_size
    if size > max_upload_bytes():
        raise _fail(
            _("The file is larger than %(max)s MB.") % {"max": max_upload_bytes() // 1024**2}
        )
    if size == 0:
        raise _fail(_("The file is empty."))
    suffix = Path(name).suffix.lower()
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if suffix == ".csv" and not magic.startswith(b"PK"):
        sheet = _sheet_for(Path(name).stem)
        if sheet is None:
            raise _fail(_("Name the CSV file after its sheet, e.g. 到位资金.csv."))
        rows = _csv_rows(path.read_bytes(), sheet.name)
        return [SheetSource(sheet, Path(name).stem, rows)], []
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail(_("Old .xls workbooks are not accepted; save the file as .xlsx."))
    if not magic.startswith(b"PK"):
        raise _fail(_("This is not a spreadsheet (.xlsx) or a zip of CSV files."))
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _fail(_("The file is damaged (not a readable zip/xlsx).")) from None
    with archive:
        _check_sizes(infos)
        names = {info.filename for info in infos}
        if "[Content_Types].xml" in names:
            return _xlsx(path, archive, infos)
        csvs = [i for i in infos if i.filename.lower().endswith(".csv") and not i.is_dir()]
        if not csvs:
            raise _fail(_("This is not a spreadsheet (.xlsx) or a zip of CSV files."))
        sources, warnings = [], []
        for info in csvs:
            stem = Path(info.filename).stem
            sheet = _sheet_for(stem)
            if sheet is None:
                warnings.append(Issue(_("Unknown sheet ignored."), sheet=stem, warning=True))
                continue
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                raise _fail(_("The file is damaged (not a readable zip/xlsx).")) from None
            sources.append(SheetSource(sheet, stem, _csv_rows(data, stem)))
        return _ordered(sources), warnings


def _sheet_for(title: str) -> Sheet | None:
    return SHEET_LOOKUP.get(normalise_header(title))


def _ordered(sources: list[SheetSource]) -> list[SheetSource]:
    from .format import SHEETS

    order = {sheet.key: i for i, sheet in enumerate(SHEETS)}
    return sorted(sources, key=lambda s: order[s.sheet.key])


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_FLOOR and (
            info.compress_size == 0 or info.file_size / info.compress_size > MAX_RATIO
        ):
            raise _fail(_("The file is refused: it unpacks to far more than its size (zip bomb)."))
    if total > MAX_UNCOMPRESSED:
        raise _fail(_("The file is refused: it unpacks to far more than its size (zip bomb)."))


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, count_rows: bool) -> int:
    """Stream one XML part: refuse DTDs, count <row> elements (stopping past the cap)."""
    rows, tail, read = 0, b"", 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                read += len(chunk)
                if read > info.file_size + 1:  # lied about its size
                    raise _fail(
                        _("The file is refused: it unpacks to far more than its size (zip bomb).")
                    )
                data = tail + chunk
                if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                    raise _fail(_("The file is refused: it contains XML entity declarations."))
                if count_rows:
                    rows += chunk.count(b"<row ") + chunk.count(b"<row>")
                    # a tag split across chunks: count it once, from the joined tail
                    rows += (tail + chunk[:4]).count(b"<row ") + (tail + chunk[:4]).count(b"<row>")
                    if rows > MAX_ROWS + 1:
                        return rows
                tail = chunk[-4:]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        raise _fail(_("The file is damaged (not a readable zip/xlsx).")) from None
    return rows


def _xlsx(path: Path, archive: zipfile.ZipFile, infos) -> tuple[list[SheetSource], list[Issue]]:
    from python_calamine import CalamineWorkbook

    for info in infos:
        if info.filename.lower().endswith("vbaproject.bin"):
            raise _fail(_("Workbooks with macros are refused; save the file as .xlsx."))
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise _fail(_("This is not a spreadsheet (.xlsx) or a zip of CSV files."))
    sheet_parts = {}
    for info in infos:
        lower = info.filename.lower()
        if lower.endswith((".xml", ".rels", ".vml")):
            is_sheet = lower.startswith("xl/worksheets/")
            rows = _scan(archive, info, count_rows=is_sheet)
            if is_sheet:
                sheet_parts[info.filename] = rows
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
    except Exception:  # calamine raises its own error types for broken parts
        raise _fail(_("The file is damaged (not a readable zip/xlsx).")) from None
    # Which part is which sheet is only known from the relationships, so the cap applies to
    # every worksheet part: refuse if any is over it.
    if any(rows > MAX_ROWS + 1 for rows in sheet_parts.values()):
        raise _fail(_too_many_rows())
    sources, warnings = [], []
    for title in names:
        sheet = _sheet_for(title)
        if sheet is None:
            warnings.append(Issue(_("Unknown sheet ignored."), sheet=title, warning=True))
            continue
        try:
            data = workbook.get_sheet_by_name(title)
            start = data.start or (0, 0)
            rows = data.iter_rows()
        except Exception:
            raise _fail(_("The file is damaged (not a readable zip/xlsx).")) from None
        sources.append(SheetSource(sheet, title, rows, first_row=start[0] + 1))
    return _ordered(sources), warnings


def _decode(data: bytes) -> str:
    # Excel on Chinese Windows saves CSV as GBK; everything else is UTF-8 (with or without BOM).
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _too_many_rows() -> str:
    return _("A sheet has more than %(max)s rows; split the ledger into several files.") % {
        "max": f"{MAX_ROWS:,}"
    }


def _csv_rows(data: bytes, title: str) -> Iterator[list]:
    reader = csv.reader(io.StringIO(_decode(data)))
    for number, row in enumerate(reader):
        if number > MAX_ROWS + 1:
            raise LedgerError([Issue(_too_many_rows(), sheet=title)])
        yield row


def _csv_folder(folder: Path) -> tuple[list[SheetSource], list[Issue]]:
    sources, warnings = [], []
    for file in sorted(folder.glob("*.csv")):
        sheet = _sheet_for(file.stem)
        if sheet is None:
            warnings.append(Issue(_("Unknown sheet ignored."), sheet=file.stem, warning=True))
            continue
        if file.stat().st_size > max_upload_bytes():
            raise _fail(
                _("The file is larger than %(max)s MB.") % {"max": max_upload_bytes() // 1024**2}
            )
        sources.append(SheetSource(sheet, file.stem, _csv_rows(file.read_bytes(), file.stem)))
    return _ordered(sources), warnings
