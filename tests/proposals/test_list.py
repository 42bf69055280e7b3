"""The proposal list's deputy search: by name, lead or co-signer, without a drop-down of every deputy."""

from django.urls import reverse

from tests.factories import ProposalFactory


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
