"""Pages for proposals. Thin: read through selectors, write through proposals.workflow."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import roles_of
from replies.models import CoHandlingOpinion, Reply

from . import workflow
from .filters import ProposalFilter
from .forms import AssignForm, ConsultationForm, ProposalForm, TransitionForm
from .models import Assignment, Proposal
from .selectors import assignments_worked_by
from .states import OPEN_ASSIGNMENT_STATES, AssignmentState, ProposalState

PAGE_SIZE = 25


def proposal_for(user, pk) -> Proposal:
    """The proposal if the user may see it; 404 otherwise (never reveal that it exists)."""
    return get_object_or_404(
        Proposal.objects.visible_to(user).select_related("session", "lead_deputy__delegation"), pk=pk
    )


def assignment_for(user, pk) -> Assignment:
    return get_object_or_404(
        Assignment.objects.visible_to(user).select_related("proposal__session", "bureau"), pk=pk
    )


def _with_assignments(queryset):
    return queryset.select_related("session", "lead_deputy").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.active().select_related("bureau").order_by("-role", "id"),
        )
    )


# --- my work ----------------------------------------------------------------------------------


@login_required
def home(request):
    roles = roles_of(request.user)
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=_due_soon_days())
    context = {"today": today}
    if roles.is_bureau_member:
        mine = assignments_worked_by(request.user).select_related(
            "proposal__session", "proposal__lead_deputy", "bureau"
        )
        needs_me = [AssignmentState.ASSIGNED, AssignmentState.DRAFTING, AssignmentState.SIGNED]
        if roles.leader_bureau_ids:
            needs_me.append(AssignmentState.IN_REVIEW)
        context["bureau_todo"] = mine.filter(state__in=needs_me).order_by("due_on")
        context["bureau_waiting"] = mine.filter(
            state__in=[AssignmentState.IN_REVIEW, AssignmentState.REASSIGNMENT_REQUESTED]
        ).exclude(state__in=needs_me).order_by("due_on")
    if roles.sees_everything:
        visible = Assignment.objects.visible_to(request.user).select_related(
            "proposal__session", "proposal__lead_deputy", "bureau"
        )
        context["overdue"] = visible.overdue(today).order_by("due_on")[:50]
        context["due_soon"] = visible.open().filter(due_on__gte=today, due_on__lte=soon).order_by("due_on")[:50]
    if roles.congress_officer or roles.is_admin:
        context["to_assign"] = Proposal.objects.filter(state=ProposalState.RECEIVED).select_related(
            "session", "lead_deputy"
        )[:50]
        context["reassignment_requests"] = Assignment.objects.filter(
            state=AssignmentState.REASSIGNMENT_REQUESTED
        ).select_related("proposal__session", "bureau")
        context["to_close"] = Proposal.objects.filter(state=ProposalState.REPLIED).select_related("session")[:50]
    if roles.is_deputy:
        context["my_proposal_count"] = Proposal.objects.visible_to(request.user).count()
    context["no_role"] = not (roles.is_bureau_member or roles.sees_everything or roles.is_deputy)
    return render(request, "proposals/home.html", context)


def _due_soon_days():
    from django.conf import settings

    return settings.DUE_SOON_DAYS


# --- list and detail --------------------------------------------------------------------------


@login_required
def proposal_list(request):
    visible = Proposal.objects.visible_to(request.user)
    proposal_filter = ProposalFilter(request.GET, queryset=visible, user=request.user)
    page = Paginator(_with_assignments(proposal_filter.qs).order_by("-session__term", "-session__number", "number"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "proposals/list.html",
        {"filter": proposal_filter, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


@login_required
def proposal_detail(request, pk):
    proposal = proposal_for(request.user, pk)
    user = request.user
    assignments = list(
        proposal.assignments.select_related("bureau").prefetch_related("consultations").order_by("-role", "id")
    )
    for assignment in assignments:
        assignment.actions = workflow.available_transitions(user, assignment)
        assignment.can_edit = (
            roles_of(user).works_for(assignment.bureau_id) and assignment.state == AssignmentState.DRAFTING
        )
        assignment.can_consult = roles_of(user).works_for(assignment.bureau_id) and assignment.state != AssignmentState.WITHDRAWN
    replies = (
        Reply.objects.visible_to(user)
        .filter(assignment__proposal=proposal)
        .select_related("assignment__bureau", "signer")
        .prefetch_related("cc")
        .order_by("assignment_id", "-round")
    )
    opinions = (
        CoHandlingOpinion.objects.visible_to(user)
        .filter(assignment__proposal=proposal)
        .select_related("assignment__bureau", "signer")
    )
    roles = roles_of(user)
    return render(
        request,
        "proposals/detail.html",
        {
            "proposal": proposal,
            "assignments": assignments,
            "replies": replies,
            "opinions": opinions,
            "events": proposal.events.select_related("actor", "assignment__bureau"),
            "event_labels": workflow.EVENT_LABELS,
            "transition_form": TransitionForm(),
            "can_assign": (roles.congress_officer or roles.is_admin) and proposal.state == ProposalState.RECEIVED,
            "can_close": (roles.congress_officer or roles.is_admin) and proposal.state == ProposalState.REPLIED,
            "today": timezone.localdate(),
            "show_consultations": not roles.is_deputy or roles.sees_everything or roles.is_bureau_member,
        },
    )


# --- congress office --------------------------------------------------------------------------


def _require_congress(user):
    roles = roles_of(user)
    if not (roles.congress_officer or roles.is_admin):
        raise PermissionDenied(_("只有人大代表工委可以执行此操作。"))


@login_required
def proposal_register(request):
    _require_congress(request.user)
    form = ProposalForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            proposal = workflow.proposal_register(by=request.user, **form.cleaned_data)
        except workflow.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已登记%(label)s。") % {"label": proposal.full_label})
            return redirect("proposal-detail", pk=proposal.pk)
    return render(request, "proposals/register.html", {"form": form})


@login_required
def proposal_assign(request, pk):
    proposal = proposal_for(request.user, pk)
    _require_congress(request.user)
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.proposal_assign(
                proposal=proposal,
                leads=form.cleaned_data["leads"],
                assistants=form.cleaned_data["assistants"],
                by=request.user,
            )
        except workflow.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已交办。"))
            return redirect("proposal-detail", pk=proposal.pk)
    return render(request, "proposals/assign.html", {"form": form, "proposal": proposal})


@login_required
@require_POST
def proposal_close(request, pk):
    proposal = proposal_for(request.user, pk)
    form = TransitionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        workflow.proposal_close(proposal=proposal, by=request.user, note=note)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已办结。"))
    return redirect("proposal-detail", pk=proposal.pk)


# --- assignment transitions -------------------------------------------------------------------


def _call(action, assignment, user, data):
    note = data["note"]
    calls = {
        "accept": lambda: workflow.assignment_accept(assignment=assignment, by=user),
        "request_reassignment": lambda: workflow.assignment_request_reassignment(
            assignment=assignment, by=user, reason=note
        ),
        "approve_reassignment": lambda: workflow.assignment_approve_reassignment(
            assignment=assignment, by=user, new_bureau=data.get("new_bureau"), note=note
        ),
        "refuse_reassignment": lambda: workflow.assignment_refuse_reassignment(
            assignment=assignment, by=user, note=note
        ),
        "submit": lambda: workflow.reply_submit(assignment=assignment, by=user, note=note),
        "return": lambda: workflow.reply_return(assignment=assignment, by=user, note=note),
        "sign": lambda: workflow.reply_sign(assignment=assignment, by=user),
        "send": lambda: workflow.reply_send(assignment=assignment, by=user),
        "new_round": lambda: workflow.reply_new_round(assignment=assignment, by=user, reason=note),
        "send_opinion": lambda: workflow.opinion_send(assignment=assignment, by=user),
    }
    return calls[action]()


@login_required
@require_POST
def assignment_transition(request, pk, action):
    transition = workflow.TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    assignment = assignment_for(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("说明过长或单位无效，未执行任何操作。"))
        return redirect("proposal-detail", pk=assignment.proposal_id)
    try:
        _call(action, assignment, request.user, form.cleaned_data)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已%(action)s。") % {"action": transition.label})
    return redirect("proposal-detail", pk=assignment.proposal_id)


@login_required
def consultation_new(request, pk):
    assignment = assignment_for(request.user, pk)
    if not roles_of(request.user).works_for(assignment.bureau_id):
        raise PermissionDenied(_("只有承办单位可以记录沟通情况。"))
    form = ConsultationForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            workflow.consultation_record(assignment=assignment, by=request.user, **form.cleaned_data)
        except workflow.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已记录沟通情况。"))
            return redirect("proposal-detail", pk=assignment.proposal_id)
    return render(request, "proposals/consultation_form.html", {"form": form, "assignment": assignment})


# --- deputies ---------------------------------------------------------------------------------


@login_required
def my_proposals(request):
    roles = roles_of(request.user)
    if not roles.is_deputy:
        raise PermissionDenied(_("此页面供代表查看本人的建议。"))
    proposals = _with_assignments(Proposal.objects.visible_to(request.user)).prefetch_related(
        Prefetch(
            "assignments__replies",
            queryset=Reply.objects.visible_to(request.user).select_related("signer").order_by("-round"),
            to_attr="visible_replies",
        )
    ).order_by("-session__term", "-session__number", "number")
    return render(
        request,
        "proposals/my_proposals.html",
        {"proposals": proposals, "today": timezone.localdate(), "open_states": OPEN_ASSIGNMENT_STATES},
    )
