"""Reading an uploaded table (CSV or XLSX) as finance software and Excel 台账 write them.

Both imports (finance ledger, 台账) read through here: the file's rows as raw cells, the header matched to
known columns by its spelling variants, and forgiving readers of the dates and amounts people type
(``2024-06-03``, ``2024/6/3``, ``20240603``, ``1,234.50``). Nothing is guessed: a cell that is not one of these
is refused with its row, column and reason.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from flask_babel import gettext as _

from .errors import ValidationFailed
from .field_types import AMOUNT_LIMIT, DATE_MIN

#: The most rows an import reads (a year of a county's finance ledger fits many times over).
MAX_ROWS = 100_000
_XLSX_MAGIC = b"PK\x03\x04"
_FEN = Decimal("0.01")


@dataclass(frozen=True)
class Refusal:
    """One refused cell or row: the spreadsheet's row number (the header is row 1), the column, the reason."""

    row: int
    field: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class Table:
    """The header's columns found (their canonical names → index) and the body rows with their row numbers."""

    columns: dict[str, int]
    rows: list[tuple[int, list[Any]]]
    headings: list[str] = field(default_factory=list)

    def cell(self, row: Sequence[Any], name: str) -> Any:
        index = self.columns.get(name)
        if index is None or index >= len(row):
            return None
        value = row[index]
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value


def normalise_heading(text: Any) -> str:
    """A heading as compared: no spaces of any width, no BOM, ASCII brackets, lower case."""
    if text is None:
        return ""
    value = str(text).replace("\ufeff", "").replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", value).lower()


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (the superset of GBK/GB2312 that Chinese Excel writes)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ValidationFailed({"file": _("is neither UTF-8 nor GB18030 text")}) from None


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    text = _decode(data)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error:
        raise ValidationFailed({"file": _("is not a readable CSV file")}) from None


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
#: Built-in number formats that are dates (ECMA-376 §18.8.30, with the CJK ones 27–36 and 50–58).
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _is_date_format(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
    return any(char in code for char in "ymdhs") and "general" not in code


def _xlsx_parts(archive: zipfile.ZipFile) -> tuple[str, list[str], list[bool], bool]:
    """The first sheet's path, the shared strings, which cell styles are dates, and the 1904 date system flag."""
    from lxml import etree

    workbook = etree.fromstring(archive.read("xl/workbook.xml"))
    first = workbook.find(f"{_NS}sheets/{_NS}sheet")
    rel_id = first.get(f"{_REL_NS}id")
    pr = workbook.find(f"{_NS}workbookPr")
    date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == rel_id)
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    shared: list[str] = []
    if "xl/sharedStrings.xml" in archive.namelist():
        for item in etree.fromstring(archive.read("xl/sharedStrings.xml")).iter(f"{_NS}si"):
            # Rich text runs are joined; phonetic guides (rPh) are not part of the text.
            shared.append("".join(t.text or "" for t in item.iter(f"{_NS}t")
                                  if t.getparent().tag != f"{_NS}rPh"))
    dates: list[bool] = []
    if "xl/styles.xml" in archive.namelist():
        styles = etree.fromstring(archive.read("xl/styles.xml"))
        custom = {int(f.get("numFmtId")): f.get("formatCode") or ""
                  for f in styles.iterfind(f"{_NS}numFmts/{_NS}numFmt")}
        for xf in styles.iterfind(f"{_NS}cellXfs/{_NS}xf"):
            fmt = int(xf.get("numFmtId") or 0)
            dates.append(fmt in _DATE_FORMAT_IDS or (fmt in custom and _is_date_format(custom[fmt])))
    return path, shared, dates, date1904


def _cell_value(cell, kind: str | None, shared: list[str], is_date: bool, epoch: datetime) -> Any:
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_NS}t"))
    raw = cell.findtext(f"{_NS}v")
    if raw is None:
        return None
    if kind == "s":
        return shared[int(raw)]
    if kind in ("str", "e"):
        return raw
    if kind == "b":
        return raw == "1"
    number = float(raw) if any(c in raw for c in ".eE") else int(raw)
    if is_date:
        return epoch + timedelta(days=float(number))
    if isinstance(number, float) and number.is_integer() and "e" not in raw.lower():
        return Decimal(raw)
    return Decimal(raw) if isinstance(number, float) else number


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    """The first sheet's rows, read straight from its XML with lxml (openpyxl's read-only mode takes ten times
    as long: a 10,000-row 台账 must import in seconds). Gaps between rows come out as empty rows, so row numbers
    stay those the spreadsheet shows; date-formatted numbers come out as datetimes."""
    from lxml import etree

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        path, shared, dates, date1904 = _xlsx_parts(archive)
        stream = archive.open(path)
    except (zipfile.BadZipFile, KeyError, StopIteration, AttributeError, ValueError, etree.XMLSyntaxError,
            RuntimeError, NotImplementedError, OSError, EOFError):
        # Not a zip, no first sheet, an encrypted or oddly compressed part: not a workbook we can read.
        raise ValidationFailed({"file": _("is not a readable XLSX workbook")}) from None
    epoch = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)
    expected = 1
    try:
        for _event, row in etree.iterparse(stream, events=("end",), tag=f"{_NS}row"):
            number = int(row.get("r") or expected)
            while expected < number:
                yield []
                expected += 1
            values: list[Any] = []
            for position, cell in enumerate(row.iterfind(f"{_NS}c")):
                ref = _CELL_REF.match(cell.get("r") or "")
                index = _column_index(ref.group(1)) if ref else position
                values.extend([None] * (index - len(values)))
                style = int(cell.get("s") or 0)
                is_date = style < len(dates) and dates[style]
                values.append(_cell_value(cell, cell.get("t"), shared, is_date, epoch))
            yield values
            expected = number + 1
            row.clear()
    except (etree.XMLSyntaxError, ValueError, IndexError, OverflowError, zipfile.BadZipFile, OSError, EOFError):
        raise ValidationFailed({"file": _("is not a readable XLSX workbook")}) from None
    finally:
        archive.close()


