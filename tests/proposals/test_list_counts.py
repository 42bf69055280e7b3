"""A proposal list's 「共 N 件」 is kept under the data's version, and is never stale or shared.

At 100,000 proposals counting a broad filter takes the database 50–150 ms, so the counts are
stored (LIST_COUNTS_SECONDS) under ``proposals.versions.data_version`` and the exact query. These
tests turn the store on and check that every kind of change shows at once and that two people
with different access never see each other's counts.
"""

import re

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import workflow as intake
from proposals.models import Proposal
from tests.factories import DeputyFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stored_counts(settings):
    settings.LIST_COUNTS_SECONDS = 600
    settings.LIMITS_KEY_PREFIX = f"{settings.LIMITS_KEY_PREFIX}-{id(settings)}"  # nothing from earlier tests


@pytest.fixture
def session():
    return SessionFactory(term=18, number=2)


def register(session, cora, number, **fields):
    return intake.proposal_register(
        by=cora, session=session, number=number, title=f"关于第{number}条道路改造的建议",
        reasons="事由", suggestions="建议", lead_deputy=DeputyFactory(), **fields,
    )


def shown_count(client, query="") -> int:
    text = client.get(f"{reverse('proposal-list')}{query}").content.decode()
    return int(re.search(r"共 (\d+) 件", text)[1])


def test_a_second_look_at_unchanged_data_does_not_count_again(client, cora, session):
    register(session, cora, 1)
    client.force_login(cora)
    assert shown_count(client) == 1

    with CaptureQueriesContext(connection) as queries:
        assert shown_count(client) == 1
    assert not [q for q in queries.captured_queries if "GROUP BY" in q["sql"]]


def test_a_workflow_step_shows_in_the_count_at_once(client, cora, bureau_a, session):
    first = register(session, cora, 1)
    register(session, cora, 2)
    client.force_login(cora)
    assert shown_count(client) == 2
    assert shown_count(client, "?state=received") == 2

    register(session, cora, 3)
    intake.proposal_assign(proposal=first, leads=[bureau_a], by=cora)

    assert shown_count(client) == 3
    assert shown_count(client, "?state=received") == 2


def test_a_change_in_the_admin_shows_in_the_count_at_once(client, cora, admin_user, session):
    proposal = register(session, cora, 1, category=Proposal.Category.OTHER)
    client.force_login(cora)
    assert shown_count(client, "?category=economy") == 0

    # What the admin's change form does: save, then write its log entry (which is audited).
    proposal.category = Proposal.Category.ECONOMY
    proposal.save()
    LogEntry.objects.log_actions(
        user_id=admin_user.pk, queryset=[proposal], action_flag=CHANGE, change_message="类别", single_object=True
    )

    assert shown_count(client, "?category=economy") == 1


def test_people_with_different_access_never_share_a_count(client, cora, alice, bureau_a, session):
    mine = register(session, cora, 1)
    register(session, cora, 2)
    intake.proposal_assign(proposal=mine, leads=[bureau_a], by=cora)

    client.force_login(cora)
    assert shown_count(client) == 2
    client.force_login(alice)
    assert shown_count(client) == 1
    client.force_login(cora)
    assert shown_count(client) == 2


def test_a_search_finds_a_proposal_registered_after_the_same_search(client, cora, session):
    register(session, cora, 1)
    client.force_login(cora)
    assert shown_count(client, "?q=道路改造") == 1

    register(session, cora, 2)

    assert shown_count(client, "?q=道路改造") == 2
    assert shown_count(client, "?q=第2条") == 1


def test_the_any_lookup_matches_exactly_the_listed_ids(session, cora):
    first, second, third = (register(session, cora, n) for n in (1, 2, 3))

    assert set(Proposal.objects.filter(pk__any=[first.pk, third.pk])) == {first, third}
    assert not Proposal.objects.filter(pk__any=[]).exists()
    assert Proposal.objects.filter(pk__any=[second.pk]).count() == 1


def test_a_bureaus_filter_choices_follow_its_new_assignments(client, cora, alice, bureau_a, bureau_b, session):
    first, second = register(session, cora, 1), register(session, cora, 2)
    intake.proposal_assign(proposal=first, leads=[bureau_a], by=cora)
    client.force_login(alice)
    choices = client.get(reverse("proposal-list")).context["filter"].form.fields["bureau"].queryset
    assert list(choices) == [bureau_a]

    intake.proposal_assign(proposal=second, leads=[bureau_a], assistants=[bureau_b], by=cora)

    choices = client.get(reverse("proposal-list")).context["filter"].form.fields["bureau"].queryset
    assert set(choices) == {bureau_a, bureau_b}


@pytest.mark.parametrize("query", ["?q=没有这个词", "?q=道路&state=closed", "?state=closed", "?page=2"])
def test_a_list_that_finds_nothing_says_so(client, cora, session, query):
    """An empty page has no query to key its stored ids on: it says 「共 0 件」, not an error."""
    register(session, cora, 1)
    client.force_login(cora)
    response = client.get(f"{reverse('proposal-list')}{query}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "没有符合条件的建议" in text or "第1号" in text  # ?page=2 of one page shows the last page


def test_the_admin_changelist_counts_new_proposals_at_once(client, cora, admin_user, session):
    """The admin's proposal list keeps its total like the app's lists, and shows a change at once."""
    register(session, cora, 1)
    client.force_login(admin_user)
    url = reverse("admin:proposals_proposal_changelist")

    def total() -> int:
        text = client.get(url).content.decode()
        return int(re.search(r"(\d+) 建议", text)[1])

    assert total() == 1
    with CaptureQueriesContext(connection) as queries:
        assert total() == 1
    assert not [q for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    register(session, cora, 2)
    assert total() == 2


def test_a_session_added_in_the_admin_is_offered_in_the_list_filter_at_once(client, cora, admin_user, session):
    """The drop-downs' options are kept under the data's version too: an admin's addition shows."""
    client.force_login(cora)
    assert "十九届" not in client.get(reverse("proposal-list")).content.decode()
    added = SessionFactory(term=19, number=1)
    LogEntry.objects.log_actions(
        user_id=admin_user.pk, queryset=[added], action_flag=ADDITION, change_message="新增", single_object=True
    )
    page = client.get(reverse("proposal-list")).content.decode()
    assert f'<option value="{added.pk}">{added}</option>' in page
    chosen = client.get(reverse("proposal-list"), {"session": added.pk}).content.decode()
    assert f'<option value="{added.pk}" selected>' in chosen and "没有符合条件的建议" in chosen
