"""The audit log (审计日志): every security event a user causes is one record that names who,
from where, when, on what and how it ended; nobody changes or deletes one, except the purge of
records past the retention."""

import datetime
import io
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.models import AuditRecord, Membership
from replies import exports, pdf, rating, workflow
from replies.selectors import current_opinion
from tests.factories import UserFactory
from tests.replies.pdf_helpers import sent_reply, signed_reply
from tests.workflow_helpers import assign, to_in_review

A, Outcome = AuditRecord.Action, AuditRecord.Outcome
ROOT = Path(__file__).resolve().parents[2]
GOOD = "Jianyi-2026!x"
WRONG = "wrong-Password-7"
ADDRESS = "10.0.0.7"


@pytest.fixture
def walter(db):
    user = UserFactory(username="walter", full_name="王五")
    user.set_password(GOOD)
    user.save()
    return user


def log_in(client, username, password, address=ADDRESS):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def records(action, **filters):
    return list(AuditRecord.objects.filter(action=action, **filters).order_by("id"))


def only(action, **filters):
    (record,) = records(action, **filters)
    return record


@pytest.fixture
def broken_writer():
    """The writer's insert fails as a broken database would: a real SQL error, which in
    PostgreSQL aborts the surrounding transaction unless the writer keeps to its savepoint."""

    def failing_insert(**fields):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO no_such_audit_table VALUES (1)")

    with mock.patch.object(AuditRecord.objects, "create", side_effect=failing_insert) as insert:
        yield insert


# --- logging in and out ------------------------------------------------------------------------


def test_a_login_is_recorded_with_who_where_and_when(client, walter):
    before = timezone.now()
    assert log_in(client, "walter", GOOD).status_code == 302
    record = only(A.LOGIN)
    assert (record.user_pk, record.username, record.address, record.outcome) == (walter.pk, "walter", ADDRESS, Outcome.SUCCESS)
    assert before <= record.created_at <= timezone.now()
    assert record.request_id  # the id of the request, also in the X-Request-ID header and the log


def test_a_failed_login_records_the_name_tried_never_the_password(client, walter):
    assert log_in(client, "walter", WRONG).status_code == 200
    assert log_in(client, "nobody-like-this", WRONG).status_code == 200
    tried = [(r.username, r.user_pk, r.outcome, r.address) for r in records(A.LOGIN)]
    assert tried == [("walter", None, Outcome.FAILURE, ADDRESS), ("nobody-like-this", None, Outcome.FAILURE, ADDRESS)]
    for record in AuditRecord.objects.all():
        assert WRONG not in " ".join(str(v) for v in record.__dict__.values())


def test_the_address_is_remote_addr_whatever_the_client_says(client, walter):
    client.post(reverse("login"), {"username": "walter", "password": GOOD}, REMOTE_ADDR=ADDRESS, HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert only(A.LOGIN).address == ADDRESS


def test_a_lockout_is_recorded_and_so_is_every_attempt_while_locked(client, walter):
    for _ in range(5):
        log_in(client, "walter", WRONG)
    assert len(records(A.LOGIN, outcome=Outcome.FAILURE)) == 5
    lockout = only(A.LOCKOUT)
    assert (lockout.username, lockout.outcome, lockout.address) == ("walter", Outcome.REFUSED, ADDRESS)
    assert log_in(client, "walter", GOOD).status_code == 429  # the right password, while locked
    assert len(records(A.LOCKOUT)) == 2 and len(records(A.LOGIN, outcome=Outcome.FAILURE)) == 6
    assert not records(A.LOGIN, outcome=Outcome.SUCCESS)


def test_a_logout_is_recorded(client, walter):
    log_in(client, "walter", GOOD)
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)
    record = only(A.LOGOUT)
    assert (record.user_pk, record.username, record.address) == (walter.pk, "walter", ADDRESS)


def test_a_record_outlives_the_account_it_names(client, walter):
    log_in(client, "walter", GOOD)
    pk = walter.pk
    walter.delete()
    assert (only(A.LOGIN).user_pk, only(A.LOGIN).username) == (pk, "walter")


# --- refusals ----------------------------------------------------------------------------------


