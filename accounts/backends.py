"""The sign-in backend: Django's, except that a signed-in request reads its user together with
the count of their unread notifications, which every page's header shows (one query, not two)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .notifications import with_unread_count


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user = with_unread_count(get_user_model()._default_manager.filter(pk=user_id)).first()
        return user if user is not None and self.user_can_authenticate(user) else None
