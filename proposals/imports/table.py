"""An uploaded sheet as rows named by their header, and the checks every cell goes through.

The header is the first row that names the expected columns (a title row above it, such as
「市十八届人大二次会议代表建议汇总表」, is allowed); columns come in any order and unknown ones
are ignored. Every problem is collected with its Excel row and column, so a clerk sees them all
at once instead of one per try.
"""

import dataclasses
import datetime
import re

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.spreadsheet_reader import SpreadsheetError, sheet_read

SPACES = " \t\r\n\u3000\xa0"
HEADER_SEARCH_ROWS = 10
DATE_FORMATS = (r"(\d{4})-(\d{1,2})-(\d{1,2})", r"(\d{4})/(\d{1,2})/(\d{1,2})", r"(\d{4})\.(\d{1,2})\.(\d{1,2})",
                r"(\d{4})年(\d{1,2})月(\d{1,2})日")


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    required: bool = True  # the column must be there and each row must fill it
    example: object = ""  # the template's example row
    help: str = ""  # what the template's instructions sheet says about it


@dataclasses.dataclass(frozen=True)
class Problem:
    """One reason a file cannot be imported: where (Excel row, column name) and why."""

    row: int | None
    column: str
    message: str

    @property
    def where(self) -> str:
        parts = []
        if self.row:
            parts.append(_("第%(row)s行") % {"row": self.row})
        if self.column:
            parts.append(f"「{self.column}」")
        return "".join(parts)

    def __str__(self):
        return f"{self.where}：{self.message}" if self.where else self.message


@dataclasses.dataclass
class Record:
    row: int
    cells: dict  # column name -> raw value (None when blank or absent)


def squeeze(value: str) -> str:
    """A name without any white space: 「罗  冲」 (aligned in a printed list) is 「罗冲」."""
    return re.sub(f"[{SPACES}]+", "", value)


def _header_name(value) -> str:
    return str(value).strip(SPACES + "*＊") if value is not None else ""


def table_read(source, columns: list[Column]) -> tuple[list[Record], list[Problem]]:
    """The data rows under the header, or the problems that stop the file being read at all."""
    try:
        sheet = sheet_read(source)
    except SpreadsheetError as error:
        return [], [Problem(None, "", str(error))]
    known = {column.name for column in columns}
    candidates = sheet.rows[:HEADER_SEARCH_ROWS]
    scores = [sum(_header_name(v) in known for v in values) for _n, values in candidates]
    if not scores or max(scores) == 0:
        names = "、".join(column.name for column in columns)
        return [], [Problem(None, "", _("找不到表头行：第一行应为列名（%(names)s）。") % {"names": names})]
    header_at = scores.index(max(scores))
    header_row, header = candidates[header_at]
    positions, problems = {}, []
    for index, value in enumerate(header):
        name = _header_name(value)
        if name not in known:
            continue
        if name in positions:
            problems.append(Problem(header_row, name, _("表头中此列出现了两次。")))
        positions[name] = index
    for column in columns:
        if column.required and column.name not in positions:
            problems.append(Problem(header_row, column.name, _("表头缺少此列。")))
    records = [
        Record(row=number, cells={name: values[i] if i < len(values) else None for name, i in positions.items()})
        for number, values in sheet.rows[header_at + 1 :]
    ]
    if not problems and not records:
        problems.append(Problem(None, "", _("表头下面没有数据行。")))
    return records, problems


class RowCheck:
    """Reads one record's cells as the model wants them; each bad cell adds a problem."""

    def __init__(self, record: Record, columns: list[Column], problems: list[Problem]):
        self.record = record
        self.required = {column.name for column in columns if column.required}
        self.problems = problems
        self.count = len(problems)

    @property
    def ok(self) -> bool:
        return len(self.problems) == self.count

    def error(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.record.row, column, message))

    def _raw(self, column):
        value = self.record.cells.get(column)
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n").strip(SPACES)
        if value in (None, ""):
            if column in self.required:
                self.error(column, _("不能为空。"))
            return None
        return value

    def text(self, column: str, *, max_length: int | None = None) -> str:
        value = self._raw(column)
        if value is None:
            return ""
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, datetime.datetime | datetime.date):
            value = value.strftime("%Y-%m-%d")
        value = str(value)
        if max_length and len(value) > max_length:
            self.error(column, _("不能超过%(limit)s字（现有%(n)s字）。") % {"limit": max_length, "n": len(value)})
        return value

    def whole_number(self, column: str, *, minimum: int = 1, maximum: int = 2_147_483_647) -> int | None:
        value = self._raw(column)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            found = re.fullmatch(r"第?\s*([0-9]{1,10})\s*号?", value)
            value = int(found[1]) if found else value
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(column, _("「%(value)s」不是整数。") % {"value": value})
            return None
        if not minimum <= value <= maximum:
            self.error(column, _("应在 %(min)s 到 %(max)s 之间。") % {"min": minimum, "max": maximum})
            return None
        return value

    def date(self, column: str, *, not_after_today: bool = True) -> datetime.date | None:
        value = self._raw(column)
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            value = value.date()
        elif isinstance(value, str):
            value = _parse_date(value)
        if not isinstance(value, datetime.date):
            self.error(column, _("「%(value)s」不是日期，请填 Excel 日期或 yyyy-mm-dd（如 2026-03-02）。") % {"value": value})
            return None
        if not_after_today and value > timezone.localdate():
            self.error(column, _("日期 %(date)s 晚于今天。") % {"date": value.isoformat()})
            return None
        return value

    def choice(self, column: str, choices) -> str | None:
        """The value whose Chinese label the cell names (the TextChoices of a model field)."""
        value = self._raw(column)
        if value is None:
            return None
        with translation.override("zh-hans"):  # the file names them in Chinese, whatever the UI
            by_label = {str(label): key for key, label in choices}
        found = by_label.get(squeeze(str(value)))
        if found is None:
            self.error(column, _("「%(value)s」不是可选的值：%(labels)s。") % {"value": value, "labels": "、".join(by_label)})
        return found


def _parse_date(text: str):
    for pattern in DATE_FORMATS:
        found = re.fullmatch(pattern, text.strip())
        if found:
            try:
                return datetime.date(int(found[1]), int(found[2]), int(found[3]))
            except ValueError:
                return text
    return text


@dataclasses.dataclass
class Planned:
    """A row that passed every check: what its import will write."""

    row: int
    fields: dict


@dataclasses.dataclass
class ImportResult:
    """What a file holds: rows to write, rows already there (skipped), and every problem.
    With any problem nothing is written; ``created`` is what was written."""

    planned: list[Planned] = dataclasses.field(default_factory=list)
    skipped: list[int] = dataclasses.field(default_factory=list)
    problems: list[Problem] = dataclasses.field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def duplicates_mark(values: list[tuple[int, object]], column: str, problems: list[Problem], message: str) -> None:
    """Each (row, value) whose value an earlier row of the file already has is a problem;
    ``message`` names that earlier row as %(row)s."""
    first_row = {}
    for row, value in values:
        if value in (None, ""):
            continue
        if value in first_row:
            problems.append(Problem(row, column, message % {"row": first_row[value]}))
        else:
            first_row[value] = row


def same_text(a: str, b: str) -> bool:
    def normal(text):
        return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip(SPACES)

    return normal(a) == normal(b)


def problems_sort(problems: list[Problem], columns: list[Column]) -> None:
    """In the order a clerk reads the sheet: by row, then by column as the template orders them."""
    order = {column.name: i for i, column in enumerate(columns)}
    problems.sort(key=lambda p: (p.row or 0, order.get(p.column, -1)))
