"""Deputies rate sent replies; 不满意 opens re-handling; paper ratings and corrections by the
congress office; nobody else rates, and no rating ever changes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from proposals.errors import WorkflowError
from proposals.models import Assignment, Event
from proposals.states import AssignmentState as S
from proposals.states import ProposalState as P
from replies import rating, workflow
from replies.deputies import DeputyStatus, deputy_card
from replies.models import Evaluation, Reply
from replies.selectors import current_reply
from tests.workflow_helpers import to_in_review, write_reply

from .pdf_helpers import sent_reply

PDF_SCAN = b"%PDF-1.4\n% a scanned evaluation form\n"


@pytest.fixture
def sent(proposal, cora, alice, lily, bureau_a):
    """Proposal 110 (lead deputy dora, co-signer carl): 市经信局's reply, signed and sent."""
    return sent_reply(proposal, cora, alice, lily, bureau_a)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_the_lead_deputy_rates_a_sent_reply(sent, dora, proposal):
    evaluation = rating.evaluation_submit(reply=sent, by=dora.user, work="satisfied", result="basically")
    assert (evaluation.deputy, evaluation.source, evaluation.recorded_by) == (dora, "online", dora.user)
    assert fresh(proposal).state == P.REPLIED  # satisfied: nothing reopens
    event = proposal.events.get(action=Event.Action.RATE)
    assert event.note == "办理工作：满意；办理结果：基本满意"
    assert deputy_card(dora.user, proposal.pk).status == DeputyStatus.REPLIED
    with pytest.raises(WorkflowError, match="已测评过"):
        rating.evaluation_submit(reply=sent, by=dora.user, work="satisfied", result="satisfied")
    assert Evaluation.objects.count() == 1


def test_a_sent_reply_asks_the_deputy_to_rate_on_top_of_their_page(client, sent, dora, proposal):
    assert deputy_card(dora.user, proposal.pk).status == DeputyStatus.TO_RATE
    client.force_login(dora.user)
    page = client.get(reverse("my-proposals")).content.decode()
    assert page.index("请测评") < page.index(proposal.title)
    response = client.post(reverse("evaluation-new", args=[sent.pk]), {"work": "satisfied", "result": "satisfied"}, follow=True)
    assert "测评已提交" in response.content.decode()
    assert "请测评" not in client.get(reverse("my-proposals")).content.decode()


def test_dissatisfied_needs_a_comment_and_opens_re_handling(sent, dora, proposal, alice, lily):
    with pytest.raises(WorkflowError, match="请写明意见"):
        rating.evaluation_submit(reply=sent, by=dora.user, work="satisfied", result="dissatisfied")
    assert not Evaluation.objects.exists()

    rating.evaluation_submit(
        reply=sent, by=dora.user, work="satisfied", result="dissatisfied", comment="没有回应第二条建议。"
    )
    lead = fresh(sent.assignment)
    draft = current_reply(lead)
    assert lead.state == S.DRAFTING and fresh(proposal).state == P.DRAFTING
    assert (draft.round, draft.rehandling, draft.round_reason) == (2, True, "没有回应第二条建议。")
    today = timezone.localdate()
    assert lead.due_on > today and lead.due_on <= today + datetime.timedelta(days=31)
    assert lead.due_basis.startswith("重新办理期限：自")
    assert proposal.events.filter(action=Event.Action.REHANDLE).count() == 1
    assert deputy_card(dora.user, proposal.pk).status == DeputyStatus.REHANDLING
    assert Reply.objects.get(pk=sent.pk).is_signed  # the rated round stays as it was

    # The clerk sees the deputy's comment on the draft; the new reply is rated again.
    from django.test import Client

    clerk = Client()
    clerk.force_login(alice)
    assert "没有回应第二条建议" in clerk.get(reverse("reply-edit", args=[lead.pk])).content.decode()
    write_reply(lead, alice, body="一、补充答复\n关于第二条建议，我局已安排专项资金。")
    workflow.reply_submit(assignment=lead, by=alice)
    workflow.reply_sign(assignment=lead, by=lily)
    workflow.reply_send(assignment=lead, by=alice)
    second = current_reply(fresh(lead))
    assert rating.rating_problem(sent, dora) != ""  # the old round can no longer be rated
    rating.evaluation_submit(reply=second, by=dora.user, work="satisfied", result="satisfied")
    assert fresh(proposal).state == P.REPLIED


