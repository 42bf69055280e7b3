"""What a user is, as the rest of the app asks it. Computed once per request and cached on the user.

Every role question asked in more than one place has one name here.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from .models import Deputy, Membership


@dataclass(frozen=True)
class Roles:
    is_admin: bool = False
    congress_officer: bool = False
    supervisor: bool = False
    staff_bureau_ids: frozenset[int] = field(default_factory=frozenset)
    leader_bureau_ids: frozenset[int] = field(default_factory=frozenset)
    deputy_id: int | None = None

    @property
    def sees_everything(self) -> bool:
        """Admins and the two offices read every proposal, reply and opinion."""
        return self.is_admin or self.congress_officer or self.supervisor

    @property
    def manages_proposals(self) -> bool:
        """Registers, assigns, decides reassignment and closes: the congress office (and admins)."""
        return self.is_admin or self.congress_officer

    @property
    def may_export(self) -> bool:
        """Bulk exports of signed replies: admins and the two offices."""
        return self.sees_everything

    @property
    def bureau_ids(self) -> frozenset[int]:
        return self.staff_bureau_ids | self.leader_bureau_ids

    @property
    def is_bureau_member(self) -> bool:
        return bool(self.bureau_ids)

    @property
    def is_deputy(self) -> bool:
        return self.deputy_id is not None

    @property
    def is_deputy_only(self) -> bool:
        """A deputy with no office or bureau role: they get the deputies' pages."""
        return self.is_deputy and not (self.sees_everything or self.is_bureau_member)

    @property
    def has_no_role(self) -> bool:
        return not (self.is_bureau_member or self.sees_everything or self.is_deputy)

    def works_for(self, bureau_id: int) -> bool:
        return bureau_id in self.bureau_ids

    def leads(self, bureau_id: int) -> bool:
        return bureau_id in self.leader_bureau_ids


ANONYMOUS = Roles()


def roles_of(user) -> Roles:
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_jianyi_roles", None)
    if cached is not None:
        return cached
    staff, leader = set(), set()
    congress = supervisor = False
    for organization_id, role in Membership.objects.filter(user=user).values_list(
        "organization_id", "role"
    ):
        if role == Membership.Role.BUREAU_STAFF:
            staff.add(organization_id)
        elif role == Membership.Role.BUREAU_LEADER:
            leader.add(organization_id)
        elif role == Membership.Role.CONGRESS_OFFICER:
            congress = True
        elif role == Membership.Role.SUPERVISOR:
            supervisor = True
    roles = Roles(
        is_admin=user.is_superuser,
        congress_officer=congress,
        supervisor=supervisor,
        staff_bureau_ids=frozenset(staff),
        leader_bureau_ids=frozenset(leader),
        deputy_id=Deputy.objects.filter(user=user).values_list("pk", flat=True).first(),
    )
    user._jianyi_roles = roles
    return roles


def require_manager(user, message=None) -> None:
    """The one check for the congress office's own steps (register, assign, import, record
    paper ratings…): PermissionDenied with ``message`` for anyone else."""
    if not roles_of(user).manages_proposals:
        raise PermissionDenied(message or gettext("只有人大代表工委可以执行此操作。"))
