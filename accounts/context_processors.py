from django.utils.functional import SimpleLazyObject

from .notifications import notifications_unread_count
from .roles import roles_of
from .twofactor import two_factor_required


def roles(request):
    """Expose the signed-in user's roles (navigation only; views check on their own) and their
    unread notification count for the header (read with the user, ``accounts.backends``; else
    one count query, made only if a page shows it)."""
    user = request.user
    if user.is_authenticated:
        unread = SimpleLazyObject(lambda: notifications_unread_count(user))
    else:
        unread = 0
    return {
        "roles": roles_of(user),
        "unread_notifications": unread,
        "asks_for_codes": two_factor_required(user),  # signing asks for a fresh code
    }
