"""Deputies and delegations found by the names a clerk types.

Names are compared without white space (「罗  冲」 is 「罗冲」). Two deputies with one name are
told apart by the delegation in brackets, 「张伟（白沙路街道）」; the delegation may be given by
its full name, short name, cc name or a unique part of one of them.
"""

import re
from collections import defaultdict

from django.utils.translation import gettext as _

from accounts.models import Deputy, Organization

from .table import squeeze

NAME_WITH_DELEGATION = re.compile(r"^(?P<name>[^（(]+)[（(](?P<delegation>[^）)]+)[）)]$")


def delegation_label(organization: Organization) -> str:
    return organization.short_name or organization.name


def _delegation_names(organization: Organization) -> set[str]:
    return {squeeze(n) for n in (organization.name, organization.short_name, organization.cc_name) if n}


def delegation_match(text: str, delegations) -> list[Organization]:
    """The delegations ``text`` names: exactly by one of their names, or else by a part of one."""
    wanted = squeeze(text)
    exact = [d for d in delegations if wanted in _delegation_names(d)]
    if exact:
        return exact
    return [d for d in delegations if any(wanted in name for name in _delegation_names(d))]


class Directory:
    """Every deputy and delegation, loaded once for a whole file."""

    def __init__(self):
        self.delegations = list(Organization.objects.filter(kind=Organization.Kind.DELEGATION))
        self.by_name = defaultdict(list)
        for deputy in Deputy.objects.select_related("delegation").order_by("pk"):
            self.by_name[squeeze(deputy.name)].append(deputy)

    def delegation(self, text: str) -> tuple[Organization | None, str]:
        """The one delegation ``text`` names, or None and the reason."""
        found = delegation_match(text, self.delegations)
        if len(found) == 1:
            return found[0], ""
        if not found:
            return None, _("系统中没有名为「%(name)s」的代表团（请先在后台「单位」中添加）。") % {"name": text}
        names = "、".join(delegation_label(d) for d in found)
        return None, _("「%(name)s」可指多个代表团（%(names)s），请写全称。") % {"name": text, "names": names}

    def deputy(self, text: str) -> tuple[Deputy | None, str]:
        """The one deputy ``text`` names (「张伟」 or 「张伟（白沙路街道）」), or None and the reason."""
        text = squeeze(text)
        written = NAME_WITH_DELEGATION.match(text)
        name, delegation_text = (written["name"], written["delegation"]) if written else (text, "")
        namesakes = self.by_name.get(name, [])
        if not namesakes:
            return None, _("系统中没有名为「%(name)s」的代表（请先导入代表名册）。") % {"name": name}
        if delegation_text:
            chosen = [d for d in namesakes if d.delegation in delegation_match(delegation_text, self.delegations)]
            if len(chosen) == 1:
                return chosen[0], ""
            if chosen:
                return None, _("「%(delegation)s」有%(n)s位名为「%(name)s」的代表，无法区分，请在后台核对代表名册。") % {
                    "delegation": delegation_text, "n": len(chosen), "name": name,
                }
            where = "、".join(delegation_label(d.delegation) for d in namesakes)
            return None, _("「%(name)s」代表不在「%(delegation)s」；同名代表所在代表团：%(where)s。") % {
                "name": name, "delegation": delegation_text, "where": where,
            }
        if len(namesakes) == 1:
            return namesakes[0], ""
        where = "、".join(delegation_label(d.delegation) for d in namesakes)
        return None, _(
            "有%(n)s位名为「%(name)s」的代表（%(where)s），请注明代表团，例如「%(name)s（%(first)s）」。"
        ) % {"n": len(namesakes), "name": name, "where": where, "first": delegation_label(namesakes[0].delegation)}