def test_who_rates_is_a_session_setting(sent, dora, carl, proposal):
    with pytest.raises(WorkflowError, match="由领衔代表测评"):
        rating.evaluation_submit(reply=sent, by=carl.user, work="satisfied", result="satisfied")
    proposal.session.raters = "all"
    proposal.session.save()
    sent = Reply.objects.get(pk=sent.pk)
    rating.evaluation_submit(reply=sent, by=carl.user, work="satisfied", result="satisfied")
    assert Evaluation.objects.get().deputy == carl


@pytest.mark.parametrize("who", ["alice", "lily", "bob", "ben", "sam", "cora", "admin", "stranger"])
def test_nobody_but_the_deputy_rates_online(sent, everyone, who):
    with pytest.raises(PermissionDenied):
        rating.evaluation_submit(reply=sent, by=everyone[who], work="satisfied", result="satisfied")
    assert not Evaluation.objects.exists()


def test_bureau_users_get_no_rating_page(client, sent, everyone):
    for who, paper in (("alice", 403), ("lily", 403), ("bob", 404)):  # bob's bureau has no part in it
        client.force_login(everyone[who])
        assert client.post(reverse("evaluation-new", args=[sent.pk]), {"work": "satisfied", "result": "satisfied"}).status_code == 403
        assert client.get(reverse("evaluation-paper", args=[sent.pk])).status_code == paper
    assert not Evaluation.objects.exists()


def test_a_signed_but_unsent_reply_cannot_be_rated(proposal, cora, alice, lily, bureau_a, dora):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    reply = workflow.reply_sign(assignment=assignment, by=lily)
    with pytest.raises(WorkflowError, match="送达后才能测评"):
        rating.evaluation_submit(reply=reply, by=dora.user, work="satisfied", result="satisfied")


def test_the_rating_window_closes(sent, dora, proposal):
    Reply.objects.filter(pk=sent.pk).update(sent_at=timezone.now() - datetime.timedelta(days=31))
    with pytest.raises(WorkflowError, match="测评期限已于"):
        rating.evaluation_submit(reply=fresh(sent), by=dora.user, work="satisfied", result="satisfied")
    proposal.session.rating_window_days = 60
    proposal.session.save()
    rating.evaluation_submit(reply=fresh(sent), by=dora.user, work="satisfied", result="satisfied")


def test_the_congress_office_records_a_paper_rating_with_its_scan(client, sent, cora, dora, media_root, proposal):
    client.force_login(cora)
    response = client.post(reverse("evaluation-paper", args=[sent.pk]), {
        "deputy": dora.pk, "work": "dissatisfied", "result": "basically", "comment": "电话沟通不够。",
        "scan": SimpleUploadedFile("form.pdf", PDF_SCAN, content_type="application/pdf"),
    })
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert (evaluation.source, evaluation.recorded_by, evaluation.deputy) == ("paper", cora, dora)
    assert evaluation.scan.read() == PDF_SCAN
    assert fresh(sent.assignment).state == S.DRAFTING  # 不满意 on paper opens re-handling too
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert "纸质测评表（代表工委录入）" in page and "电话沟通不够" in page
    scan = client.get(reverse("evaluation-scan", args=[evaluation.pk]))
    assert scan.status_code == 200 and b"".join(scan.streaming_content) == PDF_SCAN


