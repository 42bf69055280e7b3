"""Importing the deputies' roster: all or nothing, re-import, accounts that choose their own
password, the command's exit codes and the upload for the congress office only."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import AuditRecord, Deputy, Organization, User
from proposals.imports.deputy_import import EXAMPLE_ADDRESS, deputies_import

from ..factories import DeputyFactory, OrganizationFactory, UserFactory
from .xlsx import DEPUTY_HEADER, read_back, upload, xlsx


@pytest.fixture
def baisha(db):
    return OrganizationFactory(
        kind=Organization.Kind.DELEGATION, name="白沙路街道代表团", short_name="白沙路街道",
        cc_name="白沙路街道人大工作委员会", document_prefix="",
    )


@pytest.fixture
def kuangyan(db):
    return OrganizationFactory(
        kind=Organization.Kind.DELEGATION, name="匡堰镇代表团", short_name="匡堰镇", cc_name="匡堰镇人大主席团",
        document_prefix="",
    )


def roster():
    return [
        DEPUTY_HEADER,
        ["张伟", "白沙路街道", "13800000001", "白沙路1号", "zhangwei"],
        ["张伟", "匡堰镇代表团", "0574-63000000", "", ""],  # a namesake in another delegation
        ["李  娜", "匡堰镇人大主席团", 13800000002, "匡堰镇2号", "lina"],
    ]


def test_a_roster_adds_deputies_and_accounts_that_must_choose_their_own_password(cora, baisha, kuangyan):
    result = deputies_import(by=cora, source=xlsx(*roster()))

    assert result.ok and result.created == 3
    zhang_b, zhang_k = Deputy.objects.filter(name="张伟").order_by("pk")
    assert (zhang_b.delegation, zhang_b.phone, zhang_b.address) == (baisha, "13800000001", "白沙路1号")
    assert (zhang_k.delegation, zhang_k.user) == (kuangyan, None)
    lina = Deputy.objects.get(name="李娜")
    assert lina.delegation == kuangyan and lina.phone == "13800000002"
    for deputy in (zhang_b, lina):
        account = deputy.user
        assert account.must_change_password and not account.has_usable_password()
        assert account.full_name == deputy.name and account.mobile == deputy.phone
        assert not account.check_password("jianyi-demo") and not account.check_password("")
    assert AuditRecord.objects.filter(action=AuditRecord.Action.IMPORT, user_pk=cora.pk, object_type="accounts.user").count() == 2


def test_an_imported_deputy_chooses_a_password_at_first_login(client, cora, baisha):
    deputies_import(by=cora, source=xlsx(*roster()[:2]))
    account = User.objects.get(username="zhangwei")
    account.set_password("Yi-ci-xing-2026")  # what an administrator gives in the admin
    account.save()

    logged_in = client.post(reverse("login"), {"username": "zhangwei", "password": "Yi-ci-xing-2026"})
    response = client.get(reverse("home"))

    assert logged_in.status_code == 302
    assert response.status_code == 302 and response.url.startswith(reverse("password-change"))


def test_a_roster_full_of_bad_rows_imports_nothing_and_lists_every_problem(cora, baisha, kuangyan):
    UserFactory(username="taken")
    DeputyFactory(name="王强", delegation=baisha, phone="111")
    rows = [
        DEPUTY_HEADER,
        ["陈好", "白沙路街道", "", "", ""],  # row 2: good, yet not imported
        ["", "火星镇", "", "", ""],  # row 3
        ["刘一", "白沙路街道", "", "", "taken"],  # row 4
        ["刘二", "白沙路街道", "", "", "有 空格"],  # row 5
        ["陈好", "白沙路街道代表团", "", "", ""],  # row 6: the same as row 2
        ["王强", "白沙路街道", "222", "", ""],  # row 7: already there with another phone
        ["名" * 51, "代表团", "1" * 31, EXAMPLE_ADDRESS, "taken2"],  # row 8: "代表团" fits both
        ["刘三", "匡堰镇", "", "", "TAKEN2"],  # row 9: the same login as row 8, whatever the case
    ]
    result = deputies_import(by=cora, source=xlsx(*rows))

    assert not result.ok and result.created == 0
    assert Deputy.objects.count() == 1 and not User.objects.filter(username__in=["taken2", "刘一"]).exists()
    where = {(p.row, p.column) for p in result.problems}
    assert where == {
        (3, "姓名"), (3, "代表团"), (4, "登录名"), (5, "登录名"), (6, "姓名"), (7, "姓名"),
        (8, "姓名"), (8, "代表团"), (8, "联系电话"), (8, "联系地址"), (9, "登录名"),
    }
    text = "\n".join(str(p) for p in result.problems)
    assert "系统中没有名为「火星镇」的代表团" in text and "「代表团」可指多个代表团" in text
    assert "登录名「taken」已被占用" in text and "同一代表团的同名代表与第2行重复" in text
    assert "已有代表王强，与本行不同（联系电话）" in text and "登录名与第8行重复" in text


def test_importing_the_same_roster_again_adds_nothing(cora, baisha, kuangyan):
    data = xlsx(*roster())
    deputies_import(by=cora, source=data)

    again = deputies_import(by=cora, source=data)

    assert again.ok and again.created == 0 and again.skipped == [2, 3, 4]
    assert Deputy.objects.count() == 3 and User.objects.filter(deputy__isnull=False).count() == 2


def test_only_the_congress_office_imports_deputies(alice, baisha):
    with pytest.raises(PermissionDenied):
        deputies_import(by=alice, source=xlsx(*roster()))
    assert not Deputy.objects.exists()


def _run(*argv):
    from django.core.management import ManagementUtility

    with mock.patch("django.core.management.base.connections.close_all"), pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", *argv]).execute()
        raise SystemExit(0)
    return exit_.value.code


def test_the_command_exit_codes(tmp_path, cora, admin_user, baisha, kuangyan):
    good, bad = tmp_path / "名册.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(xlsx(*roster()))
    bad.write_bytes(xlsx(DEPUTY_HEADER, ["某人", "火星镇", "", "", ""]))

    assert _run("import_deputies", str(good), "--dry-run") == 0  # the only admin, by default
    assert not Deputy.objects.exists()
    assert _run("import_deputies", str(bad), "--by", "cora") == 1
    assert _run("import_deputies", str(good), "--by", "cora") == 0
    assert Deputy.objects.count() == 3
    assert _run("import_deputies", str(good), "--by", "cora") == 3


def test_upload_preview_and_confirm(client, cora, baisha, kuangyan, django_capture_on_commit_callbacks, eager_tasks):
    client.force_login(cora)
    preview = client.post(reverse("import-upload", args=["deputies"]), {"file": upload(xlsx(*roster()), "名册.xlsx")})

    assert "将导入 3 名代表" in preview.content.decode() and not Deputy.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the worker's part, run here
        done = client.post(reverse("import-confirm", args=["deputies"]), {"token": preview.context["token"]})

    assert "已导入 3 名代表" in client.get(done.url).content.decode() and Deputy.objects.count() == 3


def test_the_template_and_its_example_row(client, cora, baisha):
    client.force_login(cora)
    response = client.get(reverse("import-template", args=["deputies"]))

    assert [c.value for c in read_back(response.content)[1]] == DEPUTY_HEADER
    result = deputies_import(by=cora, source=response.content)
    assert [str(p) for p in result.problems] == ["第2行「联系地址」：这是模板的示例行，请删除后再导入。"]
