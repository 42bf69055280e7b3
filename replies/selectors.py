"""Who may read which replies and opinions. Used by pages, downloads and exports alike."""

from django.db.models import Q

from accounts.roles import roles_of
from proposals.models import Assignment
from proposals.selectors import proposals_visible_to

from .models import CoHandlingOpinion, Reply


def replies_visible_to(user, queryset=None):
    """Drafts are the bureaus' and the offices' business; deputies and assisting bureaus see a
    reply once it is signed."""
    queryset = Reply.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    queryset = queryset.filter(assignment__proposal__in=proposals_visible_to(user))
    if roles.sees_everything:
        return queryset
    return queryset.filter(Q(signed_at__isnull=False) | Q(bureau_id__in=roles.bureau_ids))


def opinions_visible_to(user, queryset=None):
    """An opinion is for the lead bureau: the assisting bureau that writes it, the lead once it
    is sent, and the offices. Deputies don't see it."""
    queryset = CoHandlingOpinion.objects.all() if queryset is None else queryset
    roles = roles_of(user)
    if roles.sees_everything:
        return queryset
    return queryset.filter(
        Q(assignment__bureau_id__in=roles.bureau_ids)
        | Q(
            sent_at__isnull=False,
            # Only a current lead: a lead reassigned away loses the opinion with the proposal.
            assignment__proposal__in=Assignment.objects.active()
            .filter(bureau_id__in=roles.bureau_ids, role=Assignment.Role.LEAD)
            .values("proposal"),
        )
    ).distinct()
