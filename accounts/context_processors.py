from .roles import roles_of


def roles(request):
    """Expose the signed-in user's roles to templates (navigation only; views check on their own)."""
    return {"roles": roles_of(request.user)}
