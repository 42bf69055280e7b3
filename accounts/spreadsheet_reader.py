"""Excel files the app reads (imports). Every upload goes through here, the one guarded door.

An uploaded workbook is untrusted: it is checked for size and type (a real .xlsx zip, not just
its name, no macros, not a zip bomb), parsed by openpyxl only while defusedxml guards its XML
(entity bombs and external entities are refused, not expanded), read in read-only mode with
cached values instead of formulas, and bounded in rows, columns and text per cell. Any breach
is a ``SpreadsheetError`` with a Chinese message; nothing is read further.
"""

import dataclasses
import datetime
import io
import zipfile

import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and password-protected .xlsx)
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
MAX_ZIP_ENTRIES = 2000


class SpreadsheetError(ValueError):
    """The file was refused; the message says why, in words for the person who uploaded it."""


@dataclasses.dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_unpacked_bytes: int
    max_rows: int
    max_columns: int
    max_cell_chars: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            max_bytes=settings.IMPORT_MAX_UPLOAD_BYTES,
            max_unpacked_bytes=settings.IMPORT_MAX_UNPACKED_BYTES,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
            max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        )


@dataclasses.dataclass(frozen=True)
class SheetRows:
    """The first sheet's non-empty rows, each with its Excel row number (1 is the top row)."""

    title: str
    rows: list[tuple[int, tuple]]


def megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, size // 1024)} KB"
    return f"{size / (1024 * 1024):.3g} MB"


def _require_defused_xml() -> None:
    # openpyxl uses defusedxml only when it is installed and not switched off
    # (OPENPYXL_DEFUSEDXML=False); without it an upload could expand an entity bomb.
    if not openpyxl.DEFUSEDXML:
        raise ImproperlyConfigured("openpyxl must parse uploads with defusedxml installed and enabled")


def _refused_xml(exc: BaseException) -> bool:
    """Whether defusedxml refused a part (openpyxl re-raises it as a ValueError of its own)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, DefusedXmlException):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _unreadable(exc: BaseException, message: str) -> SpreadsheetError:
    if _refused_xml(exc):
        return SpreadsheetError(_("文件含有不允许的 XML 实体或外部引用，出于安全原因已拒绝读取。"))
    return SpreadsheetError(message)


def _as_file(source):
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    if hasattr(source, "read"):
        source.seek(0)
        return source
    return open(source, "rb")  # noqa: SIM115 - closed by the caller


def _check_container(handle, limits: Limits) -> None:
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    if size > limits.max_bytes:
        raise SpreadsheetError(
            _("文件大小为 %(size)s，超过上限 %(limit)s。") % {"size": megabytes(size), "limit": megabytes(limits.max_bytes)}
        )
    magic = handle.read(4)
    handle.seek(0)
    if magic == OLE_MAGIC:
        raise SpreadsheetError(_("这是旧版 .xls 文件或加密的工作簿，请在 Excel 中另存为 .xlsx（不设密码）后再上传。"))
    if magic != ZIP_MAGIC:
        raise SpreadsheetError(_("这不是 Excel 工作簿（.xlsx）文件。"))
    try:
        with zipfile.ZipFile(handle) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise SpreadsheetError(_("文件已损坏，不是有效的 Excel 工作簿（.xlsx）。")) from exc
    finally:
        handle.seek(0)
    names = {entry.filename for entry in entries}
    if any(part not in names for part in REQUIRED_PARTS):
        raise SpreadsheetError(_("这不是 Excel 工作簿（.xlsx）文件。"))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise SpreadsheetError(_("不接受含宏的工作簿，请另存为不含宏的 .xlsx 文件。"))
    if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > limits.max_unpacked_bytes:
        raise SpreadsheetError(
            _("工作簿解压后超过 %(limit)s，不予读取。") % {"limit": megabytes(limits.max_unpacked_bytes)}
        )


def _checked(value, row: int, column: int, limits: Limits):
    if isinstance(value, str) and len(value) > limits.max_cell_chars:
        raise SpreadsheetError(
            _("第%(row)s行第%(column)s列的文字超过 %(limit)s 字。")
            % {"row": row, "column": get_column_letter(column), "limit": limits.max_cell_chars}
        )
    if isinstance(value, datetime.time | datetime.timedelta):
        return str(value)
    return value


def _rows(sheet, limits: Limits) -> list[tuple[int, tuple]]:
    rows = []
    # One column past the limit is read so that a value there can be refused.
    for number, values in enumerate(
        sheet.iter_rows(values_only=True, max_col=limits.max_columns + 1), start=1
    ):
        values = tuple(values)
        while values and (values[-1] is None or values[-1] == ""):
            values = values[:-1]
        if not any(value not in (None, "") for value in values):
            continue
        if len(values) > limits.max_columns:
            raise SpreadsheetError(
                _("第%(row)s行超过 %(limit)s 列，不予读取。") % {"row": number, "limit": limits.max_columns}
            )
        if len(rows) > limits.max_rows:  # the header row plus max_rows rows of data
            raise SpreadsheetError(_("数据超过 %(limit)s 行，请分成几个文件导入。") % {"limit": limits.max_rows})
        rows.append((number, tuple(_checked(v, number, i, limits) for i, v in enumerate(values, start=1))))
    return rows


def sheet_read(source, *, limits: Limits | None = None) -> SheetRows:
    """The first sheet of an uploaded .xlsx (bytes, a path or an open file), checked and bounded.

    Raises ``SpreadsheetError`` with a Chinese message when the file is refused.
    """
    _require_defused_xml()
    limits = limits or Limits.from_settings()
    handle = _as_file(source)
    try:
        _check_container(handle, limits)
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:  # openpyxl raises many kinds for a malformed part
            raise _unreadable(exc, _("文件已损坏，不是有效的 Excel 工作簿（.xlsx）。")) from exc
        try:
            if not book.worksheets:
                raise SpreadsheetError(_("工作簿中没有工作表。"))
            sheet = book.worksheets[0]
            return SheetRows(title=sheet.title, rows=_rows(sheet, limits))
        except SpreadsheetError:
            raise
        except Exception as exc:
            raise _unreadable(exc, _("工作表无法读取，文件可能已损坏。")) from exc
        finally:
            book.close()
    finally:
        if not hasattr(source, "read"):
            handle.close()
