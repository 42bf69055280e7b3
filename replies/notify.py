"""Who is told of what: the one map from a timeline event to the notifications it makes.

Each rule below is registered for one or more ``Event.Action`` values and says who hears of the
event and what they read. ``notify_on_event`` runs once the event's transaction has committed
(``proposals.signals.event_committed``; this module connects it when ``RepliesConfig.ready``
imports it). The actor is never told of their own action, and each person gets one notification
per event (key ``event:<pk>``) however often the signal comes. Actions without a rule notify
nobody.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.notifications import notification_create
from proposals.models import Assignment, Event, Proposal
from proposals.numerals import chinese_date
from proposals.signals import event_committed

log = logging.getLogger(__name__)

A = Event.Action
STAFF, LEADER = Membership.Role.BUREAU_STAFF, Membership.Role.BUREAU_LEADER


@dataclass(frozen=True)
class Notice:
    """One message to a group of people."""

    recipients: Iterable[User]
    title: str
    body: str = ""
    url: str = ""
    sms: bool = False  # also by short message: the kinds a deputy waits for


Rule = Callable[[Event], Iterable[Notice]]
RULES: dict[str, Rule] = {}


def rule_for(*actions: Event.Action) -> Callable[[Rule], Rule]:
    def register(rule: Rule) -> Rule:
        for action in actions:
            if action in RULES:
                raise RuntimeError(f"two notification rules for {action!r}")
            RULES[action] = rule
        return rule

    return register


# --- who, where, and how a proposal is named --------------------------------------------------


def bureau_people(bureau_ids: Iterable[int], roles=(STAFF, LEADER)):
    return User.objects.filter(
        is_active=True, memberships__organization_id__in=list(bureau_ids), memberships__role__in=roles
    ).distinct()


def lead_bureau_ids(proposal: Proposal) -> list[int]:
    return list(
        proposal.assignments.active().filter(role=Assignment.Role.LEAD).values_list("bureau_id", flat=True)
    )


def event_bureau_ids(event: Event) -> list[int]:
    """The bureau whose assignment the event is about (its lead bureaus if it names none)."""
    return [event.assignment.bureau_id] if event.assignment else lead_bureau_ids(event.proposal)


def deputies_with_login(proposal: Proposal) -> list[User]:
    deputies = [proposal.lead_deputy, *proposal.co_signers.select_related("user")]
    return [d.user for d in deputies if d.user is not None and d.user.is_active]


def lead_deputy_user(proposal: Proposal) -> list[User]:
    user = proposal.lead_deputy.user
    return [user] if user is not None and user.is_active else []


def proposal_page(proposal: Proposal) -> str:
    return reverse("proposal-detail", args=[proposal.pk])


def deputy_page() -> str:
    return reverse("my-proposals")


def named(proposal: Proposal) -> str:
    """第110号建议 (第12号提案 for the CPPCC)."""
    return f"{proposal.label}{proposal.session.item_noun}"


def actor_name(event: Event) -> str:
    return event.actor.display_name if event.actor else _("系统")


# --- the rules --------------------------------------------------------------------------------


def _assigned_to(event: Event, assignment: Assignment) -> Notice:
    proposal = event.proposal
    lines = [
        proposal.title,
        _("承办方式：%(role)s；办理期限：%(due)s。")
        % {"role": assignment.get_role_display(), "due": chinese_date(assignment.due_on)},
    ]
    if event.action == A.REASSIGN and event.note:
        lines.append(event.note)
    return Notice(
        recipients=bureau_people([assignment.bureau_id]),
        title=_("%(proposal)s已交办给%(bureau)s")
        % {"proposal": named(proposal), "bureau": assignment.bureau.short_name},
        body="\n".join(lines),
        url=proposal_page(proposal),
    )


@rule_for(A.ASSIGN)
def assigned(event: Event) -> Iterable[Notice]:
    """交办: the staff and leaders of every bureau the proposal went to, lead and assisting."""
    for assignment in event.proposal.assignments.active().select_related("bureau"):
        yield _assigned_to(event, assignment)


@rule_for(A.REASSIGN)
def reassigned(event: Event) -> Iterable[Notice]:
    """调整交办: the staff and leaders of the bureau it now goes to."""
    yield _assigned_to(event, event.assignment)


@rule_for(A.SEND_OPINION)
def opinion_received(event: Event) -> Iterable[Notice]:
    """协办意见送达: the staff and leaders of the lead bureau(s), who draft the reply with it."""
    proposal = event.proposal
    yield Notice(
        recipients=bureau_people(lead_bureau_ids(proposal)),
        title=_("收到%(bureau)s的协办意见：%(proposal)s")
        % {"bureau": event.assignment.bureau.short_name, "proposal": named(proposal)},
        body=proposal.title,
        url=proposal_page(proposal),
    )


@rule_for(A.SUBMIT)
def to_sign(event: Event) -> Iterable[Notice]:
    """送签发: the bureau's leaders, who return or sign it."""
    proposal = event.proposal
    body = _("%(actor)s送签发。") % {"actor": actor_name(event)}
    yield Notice(
        recipients=bureau_people([event.assignment.bureau_id], roles=(LEADER,)),
        title=_("答复稿待签发：%(proposal)s") % {"proposal": named(proposal)},
        body=f"{body}\n{event.note}" if event.note else body,
        url=proposal_page(proposal),
    )


