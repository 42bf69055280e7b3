"""The home page ("my work"): true counts, the first items, and a link to all of them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals import selectors
from proposals.models import Assignment
from tests.factories import ProposalFactory
from tests.workflow_helpers import assign


@pytest.fixture
def small_panels(monkeypatch):
    monkeypatch.setattr(selectors, "HOME_LIST_SIZE", 2)


def test_counts_are_true_counts_and_the_rest_are_a_click_away(client, small_panels, cora, proposal):
    for number in (201, 202):
        ProposalFactory(session=proposal.session, number=number)
    client.force_login(cora)
    page = client.get(reverse("home")).content.decode()
    assert '待交办 <span class="count">3</span>' in page
    assert "显示前 2 件，共 3 件。" in page
    assert page.count('href="/proposals/') >= 2 and "/proposals/?state=received" in page
    listed = client.get("/proposals/?state=received").content.decode()
    assert "共 3 件" in listed


def test_overdue_and_due_soon_count_every_open_assignment(client, small_panels, sam, cora, proposal, bureau_a, bureau_b):
    today = timezone.localdate()
    late = [ProposalFactory(session=proposal.session, number=n) for n in (301, 302, 303)]
    for p in late:
        assign(p, cora, bureau_a)
    soon = ProposalFactory(session=proposal.session, number=304)
    assign(soon, cora, bureau_b)
    Assignment.objects.filter(proposal__in=late).update(due_on=today - datetime.timedelta(days=3))
    Assignment.objects.filter(proposal=soon).update(due_on=today + datetime.timedelta(days=2))
    client.force_login(sam)
    page = client.get(reverse("home")).content.decode()
    assert '已逾期 <span class="count red">3</span>' in page and "显示前 2 件，共 3 件。" in page
    assert '即将到期 <span class="count">1</span>' in page
    assert "共 3 件" in client.get("/proposals/?overdue=true").content.decode()
    soon_list = client.get("/proposals/?due_soon=true").content.decode()
    assert "共 1 件" in soon_list and soon.title in soon_list


def test_a_bureau_sees_its_whole_to_do_count(client, small_panels, cora, alice, proposal, bureau_a):
    for number in (401, 402, 403):
        assign(ProposalFactory(session=proposal.session, number=number), cora, bureau_a)
    client.force_login(alice)
    page = client.get(reverse("home")).content.decode()
    assert '待我办理 <span class="count">3</span>' in page and "显示前 2 件，共 3 件。" in page
    assert f"/proposals/?bureau={bureau_a.pk}" in page


def test_a_user_without_a_role_is_told_so(client, stranger):
    client.force_login(stranger)
    assert "尚未分配岗位" in client.get(reverse("home")).content.decode()


def test_recess_proposals_show_when_they_must_be_assigned(client, cora, proposal):
    import datetime

    from proposals.models import Proposal

    recess = ProposalFactory(session=proposal.session, number=501, timing=Proposal.Timing.RECESS,
                             received_on=datetime.date(2026, 9, 28))
    client.force_login(cora)
    page = client.get(reverse("home")).content.decode()
    # Five working days from Monday 28 September 2026: 29, 30 Sep, then National Day, 8, 9, 10 Oct.
    assert "应于 2026-10-10 前交办" in page and recess.title in page