def test_a_refused_page_is_recorded(client, alice):
    client.force_login(alice)
    response = client.get(reverse("export-new"), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 403
    record = only(A.ACCESS_DENIED)
    assert (record.username, record.outcome, record.address) == ("alice", Outcome.REFUSED, ADDRESS)
    assert record.detail == "GET /exports/new/: 只有管理员和代表工委、政府办可以批量导出。"


def test_a_page_outside_the_access_rule_is_a_404_and_not_recorded(client, stranger, proposal):
    client.force_login(stranger)
    assert client.get(reverse("proposal-detail", args=[proposal.pk])).status_code == 404
    assert not records(A.ACCESS_DENIED)


# --- downloads ---------------------------------------------------------------------------------


def test_downloading_a_reply_pdf_is_recorded(client, letters_rendered_once, media_root, proposal, cora, alice, lily, bureau_a, dora):
    reply = sent_reply(proposal, cora, alice, lily, bureau_a)
    pdf.pdf_render(reply.pdfs.get().pk)
    client.force_login(dora.user)
    assert client.get(reverse("reply-pdf", args=[reply.pk]), REMOTE_ADDR=ADDRESS).status_code == 200
    record = only(A.REPLY_PDF)
    assert (record.username, record.address, record.object_type, record.object_id) == ("dora", ADDRESS, "replies.reply", str(reply.pk))
    assert record.object_repr == str(reply)


def test_downloading_an_opinion_pdf_is_recorded(client, proposal, cora, alice, bob, bureau_a, bureau_b):
    _lead, assisting = assign(proposal, cora, bureau_a, [bureau_b])
    workflow.assignment_accept(assignment=assisting, by=bob)
    opinion = current_opinion(assisting)
    client.force_login(bob)
    with mock.patch("replies.preview.render_on_request", return_value=SimpleNamespace(content=b"%PDF-1.4\n")):
        assert client.get(reverse("opinion-pdf", args=[opinion.pk])).status_code == 200
    record = only(A.OPINION_PDF)
    assert (record.username, record.object_type, record.object_id, record.detail) == ("bob", "replies.cohandlingopinion", str(opinion.pk), "草稿")


def test_downloading_an_export_zip_is_recorded(client, letters_rendered_once, media_root, proposal, cora, alice, lily, bureau_a):
    sent_reply(proposal, cora, alice, lily, bureau_a)
    job = exports.export_run_here(by=cora, session=proposal.session)
    client.force_login(cora)
    response = client.get(reverse("export-download", args=[job.pk]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200
    record = only(A.EXPORT_DOWNLOAD)
    assert (record.username, record.address, record.object_type, record.object_id) == ("cora", ADDRESS, "replies.exportjob", str(job.pk))
    assert record.detail.endswith("答复（1件）.zip")


def test_downloading_an_evaluation_scan_is_recorded(client, media_root, proposal, cora, alice, lily, bureau_a, dora):
    reply = sent_reply(proposal, cora, alice, lily, bureau_a)
    evaluation = rating.evaluation_record_paper(
        reply=reply, deputy=dora, by=cora, work="satisfied", result="satisfied",
        scan=SimpleUploadedFile("form.pdf", b"%PDF-1.4\n% scan\n", content_type="application/pdf"),
    )
    client.force_login(cora)
    assert client.get(reverse("evaluation-scan", args=[evaluation.pk])).status_code == 200
    record = only(A.EVALUATION_SCAN)
    assert (record.username, record.object_type, record.object_id) == ("cora", "replies.evaluation", str(evaluation.pk))


# --- signing and release -----------------------------------------------------------------------


def test_signing_records_the_number_taken_and_a_refused_signing_is_recorded_too(client, proposal, cora, alice, lily, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    url = reverse("assignment-transition", args=[assignment.pk, "sign"])
    client.force_login(alice)  # staff may not sign
    assert client.post(url, {"note": ""}, REMOTE_ADDR=ADDRESS).status_code == 403
    assert only(A.ACCESS_DENIED).username == "alice" and not records(A.SIGN)
    client.force_login(lily)
    assert client.post(url, {"note": ""}, REMOTE_ADDR="10.0.0.8").status_code == 302
    reply = assignment.replies.get()
    record = only(A.SIGN)
    assert reply.document_number.startswith("慈经信建〔")
    assert (record.username, record.address, record.detail) == ("lily", "10.0.0.8", reply.document_number)
    assert (record.object_type, record.object_id) == ("replies.reply", str(reply.pk))


def test_a_signing_that_rolls_back_leaves_no_record(proposal, cora, alice, lily, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    with mock.patch.object(pdf, "pdf_queue", side_effect=RuntimeError("queue down")), pytest.raises(RuntimeError):
        workflow.reply_sign(assignment=assignment, by=lily)
    assert not records(A.SIGN)
    assert assignment.replies.get().document_number == ""


def test_releasing_a_reply_is_recorded(client, proposal, cora, alice, lily, bureau_a):
    reply = sent_reply(proposal, cora, alice, lily, bureau_a)
    client.force_login(cora)
    response = client.post(reverse("release-new", args=[reply.pk]), {"action": "release"}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    record = only(A.RELEASE)
    assert (record.username, record.address, record.object_id) == ("cora", ADDRESS, str(reply.pk))
    assert record.detail.startswith("公开文本")


# --- the Django admin ---------------------------------------------------------------------------


def user_change_data(user, memberships):
    data = {
        "username": user.username, "first_name": "", "last_name": "", "email": "",
        "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
        "full_name": user.full_name, "mobile": "", "notify_by_email": "on",
        "memberships-TOTAL_FORMS": len(memberships), "memberships-INITIAL_FORMS": len(memberships),
    }
    for i, m in enumerate(memberships):
        data.update({
            f"memberships-{i}-id": m.pk, f"memberships-{i}-user": user.pk,
            f"memberships-{i}-organization": m.organization_id, f"memberships-{i}-role": m.role,
        })
    return data


def test_changing_a_membership_in_the_admin_is_recorded_with_the_changed_fields(client, admin_user, alice):
    membership = alice.memberships.get()
    membership.role = Membership.Role.BUREAU_LEADER  # alice becomes the signer
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    response = client.post(url, user_change_data(alice, [membership]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert alice.memberships.get().role == Membership.Role.BUREAU_LEADER
    record = only(A.ADMIN_CHANGE)
    assert (record.username, record.address, record.object_type, record.object_id) == ("root", ADDRESS, "accounts.user", str(alice.pk))
    assert "岗位" in record.detail and "角色" in record.detail  # 已修改 岗位 “…” 的 角色。


def test_adding_and_deleting_in_the_admin_are_recorded(client, admin_user, bureau_a, bureau_b):
    client.force_login(admin_user)
    assert client.post(reverse("admin:accounts_organization_delete", args=[bureau_b.pk]), {"post": "yes"}).status_code == 302
    deleted = only(A.ADMIN_DELETE)
    assert (deleted.object_type, deleted.object_id, deleted.object_repr) == ("accounts.organization", str(bureau_b.pk), "市科技局")
    response = client.post(reverse("admin:accounts_organization_add"), {"kind": "bureau", "name": "慈溪市财政局", "short_name": "市财政局", "cc_name": "", "document_prefix": "慈财建"})
    assert response.status_code == 302
    assert only(A.ADMIN_ADD).object_repr == "市财政局"


def test_deleting_several_at_once_in_the_admin_records_each(client, admin_user):
    extra = [UserFactory(username=f"temp{n}") for n in range(3)]
    client.force_login(admin_user)
    response = client.post(reverse("admin:accounts_user_changelist"), {
        "action": "delete_selected", "_selected_action": [u.pk for u in extra], "post": "yes",
    })
    assert response.status_code == 302
    assert sorted(r.username for r in records(A.ADMIN_DELETE)) == ["root"] * 3
    assert sorted(r.object_repr for r in records(A.ADMIN_DELETE)) == sorted(str(u) for u in extra)


# --- nobody changes or deletes a record ------------------------------------------------------------


def test_a_record_cannot_be_changed_or_deleted(walter):
    record = audit.audit_record(action=A.LOGIN, user=walter)
    record.detail = "改写"
    with pytest.raises(ValidationError):
        record.save()
    with pytest.raises(ValidationError):
        record.delete()
    with pytest.raises(ValidationError):
        AuditRecord.objects.filter(pk=record.pk).update(detail="改写")
    assert AuditRecord.objects.get(pk=record.pk).detail == ""


def test_the_admin_shows_records_but_never_adds_changes_or_deletes_them(client, admin_user, walter):
    record = audit.audit_record(action=A.LOGIN, user=walter)
    client.force_login(admin_user)
    change = reverse("admin:accounts_auditrecord_change", args=[record.pk])
    assert client.get(change).status_code == 200  # read-only view
    assert client.post(change, {"detail": "改写"}).status_code == 403
    delete = reverse("admin:accounts_auditrecord_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:accounts_auditrecord_add")).status_code == 403
    changelist = reverse("admin:accounts_auditrecord_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"})
    assert AuditRecord.objects.filter(pk=record.pk, detail="").exists()


def test_admins_search_the_log_by_user_action_object_and_date(client, admin_user, walter, alice):
    audit.audit_record(action=A.LOGIN, user=walter)
    audit.audit_record(action=A.REPLY_PDF, user=alice, obj=alice)
    client.force_login(admin_user)
    changelist = reverse("admin:accounts_auditrecord_changelist")
    today = timezone.localdate()
    for query, shown, hidden in (
        ({"q": "walter"}, "walter", "alice"),
        ({"action__exact": "reply_pdf"}, "alice", "walter"),
        ({"q": "陈承办"}, "alice", "walter"),
        ({"created_at__year": today.year, "created_at__month": today.month, "created_at__day": today.day}, "walter", None),
    ):
        page = client.get(changelist, query).content.decode()
        assert shown in page and (hidden is None or f">{hidden}<" not in page), query


# --- the Excel export --------------------------------------------------------------------------------


def export(client, pks):
    return client.post(reverse("admin:accounts_auditrecord_changelist"), {
        "action": "export_xlsx", "_selected_action": pks, "index": "0", "select_across": "0",
    })


def test_the_export_is_an_excel_sheet_where_text_stays_text(client, admin_user):
    evil = UserFactory(username="=cmd|' /C calc'!A0")
    for name in ("+1", "-1", "@SUM(A1)"):
        audit.audit_record(action=A.LOGIN, outcome=Outcome.FAILURE, username=name)
    record = audit.audit_record(action=A.LOGIN, user=evil)
    client.force_login(admin_user)
    response = export(client, list(AuditRecord.objects.values_list("pk", flat=True)))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("时间", "用户 ID", "用户名", "地址", "操作", "结果")
    names = {row[2]: sheet.cell(row=i + 1, column=3) for i, row in enumerate(rows)}
    assert names[evil.username].data_type == "s" and names[evil.username].value == evil.username
    assert {names[n].data_type for n in ("+1", "-1", "@SUM(A1)")} == {"s"}
    (evil_row,) = [row for row in rows if row[2] == evil.username]
    assert evil_row[1] == evil.pk and evil_row[4] == "登录" and evil_row[5] == "成功"
    assert isinstance(evil_row[0], datetime.datetime)
    assert abs(evil_row[0] - timezone.localtime(record.created_at).replace(tzinfo=None)) < datetime.timedelta(seconds=1)
    assert only(A.AUDIT_EXPORT).detail == "5"  # exporting the log is itself recorded


def test_the_export_is_bounded(client, admin_user, walter):
    pks = [audit.audit_record(action=A.LOGIN, user=walter).pk for _ in range(3)]
    client.force_login(admin_user)
    with mock.patch.object(audit, "EXPORT_LIMIT", 2):
        response = export(client, pks)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "一次最多导出 2 条" in page
    assert not records(A.AUDIT_EXPORT)


# --- retention ---------------------------------------------------------------------------------------


def aged(days):
    return AuditRecord.objects.create(action=A.LOGIN, username=f"{days}d", created_at=timezone.now() - datetime.timedelta(days=days))


def test_the_purge_removes_only_records_older_than_the_retention(db, settings):
    assert settings.AUDIT_RETENTION_DAYS == 184
    kept = [aged(0), aged(183), aged(183.9)]
    aged(184.1), aged(400)
    out = io.StringIO()
    call_command("audit_purge", stdout=out)
    assert "Removed 2 audit records older than 184 days" in out.getvalue()
    assert set(AuditRecord.objects.filter(action=A.LOGIN).values_list("pk", flat=True)) == {r.pk for r in kept}
    assert only(A.AUDIT_PURGE).detail.startswith("removed 2 records")


def test_a_retention_below_six_months_stops_start_up():
    env = {**os.environ, "JIANYI_AUDIT_RETENTION_DAYS": "183", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", "import config.settings"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "JIANYI_AUDIT_RETENTION_DAYS must be at least 184" in result.stderr


# --- a record that cannot be written never breaks the action ----------------------------------------


def test_a_failed_write_is_logged_and_the_action_goes_on(client, walter, caplog, broken_writer):
    assert audit.audit_record(action=A.LOGIN, user=walter) is None
    assert "could not be written" in caplog.text
    assert log_in(client, "walter", GOOD).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert broken_writer.call_count == 2


def test_a_failed_write_inside_signing_and_release_leaves_both_done(client, proposal, cora, alice, lily, bureau_a, broken_writer):
    reply = signed_reply(proposal, cora, alice, lily, bureau_a)  # the record failed inside the transaction
    assert reply.document_number and type(reply).objects.get(pk=reply.pk).signed_at is not None
    workflow.reply_send(assignment=reply.assignment, by=alice)
    client.force_login(cora)
    assert client.post(reverse("release-new", args=[reply.pk]), {"action": "release"}).status_code == 302
    assert type(reply).objects.get(pk=reply.pk).released_at is not None
    assert not AuditRecord.objects.exists()


def test_a_failed_write_never_turns_a_download_or_a_refusal_into_an_error(client, alice, broken_writer):
    client.force_login(alice)
    assert client.get(reverse("export-new")).status_code == 403


def test_an_admin_change_goes_through_when_its_record_fails(admin_user, bureau_a, broken_writer):
    client = Client()
    client.force_login(admin_user)
    data = {"kind": "bureau", "name": bureau_a.name, "short_name": "经信局", "cc_name": "", "document_prefix": bureau_a.document_prefix}
    assert client.post(reverse("admin:accounts_organization_change", args=[bureau_a.pk]), data).status_code == 302
    bureau_a.refresh_from_db()
    assert bureau_a.short_name == "经信局"
