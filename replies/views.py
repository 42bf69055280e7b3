"""Drafting replies and opinions, and reading a reply."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.roles import roles_of
from proposals.models import Assignment
from proposals.states import AssignmentState
from proposals.views import assignment_for
from proposals.workflow import ConflictError, WorkflowError

from . import services
from .forms import OpinionDraftForm, ReplyDraftForm
from .models import Reply


def _editable(user, assignment: Assignment, role: str):
    if assignment.role != role:
        raise PermissionDenied(_("此交办不需要这类稿件。"))
    if not roles_of(user).works_for(assignment.bureau_id):
        raise PermissionDenied(_("只有承办单位可以起草此稿。"))


def _cc_text(reply) -> str:
    return "\n".join(reply.cc.values_list("name", flat=True))


@login_required
def reply_edit(request, pk):
    assignment = assignment_for(request.user, pk)
    _editable(request.user, assignment, Assignment.Role.LEAD)
    reply = services.current_reply(assignment)
    if reply is None or assignment.state != AssignmentState.DRAFTING:
        messages.error(request, _("当前状态为「%(state)s」，不能修改答复稿。") % {"state": assignment.get_state_display()})
        return redirect("proposal-detail", pk=assignment.proposal_id)
    marks = assignment.proposal.session.category_marks
    conflict = None
    if request.method == "POST":
        form = ReplyDraftForm(request.POST, instance=Reply(), marks=marks)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.reply_save_draft(
                    reply=reply, by=request.user, version=data["version"], body=data["body"],
                    category_mark=data["category_mark"], disclosure=data["disclosure"],
                    contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                    cc=services.parse_cc_text(data["cc_text"], services.proposal_people(assignment)),
                )
            except ConflictError as error:
                conflict = error.current
                form.add_error(None, str(error))
                # The next save starts from what is stored now; the user's text stays in the form.
                form.data = form.data.copy()
                form.data["version"] = conflict.version
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("答复稿已保存。"))
                return redirect("reply-edit", pk=assignment.pk)
    else:
        form = ReplyDraftForm(
            instance=reply, marks=marks, initial={"version": reply.version, "cc_text": _cc_text(reply)}
        )
    return render(
        request,
        "replies/reply_form.html",
        {"form": form, "assignment": assignment, "reply": reply, "conflict": conflict,
         "conflict_cc": _cc_text(conflict) if conflict else ""},
    )


@login_required
def opinion_edit(request, pk):
    assignment = assignment_for(request.user, pk)
    _editable(request.user, assignment, Assignment.Role.ASSISTING)
    opinion = getattr(assignment, "opinion", None)
    if opinion is None or assignment.state != AssignmentState.DRAFTING:
        messages.error(request, _("当前状态为「%(state)s」，不能修改协办意见。") % {"state": assignment.get_state_display()})
        return redirect("proposal-detail", pk=assignment.proposal_id)
    conflict = None
    if request.method == "POST":
        form = OpinionDraftForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.opinion_save_draft(opinion=opinion, by=request.user, **data)
            except ConflictError as error:
                conflict = error.current
                form.add_error(None, str(error))
                form.data = form.data.copy()
                form.data["version"] = conflict.version
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("协办意见已保存。"))
                return redirect("opinion-edit", pk=assignment.pk)
    else:
        form = OpinionDraftForm(instance=opinion, initial={"version": opinion.version})
    return render(
        request,
        "replies/opinion_form.html",
        {"form": form, "assignment": assignment, "opinion": opinion, "conflict": conflict},
    )


@login_required
def reply_detail(request, pk):
    reply = get_object_or_404(
        Reply.objects.visible_to(request.user).select_related(
            "assignment__proposal__session", "assignment__proposal__lead_deputy", "bureau", "signer"
        ),
        pk=pk,
    )
    return render(request, "replies/reply_detail.html", {"reply": reply, "proposal": reply.assignment.proposal})
