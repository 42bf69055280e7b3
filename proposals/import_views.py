"""Importing from Excel in the browser, for the congress office: upload, preview, confirm.

The upload is bounded while it arrives and then checked and previewed without writing
anything; the file waits under a random name known only to the uploader's session, and the
confirmation checks it again (others may have registered meanwhile) and imports it all or
nothing through the same services as ``manage.py import_proposals`` / ``import_deputies``.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import audit_record
from accounts.limits import limited
from accounts.models import AuditRecord
from accounts.roles import require_manager
from accounts.spreadsheet_reader import megabytes

from .imports import uploads
from .imports.jobs import import_job_start, import_job_status
from .imports.kinds import KINDS, PREVIEW_HEADERS, ImportKind, template_xlsx
from .models import ImportJob, Session

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROWS = 1000  # rows shown on the preview page; all of them are imported


class ImportForm(forms.Form):
    session = forms.ModelChoiceField(label=gettext_lazy("会议"), queryset=Session.objects.none())
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def __init__(self, *args, kind: ImportKind, **kwargs):
        super().__init__(*args, **kwargs)
        if kind.needs_session:
            sessions = Session.objects.order_by("-starts_on", "-pk")
            self.fields["session"].queryset = sessions
            self.fields["session"].initial = sessions.first()
        else:
            del self.fields["session"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 文件。"))
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(self.too_large_message())
        return upload

    @staticmethod
    def too_large_message() -> str:
        return _("文件超过 %(limit)s，请分成几个文件导入。") % {"limit": megabytes(settings.IMPORT_MAX_UPLOAD_BYTES)}


def _kind(slug: str) -> ImportKind:
    kind = KINDS.get(slug)
    if kind is None:
        raise Http404
    return kind


def _staged_key(kind: ImportKind) -> str:
    return f"jianyi-import-{kind.slug}"


def _preview(request, kind, result, *, session, name, token="", status=200):
    rows = [(item, kind.preview(item.fields)) for item in result.planned[:PREVIEW_ROWS]]
    return render(request, "proposals/import_preview.html", {
        "kind": kind, "result": result, "session": session, "name": name, "token": token,
        "headers": PREVIEW_HEADERS[kind.slug], "planned_rows": rows,
        "hidden_rows": max(0, len(result.planned) - PREVIEW_ROWS),
    }, status=status)


@csrf_exempt  # CSRF is checked by _upload, after the bounded upload handler is in place
@login_required
def import_upload(request, kind):
    kind = _kind(kind)
    require_manager(request.user, _("只有人大代表工委可以导入。"))
    handler = None
    if request.method == "POST":
        handler = uploads.BoundedUploadHandler(request)
        request.upload_handlers = [handler, *request.upload_handlers]
    return _upload(request, kind, handler)


@csrf_protect
def _upload(request, kind, handler):
    if request.method != "POST":
        return render(request, "proposals/import_upload.html", {"kind": kind, "form": ImportForm(kind=kind)})
    return _upload_check(request, kind, handler)


@limited("import", per_minute=settings.IMPORT_UPLOADS_PER_MINUTE)
def _upload_check(request, kind, handler):
    form = ImportForm(request.POST, request.FILES, kind=kind)
    if handler is not None and handler.too_large:  # dropped while it arrived: not "missing"
        form.is_valid()
        form.errors["file"] = form.error_class([ImportForm.too_large_message()])
    if form.errors or not form.is_valid():
        return render(request, "proposals/import_upload.html", {"kind": kind, "form": form}, status=400)
    session = form.cleaned_data.get("session")
    upload = form.cleaned_data["file"]
    token = uploads.upload_stage(upload)
    result = kind.check(session=session, source=uploads.staged_path(token))
    if result.ok and result.planned:
        request.session[_staged_key(kind)] = {
            "token": token, "name": upload.name, "session": session.pk if session else None,
            "planned": len(result.planned),
        }
    else:
        uploads.upload_discard(token)
        token = ""
    return _preview(request, kind, result, session=session, name=upload.name, token=token)


@login_required
@require_POST
def import_confirm(request, kind):
    kind = _kind(kind)
    require_manager(request.user, _("只有人大代表工委可以导入。"))
    return _confirm(request, kind)


@limited("import", per_minute=settings.IMPORT_UPLOADS_PER_MINUTE)
def _confirm(request, kind):
    staged = request.session.get(_staged_key(kind)) or {}
    token = request.POST.get("token", "")
    path = uploads.staged_path(token) if token and token == staged.get("token") else None
    if path is None:
        messages.error(request, _("这次导入已失效或已完成，请重新上传文件。"))
        return redirect("import-upload", kind=kind.slug)
    session = Session.objects.filter(pk=staged.get("session")).first() if kind.needs_session else None
    if kind.needs_session and session is None:
        raise Http404
    request.session.pop(_staged_key(kind), None)
    job = import_job_start(
        by=request.user, kind=kind, session=session, token=token, file_name=staged.get("name", ""),
        total=staged.get("planned", 0),
    )
    audit_record(
        action=AuditRecord.Action.IMPORT, request=request, obj=session,
        detail=_("%(what)s：文件「%(name)s」，%(n)s行待导入") % {
            "what": kind.title, "name": staged.get("name", ""), "n": job.total,
        },
    )
    return redirect("import-job", pk=job.pk)


def _job_for(user, pk) -> ImportJob:
    job = ImportJob.objects.visible_to(user).select_related("session", "requested_by").filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@login_required
def import_job(request, pk):
    """A confirmed import: its progress while the worker runs it, then what was imported or why not."""
    job = _job_for(request.user, pk)
    kind = KINDS[job.kind]
    problems = [{"row": row, "column": column, "message": message} for row, column, message in job.problems]
    return render(request, "proposals/import_job.html", {
        "job": job, "kind": kind, "status": import_job_status(job), "problems": problems,
    })


@login_required
def import_job_status_json(request, pk):
    return JsonResponse(import_job_status(_job_for(request.user, pk)))


@login_required
@require_GET
def import_template(request, kind):
    kind = _kind(kind)
    require_manager(request.user, _("只有人大代表工委可以导入。"))
    response = HttpResponse(template_xlsx(kind), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, kind.template_name)
    return response