def read_table(
    stream: IO[bytes], filename: str, aliases: Mapping[str, Iterable[str]], required: Sequence[str]
) -> Table:
    """The file's first sheet (XLSX) or its text (CSV, comma or tab separated) as a ``Table``.

    ``aliases`` maps each canonical column to the headings that mean it. The header is the first row that
    names every required column (finance exports often put a title and the period above it); a missing
    required column refuses the whole file.
    """
    data = stream.read()
    if not data:
        raise ValidationFailed({"file": _("is empty")})
    is_xlsx = data.startswith(_XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm"))
    rows = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    lookup = {normalise_heading(alias): name for name, names in aliases.items() for alias in (name, *names)}
    header: dict[str, int] | None = None
    headings: list[str] = []
    body: list[tuple[int, list[Any]]] = []
    best: set[str] = set()
    for number, row in enumerate(rows, start=1):
        if header is None:
            found = {}
            for index, cell in enumerate(row):
                name = lookup.get(normalise_heading(cell))
                if name is not None and name not in found:
                    found[name] = index
            if all(name in found for name in required):
                header, headings = found, ["" if c is None else str(c) for c in row]
            elif len(found) > len(best):
                best = set(found)
            if number >= 20 and header is None:
                break
            continue
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
            continue
        if len(body) >= MAX_ROWS:
            raise ValidationFailed({"file": _("has more than %(limit)d rows", limit=MAX_ROWS)})
        body.append((number, row))
    if header is None:
        missing = [next(iter(aliases[name]), name) for name in required if name not in best]
        raise ValidationFailed({"file": _("has no header row naming the columns: %(names)s",
                                          names=", ".join(missing))})
    return Table(header, body, headings)


class CellError(Exception):
    """A cell that cannot be read as what its column holds."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def read_date(value: Any) -> date:
    """A date cell: a spreadsheet date, or text as 2024-06-03, 2024/6/3, 2024.6.3, 2024年6月3日 or 20240603."""
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise CellError(_("must be a date without a time"))
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, int) and not isinstance(value, bool) and 19000101 <= value <= 29991231:
        return read_date(str(value))
    elif isinstance(value, str):
        text = value.strip()
        # A spreadsheet date written as text may carry a midnight time: 2024-06-03 00:00:00.
        text = re.sub(r"[ T]00:00(:00)?$", "", text)
        for pattern in _DATE_PATTERNS:
            match = pattern.fullmatch(text)
            if match:
                try:
                    day = date(*(int(part) for part in match.groups()))
                except ValueError:
                    raise CellError(_("is not a date of the calendar")) from None
                break
        else:
            raise CellError(_("must be a date such as 2024-06-03, 2024/6/3 or 20240603"))
    else:
        raise CellError(_("must be a date such as 2024-06-03, 2024/6/3 or 20240603"))
    if day < DATE_MIN:
        raise CellError(_("must not be before %(day)s", day=DATE_MIN.isoformat()))
    return day


_AMOUNT_TEXT = re.compile(r"[+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")


def read_amount(value: Any, *, positive: bool = False) -> Decimal:
    """An amount in yuan: a number cell, or text with optional thousands separators (1,234,567.89), ¥ or 元.

    At most two decimals (a fen); more are refused, not rounded.
    """
    if isinstance(value, bool):
        raise CellError(_("must be an amount in yuan"))
    if isinstance(value, int | Decimal):
        exact = Decimal(value)
    elif isinstance(value, float):
        exact = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace("¥", "").replace("￥", "").removesuffix("元").strip()
        if not text.isascii() or not _AMOUNT_TEXT.fullmatch(text):
            raise CellError(_("must be an amount in yuan, such as 120000 or 120,000.00"))
        try:
            exact = Decimal(text.replace(",", "").lstrip("+"))
        except InvalidOperation:
            raise CellError(_("must be an amount in yuan, such as 120000 or 120,000.00")) from None
    else:
        raise CellError(_("must be an amount in yuan"))
    if not exact.is_finite():
        raise CellError(_("must be an amount in yuan"))
    if exact.copy_abs() >= AMOUNT_LIMIT:
        raise CellError(_("is too large"))
    amount = exact.quantize(_FEN)
    if amount != exact:
        raise CellError(_("must have at most two decimals (a fen)"))
    if amount < 0 or (positive and amount == 0):
        raise CellError(_("must be more than zero") if positive else _("must not be negative"))
    return amount


def read_text(value: Any, limit: int) -> str:
    """A text cell, numbers as written (a voucher number 12 stays ``12``), at most ``limit`` characters."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if "\x00" in text:
        raise CellError(_("must not contain NUL characters"))
    if len(text) > limit:
        raise CellError(_("is longer than %(limit)d characters", limit=limit))
    return text
