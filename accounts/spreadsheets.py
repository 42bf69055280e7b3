"""Excel files the app writes (exports, statistics, the audit log). Every one goes through here.

Text a spreadsheet would take for a formula or a command (formula injection, CWE-1236) is stored
as text, even 「=HYPERLINK(…)」. Lives in the lowest layer so every app can use the one rule.
"""

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def append_rows(sheet, rows) -> None:
    """Append ``rows`` to an openpyxl sheet (ordinary or write-only); text stays text."""
    write_only = not hasattr(sheet, "max_row")
    for row in rows:
        if write_only:
            cells = [WriteOnlyCell(sheet, value=value) for value in row]
            for cell in cells:
                if _looks_like_formula(cell.value):
                    cell.data_type = "s"
            sheet.append(cells)
            continue
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if _looks_like_formula(cell.value):
                cell.data_type = "s"
