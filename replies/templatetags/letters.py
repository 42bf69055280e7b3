"""Template tags for replies and opinions, including the parts of the proposal page they fill."""

from django import template

from accounts.roles import roles_of
from replies.letter.data import cc_line
from replies.selectors import proposal_opinions, proposal_replies

register = template.Library()


@register.filter(name="cc_line")
def cc_line_filter(recipients):
    """市人大代表工委，市政府办公室，…，潘省办、胡国锋。 as the letter prints it."""
    return cc_line(list(recipients))


@register.inclusion_tag("replies/includes/proposal_documents.html", takes_context=True)
def proposal_documents(context, proposal, assignments):
    """The replies and co-handling opinions of a proposal that the page's user may read;
    ``assignments``: the page's, with their bureaus."""
    user = context["request"].user
    return {
        "replies": proposal_replies(user, proposal),
        "opinions": proposal_opinions(user, proposal, assignments),
        "manages": roles_of(user).manages_proposals,
    }
