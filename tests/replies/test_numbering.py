"""Document numbers (发文字号): per bureau, per year, no gaps, no duplicates, even under load."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Organization, User
from proposals.errors import WorkflowError
from proposals.models import Assignment
from replies import workflow
from replies.models import DocumentCounter, Reply
from replies.selectors import current_reply
from tests.factories import OrganizationFactory, ProposalFactory
from tests.workflow_helpers import to_in_review


def in_review(n, cora, alice, bureau, lead_deputy, first_number=200):
    return [
        to_in_review(
            ProposalFactory(number=first_number + i, lead_deputy=lead_deputy), cora, alice, bureau
        )
        for i in range(n)
    ]


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_signings_get_numbers_one_to_twenty(cora, alice, lily, bureau_a, dora):
    assignments = in_review(20, cora, alice, bureau_a, dora)
    year = timezone.localdate().year
    barrier = threading.Barrier(len(assignments))
    errors = []

    def sign(pk):
        try:
            leader = User.objects.get(pk=lily.pk)
            assignment = Assignment.objects.get(pk=pk)
            barrier.wait(timeout=30)
            workflow.reply_sign(assignment=assignment, by=leader)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(a.pk,)) for a in assignments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a signing thread hung"
    assert errors == []

    replies = list(Reply.objects.filter(bureau=bureau_a))
    assert len(replies) == 20
    assert all(r.is_signed and r.signer_id == lily.pk for r in replies)
    assert sorted(r.document_seq for r in replies) == list(range(1, 21))
    assert {r.document_year for r in replies} == {year}
    assert sorted(r.document_number for r in replies) == sorted(
        f"慈经信建〔{year}〕{n}号" for n in range(1, 21)
    )
    assert DocumentCounter.objects.get(bureau=bureau_a, year=year).last == 20
    assert set(Assignment.objects.filter(bureau=bureau_a).values_list("state", flat=True)) == {"signed"}
    # The number is also recorded on the timeline of each proposal.
    for r in replies:
        assert r.assignment.events.get(action="sign").note == r.document_number


def test_a_failed_signing_leaves_no_gap(cora, alice, lily, bureau_a, dora, monkeypatch):
    first, second, third = in_review(3, cora, alice, bureau_a, dora)
    year = timezone.localdate().year
    assert workflow.reply_sign(assignment=first, by=lily).document_number == f"慈经信建〔{year}〕1号"

    # Fail after the number was taken and the reply stored, before the signing commits.
    def broken_move(*args, **kwargs):
        raise RuntimeError("the server went away mid-signing")

    with monkeypatch.context() as patch:
        patch.setattr(workflow.SIGN, "move", broken_move)
        with pytest.raises(RuntimeError):
            workflow.reply_sign(assignment=second, by=lily)

    reply = current_reply(second)
    assert (reply.is_signed, reply.document_number, reply.document_seq, reply.signer) == (False, "", None, None)
    assert Assignment.objects.get(pk=second.pk).state == "in_review"
    assert DocumentCounter.objects.get(bureau=bureau_a, year=year).last == 1

    assert workflow.reply_sign(assignment=third, by=lily).document_number == f"慈经信建〔{year}〕2号"
    assert workflow.reply_sign(assignment=second, by=lily).document_number == f"慈经信建〔{year}〕3号"


def test_a_bureau_without_a_prefix_cannot_sign_and_takes_no_number(cora, dora, bureau_a, alice, lily):
    from accounts.models import Membership
    from tests.factories import UserFactory, member

    no_prefix = OrganizationFactory(name="慈溪市无前缀局", short_name="市无前缀局", document_prefix="")
    staff = member(UserFactory(), no_prefix, Membership.Role.BUREAU_STAFF)
    leader = member(UserFactory(), no_prefix, Membership.Role.BUREAU_LEADER)
    (stuck,) = in_review(1, cora, staff, no_prefix, dora, first_number=300)
    (ok,) = in_review(1, cora, alice, bureau_a, dora, first_number=301)

    with pytest.raises(WorkflowError, match="未设置发文字号前缀"):
        workflow.reply_sign(assignment=stuck, by=leader)
    assert not current_reply(stuck).is_signed
    assert not DocumentCounter.objects.filter(bureau=no_prefix).exists()
    assert Assignment.objects.get(pk=stuck.pk).state == "in_review"
    year = timezone.localdate().year
    assert workflow.reply_sign(assignment=ok, by=lily).document_number == f"慈经信建〔{year}〕1号"


def test_numbers_restart_each_year_and_count_per_bureau(cora, alice, lily, bob, ben, bureau_a, bureau_b, dora):
    a1, a2, a3 = in_review(3, cora, alice, bureau_a, dora)
    (b1,) = in_review(1, cora, bob, bureau_b, dora, first_number=400)

    def sign(assignment, leader, day):
        return workflow.reply_sign(assignment=assignment, by=leader, signed_on=day).document_number

    assert sign(a1, lily, datetime.date(2023, 12, 29)) == "慈经信建〔2023〕1号"
    assert sign(a2, lily, datetime.date(2024, 1, 2)) == "慈经信建〔2024〕1号"
    assert sign(b1, ben, datetime.date(2024, 1, 3)) == "慈科建〔2024〕1号"
    assert sign(a3, lily, datetime.date(2024, 1, 4)) == "慈经信建〔2024〕2号"
    reply = current_reply(a2)
    assert (reply.signed_on, reply.document_year, reply.document_seq) == (datetime.date(2024, 1, 2), 2024, 1)
    assert Organization.objects.get(pk=bureau_b.pk).document_prefix == "慈科建"
