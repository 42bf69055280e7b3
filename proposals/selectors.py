"""Every read that depends on who is asking.

One access rule per model, used by every list, detail page, filter choice, form, export and
download. Anyone outside the rule gets an empty queryset, which views turn into 404s.
"""

from django.db.models import Exists, OuterRef, Q

from accounts.roles import roles_of

from .models import Assignment, Proposal
from .states import AssignmentState


def proposals_visible_to(user, queryset=None):
    queryset = Proposal.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    if roles.sees_everything:
        return queryset
    rule = Q(pk__in=[])
    if roles.is_bureau_member:
        rule |= Exists(
            Assignment.objects.filter(proposal=OuterRef("pk"), bureau_id__in=roles.bureau_ids)
            .exclude(state=AssignmentState.WITHDRAWN)
        )
    if roles.is_deputy:
        rule |= Q(lead_deputy_id=roles.deputy_id) | Exists(
            Proposal.co_signers.through.objects.filter(
                proposal_id=OuterRef("pk"), deputy_id=roles.deputy_id
            )
        )
    return queryset.filter(rule)


def assignments_visible_to(user, queryset=None):
    """Assignments of proposals the user may see. Bureaus see all assignments of a proposal
    they handle (the lead must know its assistants), deputies see where theirs went."""
    queryset = Assignment.objects.all() if queryset is None else queryset
    return queryset.filter(proposal__in=proposals_visible_to(user))


def assignments_worked_by(user, queryset=None):
    """Assignments the user's own bureaus handle: what they may act on."""
    queryset = Assignment.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    return queryset.filter(bureau_id__in=roles.bureau_ids).exclude(
        state=AssignmentState.WITHDRAWN
    )
