"""Pages for proposals. Thin: read through selectors, write through the workflow services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import require_manager, roles_of

from . import workflow
from .deadlines import opinion_deadline, reply_deadline
from .errors import WorkflowError
from .filters import ProposalFilter
from .forms import (
    AssignForm,
    ConsultationAnswerForm,
    ConsultationForm,
    ProposalForm,
    TransitionForm,
)
from .models import Consultation, Proposal
from .selectors import (
    ProposalListPaginator,
    assignment_get_visible,
    home_work,
    proposal_get_visible,
    proposal_list_order,
    proposal_page,
    with_assignments,
)
from .transitions import just_done, offered_transition

PAGE_SIZE = 25


@login_required
def home(request):
    return render(
        request, "proposals/home.html", {"work": home_work(request.user), "today": timezone.localdate()}
    )


@login_required
def proposal_list(request):
    if roles_of(request.user).is_deputy_only:
        return redirect("my-proposals")  # deputies follow their proposals in their own words
    visible = Proposal.objects.visible_to(request.user)
    proposal_filter = ProposalFilter(request.GET, queryset=visible, user=request.user)
    proposals = proposal_list_order(with_assignments(proposal_filter.qs))
    paginator = ProposalListPaginator(proposals, PAGE_SIZE, rows=with_assignments(visible))
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "proposals/list.html",
        {"filter": proposal_filter, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


@login_required
def proposal_detail(request, pk):
    proposal = proposal_get_visible(request.user, pk, co_signer_names=True)
    if roles_of(request.user).is_deputy_only:
        return redirect("my-proposal", pk=proposal.pk)  # the deputy's own view of it
    return render(
        request,
        "proposals/detail.html",
        {
            "page": proposal_page(request.user, proposal),
            "proposal": proposal,
            "transition_form": TransitionForm(),
            "today": timezone.localdate(),
        },
    )


# --- congress office --------------------------------------------------------------------------


@login_required
def proposal_register(request):
    require_manager(request.user)
    form = ProposalForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            proposal = workflow.proposal_register(by=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已登记%(label)s。") % {"label": proposal.full_label})
            return redirect("proposal-detail", pk=proposal.pk)
    return render(request, "proposals/register.html", {"form": form})


@login_required
def proposal_assign(request, pk):
    proposal = proposal_get_visible(request.user, pk)
    require_manager(request.user)
    today = timezone.localdate()
    defaults = (reply_deadline(proposal.session, today), opinion_deadline(proposal.session, today))
    form = AssignForm(request.POST or None, defaults=defaults)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.proposal_assign(
                proposal=proposal,
                leads=form.cleaned_data["leads"],
                assistants=form.cleaned_data["assistants"],
                by=request.user,
                reply_due_on=form.cleaned_data["reply_due_on"],
                opinion_due_on=form.cleaned_data["opinion_due_on"],
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已交办。"))
            return redirect("proposal-detail", pk=proposal.pk)
    return render(request, "proposals/assign.html", {"form": form, "proposal": proposal})


@login_required
@require_POST
def proposal_close(request, pk):
    proposal = proposal_get_visible(request.user, pk)
    form = TransitionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        workflow.proposal_close(proposal=proposal, by=request.user, note=note)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已办结。"))
    return redirect("proposal-detail", pk=proposal.pk)


# --- assignment transitions (every entry of the registry) -------------------------------------


@login_required
@require_POST
def assignment_transition(request, pk, action):
    transition = offered_transition(action)
    if transition is None:
        raise Http404
    assignment = assignment_get_visible(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("说明过长、单位或日期无效，未执行任何操作。"))
        return redirect("proposal-detail", pk=assignment.proposal_id)
    try:
        transition.run(
            assignment=assignment,
            by=request.user,
            note=form.cleaned_data["note"],
            new_bureau=form.cleaned_data["new_bureau"],
            new_date=form.cleaned_data["new_date"],
            code=form.cleaned_data["code"],
        )
    except WorkflowError as error:
        if just_done(assignment, transition, request.user):  # a double click: the first one did it
            messages.success(request, _("已%(action)s。") % {"action": transition.label})
        else:
            messages.error(request, str(error))
    else:
        messages.success(request, _("已%(action)s。") % {"action": transition.label})
    return redirect("proposal-detail", pk=assignment.proposal_id)


@login_required
def consultation_new(request, pk):
    assignment = assignment_get_visible(request.user, pk)
    if not roles_of(request.user).works_for(assignment.bureau_id):
        raise PermissionDenied(_("只有承办单位可以记录沟通情况。"))
    form = ConsultationForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            workflow.consultation_record(assignment=assignment, by=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已记录沟通情况。"))
            return redirect("proposal-detail", pk=assignment.proposal_id)
    return render(request, "proposals/consultation_form.html", {"form": form, "assignment": assignment})


@login_required
@require_POST
def consultation_answer(request, pk):
    """The lead deputy confirms a logged consultation or says they disagree."""
    consultation = get_object_or_404(
        Consultation.objects.visible_to(request.user).select_related("assignment__proposal"), pk=pk
    )
    form = ConsultationAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择「确认」或「有异议」。"))
    else:
        try:
            workflow.consultation_answer(consultation=consultation, by=request.user, **form.cleaned_data)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已答复沟通记录。"))
    return redirect("proposal-detail", pk=consultation.assignment.proposal_id)