@rule_for(A.RETURN)
def returned(event: Event) -> Iterable[Notice]:
    """退回修改: the bureau's staff, with the leader's note."""
    proposal = event.proposal
    yield Notice(
        recipients=bureau_people([event.assignment.bureau_id], roles=(STAFF,)),
        title=_("答复稿被退回：%(proposal)s") % {"proposal": named(proposal)},
        body=_("%(actor)s的退回意见：%(note)s") % {"actor": actor_name(event), "note": event.note},
        url=proposal_page(proposal),
    )


@rule_for(A.SEND)
def reply_sent(event: Event) -> Iterable[Notice]:
    """答复送达: the proposal's deputies who log in, lead and co-signers; also by SMS."""
    proposal = event.proposal
    yield Notice(
        recipients=deputies_with_login(proposal),
        title=_("%(bureau)s已答复%(proposal)s")
        % {"bureau": event.assignment.bureau.short_name, "proposal": named(proposal)},
        body=f"{proposal.title}\n" + _("请登录查看答复全文。"),
        url=deputy_page(),
        sms=True,
    )


@rule_for(A.RATE)
def rated(event: Event) -> Iterable[Notice]:
    """代表测评: the staff and leaders of the rated bureau."""
    proposal = event.proposal
    yield Notice(
        recipients=bureau_people(event_bureau_ids(event)),
        title=_("代表已测评：%(proposal)s") % {"proposal": named(proposal)},
        body=event.note,
        url=proposal_page(proposal),
    )


@rule_for(A.REHANDLE)
def rehandling(event: Event) -> Iterable[Notice]:
    """重新办理: the staff and leaders of the bureau that must reply again."""
    proposal = event.proposal
    yield Notice(
        recipients=bureau_people(event_bureau_ids(event)),
        title=_("需重新办理：%(proposal)s") % {"proposal": named(proposal)},
        body=event.note,
        url=proposal_page(proposal),
    )


@rule_for(A.CONSULTATION)
def consultation_to_confirm(event: Event) -> Iterable[Notice]:
    """记录沟通: the lead deputy, who confirms or disputes the bureau's record; also by SMS."""
    proposal = event.proposal
    yield Notice(
        recipients=lead_deputy_user(proposal),
        title=_("请确认沟通情况：%(proposal)s") % {"proposal": named(proposal)},
        body=_("%(bureau)s记录了与您的沟通：%(note)s。请确认是否属实。")
        % {"bureau": event.assignment.bureau.short_name, "note": event.note},
        url=deputy_page(),
        sms=True,
    )


@rule_for(A.REMIND)
def reminded(event: Event) -> Iterable[Notice]:
    """催办 (automatic or by an office): the staff and leaders of the bureau."""
    proposal = event.proposal
    yield Notice(
        recipients=bureau_people(event_bureau_ids(event)),
        title=_("催办：%(proposal)s") % {"proposal": named(proposal)},
        body=event.note,
        url=proposal_page(proposal),
    )


# --- the receiver -----------------------------------------------------------------------------


def notify_on_event(sender, *, event: Event, **kwargs) -> None:
    """Make the event's notifications. The event has committed already: a failure here is
    logged, never raised into the request that did the work."""
    rule = RULES.get(event.action)
    if rule is None:
        return
    try:
        event_notify(event, rule)
    except Exception:
        log.exception("could not make the notifications of event %s", event.pk)


def event_notify(event: Event, rule: Rule) -> None:
    event = (
        Event.objects.select_related(
            "proposal__session", "proposal__lead_deputy__user", "assignment__bureau", "actor"
        )
        .filter(pk=event.pk)
        .first()
    )
    if event is None:  # gone with its proposal
        return
    key = f"event:{event.pk}"
    # Stored text is in the site's language, whatever language the acting user reads.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        for notice in rule(event):
            for user in notice.recipients:
                if user.pk == event.actor_id:
                    continue
                notification_create(
                    user=user, key=key, kind=event.action, title=notice.title,
                    body=notice.body, url=notice.url, sms=notice.sms,
                )


event_committed.connect(notify_on_event, dispatch_uid="replies.notify")
