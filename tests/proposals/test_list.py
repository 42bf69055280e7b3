"""The proposal list: the deputy search (by name, lead or co-signer, without a drop-down of every
deputy), pages in list order however deep, and the keyword search with its ranking."""

from django.urls import reverse
from django.utils import timezone

from replies.models import Reply
from tests.factories import ProposalFactory
from tests.workflow_helpers import assign


def test_a_deputy_is_found_by_name_as_lead_or_co_signer(client, cora, proposal, dora, carl, otto):
    other = ProposalFactory(session=proposal.session, number=120, lead_deputy=otto)
    other.co_signers.add(dora)
    unrelated = ProposalFactory(session=proposal.session, number=121, lead_deputy=otto)
    client.force_login(cora)
    page = client.get(reverse("proposal-list"), {"deputy_name": "罗冲"}).content.decode()
    assert "共 2 件" in page and proposal.title in page and other.title in page and unrelated.title not in page
    assert '<select name="deputy"' not in client.get(reverse("proposal-list")).content.decode()
    by_id = client.get(reverse("proposal-list"), {"deputy": carl.pk}).content.decode()
    assert "共 1 件" in by_id and proposal.title in by_id  # carl co-signed 110 only


def test_pages_follow_the_list_order_across_sessions(client, cora):
    """Paging by session (ProposalListPaginator) gives the rows one sort of the list would."""
    for number in range(1, 61):
        ProposalFactory(number=number)
    later = ProposalFactory(session__term=19, number=7, title="下一届的建议")
    client.force_login(cora)
    first = client.get(reverse("proposal-list")).context["page"]
    assert first.paginator.count == 61 and first.paginator.num_pages == 3
    assert first.object_list[0] == later  # the newest session first
    pages = [client.get(reverse("proposal-list"), {"page": p}).context["page"].object_list for p in (1, 2, 3)]
    numbers = [p.number for page in pages for p in page]
    assert numbers == [7, *range(1, 61)]


def test_search_ranks_title_hits_first(client, cora, bureau_a, bureau_b):
    in_reasons = ProposalFactory(number=1, title="关于交通的建议", reasons="推进智能制造")
    in_title = ProposalFactory(number=2, title="关于智能制造的建议")
    ProposalFactory(number=3, title="关于教育的建议")
    client.force_login(cora)
    page = client.get(reverse("proposal-list"), {"q": "智能制造"}).context["page"]
    assert list(page.object_list) == [in_title, in_reasons] and page.paginator.count == 2


def test_search_reads_sent_reply_text_only(client, cora, bureau_a, bureau_b):
    sent, draft = ProposalFactory(number=1), ProposalFactory(number=2)
    for proposal, sent_at in ((sent, timezone.now()), (draft, None)):
        (lead, _other) = assign(proposal, cora, bureau_a, [bureau_b])
        Reply.objects.create(assignment=lead, bureau=bureau_a, sent_at=sent_at, signed_at=sent_at, body="数字化车间改造")
    client.force_login(cora)
    page = client.get(reverse("proposal-list"), {"q": "数字化车间"}).context["page"]
    assert list(page.object_list) == [sent]
