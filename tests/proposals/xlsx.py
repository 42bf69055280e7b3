"""Workbooks for the import tests, built in memory the way Excel would save them."""

import io
import zipfile

from openpyxl import Workbook, load_workbook

PROPOSAL_HEADER = ["编号", "标题", "领衔代表", "附议代表", "提出时间", "类别", "事由", "建议", "收到日期"]
DEPUTY_HEADER = ["姓名", "代表团", "联系电话", "联系地址", "登录名"]


def xlsx(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_back(data: bytes, sheet_index: int = 0):
    return load_workbook(io.BytesIO(data)).worksheets[sheet_index]


def with_part_replaced(data: bytes, name: str, content: bytes) -> bytes:
    """The same workbook with one part (e.g. xl/sharedStrings.xml) replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == name else source.read(item.filename))
        if name not in source.namelist():
            target.writestr(name, content)
    return out.getvalue()


def upload(data: bytes, name: str = "建议.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
