"""The Django admin: reference data editable by admins, workflow records read-only."""

import pytest
from django.urls import reverse

from tests.workflow_helpers import to_signed

MODELS = [
    "accounts/user", "accounts/organization", "accounts/deputy", "proposals/session",
    "proposals/proposal", "proposals/event", "proposals/consultation", "replies/reply",
    "replies/cohandlingopinion", "replies/letterpdf", "replies/exportjob",
]


@pytest.mark.parametrize("model", MODELS)
def test_admins_open_every_list_and_others_cannot(client, admin_user, lily, model):
    url = f"/admin/{model}/"
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    client.force_login(lily)
    assert client.get(url).status_code == 302  # to the admin login: not staff


def test_signed_replies_and_events_cannot_be_edited_in_the_admin(client, admin_user, proposal, cora, alice, lily, bureau_a):
    assignment = to_signed(proposal, cora, alice, lily, bureau_a)
    reply = assignment.replies.get()
    event = proposal.events.first()
    client.force_login(admin_user)
    response = client.post(reverse("admin:replies_reply_change", args=[reply.pk]), {"body": "改写"})
    assert response.status_code == 403
    assert client.post(reverse("admin:proposals_event_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    reply.refresh_from_db()
    assert reply.body != "改写"


def test_list_rows_link_to_their_own_records_with_the_filters_kept(client, admin_user, proposal, cora, alice, lily, bureau_a):
    """The proposals' and the events' lists link each row to its record (the URL reversed once
    per page, ``accounts.admin.QuickLinks``), carrying the list's filters as Django does."""
    import re
    from urllib.parse import quote

    to_signed(proposal, cora, alice, lily, bureau_a)
    client.force_login(admin_user)
    events = client.get("/admin/proposals/event/", {"action": "sign"}).content.decode()
    (sign,) = proposal.events.filter(action="sign")
    filters = quote("action=sign", safe="")
    assert f'href="{reverse("admin:proposals_event_change", args=[sign.pk])}?_changelist_filters={filters}"' in events
    assert len(re.findall(r'href="/admin/proposals/event/\d+/change/', events)) == 1  # only the one signing

    proposals = client.get("/admin/proposals/proposal/").content.decode()
    assert f'href="{reverse("admin:proposals_proposal_change", args=[proposal.pk])}"' in proposals