def test_a_paper_rating_needs_a_real_scan(sent, cora, dora, media_root):
    with pytest.raises(WorkflowError, match="PDF、JPG 或 PNG"):
        rating.evaluation_record_paper(
            reply=sent, deputy=dora, by=cora, work="satisfied", result="satisfied",
            scan=SimpleUploadedFile("form.pdf", b"<html>not a scan</html>"),
        )
    with pytest.raises(WorkflowError, match="扫描件"):
        rating.evaluation_record_paper(reply=sent, deputy=dora, by=cora, work="satisfied", result="satisfied", scan=None)
    assert not Evaluation.objects.exists()


def test_bureau_users_never_record_paper_ratings(sent, alice, lily, dora, media_root):
    for who in (alice, lily):
        with pytest.raises(PermissionDenied):
            rating.evaluation_record_paper(
                reply=sent, deputy=dora, by=who, work="satisfied", result="satisfied",
                scan=SimpleUploadedFile("form.pdf", PDF_SCAN),
            )
    assert not Evaluation.objects.exists()


def test_a_correction_is_a_new_record_with_a_reason(sent, dora, cora, alice, proposal):
    first = rating.evaluation_submit(reply=sent, by=dora.user, work="basically", result="satisfied")
    with pytest.raises(WorkflowError, match="写明原因"):
        rating.evaluation_correct(evaluation=first, by=cora, work="satisfied", result="satisfied", reason=" ")
    with pytest.raises(PermissionDenied):
        rating.evaluation_correct(evaluation=first, by=alice, work="satisfied", result="satisfied", reason="x")
    second = rating.evaluation_correct(
        evaluation=first, by=cora, work="satisfied", result="satisfied", reason="代表来电更正，录入有误。"
    )
    assert second.corrects == first and Evaluation.objects.count() == 2
    assert list(Evaluation.objects.current()) == [second]
    assert fresh(first).work == "basically"  # the history stays
    with pytest.raises(WorkflowError, match="已被更正过"):
        rating.evaluation_correct(evaluation=first, by=cora, work="satisfied", result="satisfied", reason="再次")
    assert proposal.events.filter(action=Event.Action.CORRECT_RATING).count() == 1


def test_a_rating_never_changes_in_place(sent, dora):
    evaluation = rating.evaluation_submit(reply=sent, by=dora.user, work="satisfied", result="satisfied")
    evaluation.work = "dissatisfied"
    with pytest.raises(ValidationError):
        evaluation.save()
    with pytest.raises(ValidationError):
        evaluation.delete()
    assert fresh(evaluation).work == "satisfied"


def test_during_re_handling_the_congress_office_may_ask_assisting_bureaus_again(
    proposal, cora, alice, lily, bob, ben, bureau_a, bureau_b, dora
):
    from proposals import workflow as intake
    from replies.drafts import opinion_save_draft
    from replies.selectors import current_opinion

    lead, assisting = intake.proposal_assign(proposal=proposal, leads=[bureau_a], assistants=[bureau_b], by=cora)
    workflow.assignment_accept(assignment=assisting, by=bob)
    opinion = current_opinion(assisting)
    opinion_save_draft(opinion=opinion, by=bob, version=opinion.version, title=opinion.title, body="协办意见。", contact_name="周", contact_phone="1")
    workflow.opinion_send(assignment=assisting, by=ben)
    workflow.assignment_accept(assignment=lead, by=alice)
    write_reply(lead, alice)
    workflow.reply_submit(assignment=lead, by=alice)
    workflow.reply_sign(assignment=lead, by=lily)
    workflow.reply_send(assignment=lead, by=alice)
    with pytest.raises(WorkflowError):  # no re-handling yet: nothing to reopen
        workflow.opinion_reopen(assignment=assisting, by=cora)
    rating.evaluation_submit(reply=current_reply(lead), by=dora.user, work="dissatisfied", result="dissatisfied", comment="不满意。")
    workflow.opinion_reopen(assignment=assisting, by=cora, note="请补充科技项目支持情况。")
    assisting = Assignment.objects.get(pk=assisting.pk)
    new = current_opinion(assisting)
    assert assisting.state == S.DRAFTING and (new.round, new.body, new.is_sent) == (2, "协办意见。", False)
