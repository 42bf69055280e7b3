"""The deputies' roster from Excel: 姓名, 代表团, 联系电话, 联系地址 and an optional 登录名.

Checked like the proposals (any bad row: nothing is written). A deputy already in the system
with the same name, delegation and contact details is skipped; the same name and delegation
with other details is a problem (a correction is made in the admin, where it is audited).
A 登录名 creates the deputy's account with no usable password: an administrator gives a
one-time password in the admin, and the deputy chooses their own at first login.
"""

import re

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditRecord, Deputy, User
from accounts.roles import roles_of

from .directory import Directory, delegation_label
from .table import (
    Column,
    ImportResult,
    Planned,
    Problem,
    RowCheck,
    duplicates_mark,
    problems_sort,
    same_text,
    squeeze,
    table_read,
)

EXAMPLE_ADDRESS = "慈溪市白沙路街道……（示例行，导入前请删除）"
COLUMNS = [
    Column("姓名", example="张伟", help="必填"),
    Column("代表团", example="白沙路街道", help="系统中已有的代表团（全称、简称均可）"),
    Column("联系电话", required=False, example="13800000000", help="可空；手机号码同时用于短信通知"),
    Column("联系地址", required=False, example=EXAMPLE_ADDRESS, help="可空"),
    Column("登录名", required=False, example="zhangwei",
           help="可空；填写则建立登录账号，由管理员在后台设置一次性密码，代表首次登录时自行修改"),
]
NAME_MAX = Deputy._meta.get_field("name").max_length
PHONE_MAX = Deputy._meta.get_field("phone").max_length
ADDRESS_MAX = Deputy._meta.get_field("address").max_length
USERNAME_MAX = User._meta.get_field("username").max_length
MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _username(check: RowCheck) -> str:
    username = check.text("登录名", max_length=USERNAME_MAX)
    if username:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            check.error("登录名", _("只能包含字母、数字和 @ . + - _ 字符。"))
    return username


def _address(check: RowCheck) -> str:
    address = check.text("联系地址", max_length=ADDRESS_MAX)
    if address == EXAMPLE_ADDRESS:
        check.error("联系地址", _("这是模板的示例行，请删除后再导入。"))
    return address


def _row_fields(check: RowCheck, directory: Directory) -> dict:
    name = squeeze(check.text("姓名", max_length=NAME_MAX))
    delegation = None
    delegation_text = check.text("代表团")
    if delegation_text:
        delegation, why = directory.delegation(delegation_text)
        if delegation is None:
            check.error("代表团", why)
    return {
        "name": name,
        "delegation": delegation,
        "phone": check.text("联系电话", max_length=PHONE_MAX),
        "address": _address(check),
        "username": _username(check),
    }


def _existing_difference(deputy: Deputy, fields: dict) -> list[str]:
    differences = [
        label
        for label, same in (
            ("联系电话", same_text(deputy.phone, fields["phone"])),
            ("联系地址", same_text(deputy.address, fields["address"])),
        )
        if not same
    ]
    if fields["username"] and (deputy.user is None or deputy.user.username != fields["username"]):
        differences.append("登录名")
    return differences


def _check_against_system(item: Planned, result: ImportResult, directory: Directory) -> bool:
    """True when the row is new; skips it when it is already there unchanged."""
    fields = item.fields
    namesakes = [d for d in directory.by_name.get(fields["name"], []) if d.delegation_id == fields["delegation"].pk]
    if len(namesakes) > 1:
        result.problems.append(Problem(item.row, "姓名", _("「%(d)s」已有%(n)s位同名代表，无法核对，请在后台处理。") % {
            "d": delegation_label(fields["delegation"]), "n": len(namesakes)}))
        return False
    if namesakes:
        differences = _existing_difference(namesakes[0], fields)
        if not differences:
            result.skipped.append(item.row)
        else:
            result.problems.append(Problem(item.row, "姓名", _(
                "「%(d)s」已有代表%(name)s，与本行不同（%(fields)s）；请在后台修改，不要重复导入。"
            ) % {"d": delegation_label(fields["delegation"]), "name": fields["name"], "fields": "、".join(differences)}))
        return False
    if fields["username"] and User.objects.filter(username__iexact=fields["username"]).exists():
        result.problems.append(Problem(item.row, "登录名", _("登录名「%(u)s」已被占用。") % {"u": fields["username"]}))
        return False
    return True


def deputies_check(*, source) -> ImportResult:
    """Read and check a roster without writing anything."""
    result = ImportResult()
    records, result.problems = table_read(source, COLUMNS)
    if result.problems:
        return result
    directory = Directory()
    rows = []
    for record in records:
        check = RowCheck(record, COLUMNS, result.problems)
        fields = _row_fields(check, directory)
        rows.append((record.row, fields))
        if check.ok:
            result.planned.append(Planned(record.row, fields))
    duplicates_mark(
        [(row, (f["name"], f["delegation"].pk if f["delegation"] else None)) for row, f in rows],
        "姓名", result.problems, _("同一代表团的同名代表与第%(row)s行重复。"),
    )
    duplicates_mark(
        [(row, f["username"].lower()) for row, f in rows], "登录名", result.problems, _("登录名与第%(row)s行重复。")
    )
    result.planned = [item for item in result.planned if _check_against_system(item, result, directory)]
    problems_sort(result.problems, COLUMNS)
    return result


def _deputy_create(*, by, fields: dict) -> Deputy:
    user = None
    if fields["username"]:
        user = User(
            username=fields["username"],
            full_name=fields["name"],
            mobile=fields["phone"] if MOBILE.fullmatch(fields["phone"]) else "",
            must_change_password=True,
        )
        user.set_unusable_password()  # never a known default: an admin gives a one-time one
        user.full_clean()
        user.save()
        audit_record(action=AuditRecord.Action.IMPORT, user=by, obj=user, detail=_("导入代表名册时建立的代表账号"))
    deputy = Deputy(
        name=fields["name"], delegation=fields["delegation"], user=user,
        phone=fields["phone"], address=fields["address"],
    )
    deputy.full_clean()
    deputy.save()
    return deputy


def deputies_import(*, by, source, dry_run: bool = False, progress=None) -> ImportResult:
    """Check the roster and, when every row is good, add the new deputies in one transaction."""
    if not roles_of(by).manages_proposals:
        raise PermissionDenied(_("只有人大代表工委可以导入代表名册。"))
    result = deputies_check(source=source)
    if not result.ok or dry_run or not result.planned:
        return result
    item = None
    try:
        with transaction.atomic():
            for done, item in enumerate(result.planned, 1):
                _deputy_create(by=by, fields=item.fields)
                if progress:
                    progress(done, len(result.planned))
    except ValidationError as error:
        result.problems.append(Problem(item.row, "", "；".join(error.messages)))
    except IntegrityError:  # an account with this name was created meanwhile
        result.problems.append(Problem(item.row, "登录名", _("登录名刚被占用，请核对后重试。")))
    else:
        result.created = len(result.planned)
    return result
