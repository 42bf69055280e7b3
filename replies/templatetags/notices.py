"""The 交办通知 boxes of the home page and the proposal page (which proposals' templates cannot
fetch themselves: notices live in the layer above)."""

from django import template

from accounts.roles import roles_of
from replies.notices import notices_visible, proposal_notices

register = template.Library()

HOME_NOTICES = 10


@register.inclusion_tag("replies/includes/home_notices.html", takes_context=True)
def bureau_notices(context):
    """A bureau's latest notices; for the offices only the link to all of them."""
    user = context["request"].user
    roles = roles_of(user)
    shown = roles.is_bureau_member and not roles.sees_everything
    visible = notices_visible(user) if shown else None
    return {
        "notices": list(visible[:HOME_NOTICES]) if shown else [],
        "count": visible.count() if shown else 0,
        "bureau": shown,
        "offices": roles.sees_everything,
    }


@register.inclusion_tag("replies/includes/proposal_notices.html", takes_context=True)
def proposal_notices_box(context, proposal):
    return {"notices": list(proposal_notices(context["request"].user, proposal))}
