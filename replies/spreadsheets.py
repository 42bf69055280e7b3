"""Excel files the app writes. Every one goes through ``append_rows``."""

# Text a spreadsheet would take for a formula or a command (formula injection, CWE-1236).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def append_rows(sheet, rows) -> None:
    """Append ``rows`` to an openpyxl sheet; text stays text, even 「=HYPERLINK(…)」."""
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
