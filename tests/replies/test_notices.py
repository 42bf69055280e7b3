"""交办通知: one per bureau of a batch, listing exactly its proposals with their due dates, as a GB/T
9704 letter from the congress office; read by that bureau and the offices only, downloads audited."""

import io
import re

import pdfplumber
import pytest
from django.urls import reverse

from accounts.models import AuditRecord, Membership
from proposals.errors import WorkflowError
from proposals.models import Assignment, Proposal
from proposals.numerals import chinese_date
from replies.letter.notice import TableBlock, blocks_from_text, blocks_text
from replies.models import AssignmentNotice
from replies.notices import batch_assign, notice_document, notice_pdf
from tests.factories import (
    OrganizationFactory,
    ProposalFactory,
    SessionFactory,
    UserFactory,
    member,
)


@pytest.fixture
def batch(cora, dora, otto, bureau_a, bureau_b, government_office):
    """Proposals 5 and 7 to 经信局 (lead) with 科技局 assisting; proposal 6 stays out."""
    session = SessionFactory(term=18, number=1)
    five = ProposalFactory(session=session, number=5, lead_deputy=dora, title="关于加快推进中小企业数字化改造的建议")
    ProposalFactory(session=session, number=6, lead_deputy=otto, title="关于另一件事的建议")
    seven = ProposalFactory(session=session, number=7, lead_deputy=otto, title="关于完善产业园区配套设施的建议")
    return batch_assign(proposals=[seven, five], lead=bureau_a, assistants=[bureau_b], by=cora)


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as document:
        return "".join(page.extract_text() or "" for page in document.pages)


def pdf_tables(content: bytes) -> list[list[tuple[str, ...]]]:
    """Every ruled table of the PDF, its cells' text without line breaks."""
    with pdfplumber.open(io.BytesIO(content)) as document:
        return [
            [tuple(flat(cell or "") for cell in row) for row in table]
            for page in document.pages
            for table in page.extract_tables()
        ]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_one_notice_per_bureau_listing_exactly_its_proposals(batch, bureau_a, bureau_b, congress_office):
    notices = {n.bureau: n for n in batch.notices.all()}
    assert set(notices) == {bureau_a, bureau_b}
    for bureau, role in ((bureau_a, "lead"), (bureau_b, "assisting")):
        notice = notices[bureau]
        expected = set(Assignment.objects.filter(bureau=bureau, role=role))
        assert set(notice.assignments.all()) == expected and len(expected) == 2
        _letter, blocks = notice_document(notice)
        (table,) = [b for b in blocks if isinstance(b, TableBlock)]
        assert table.header == ("编号", "标题", "领衔代表", "主办/协办", "答复期限")
        assert [row[0] for row in table.rows] == ["第5号", "第7号"]  # in number order
        for row, a in zip(table.rows, sorted(expected, key=lambda a: a.proposal.number), strict=True):
            assert row == (
                a.proposal.label, a.proposal.title, a.proposal.lead_deputy.name,
                a.get_role_display(), chinese_date(a.due_on),
            )
        assert notice.issuer == congress_office
    # numbered from the congress office's gap-free series, the lead's first
    year = notices[bureau_a].issued_on.year
    assert [notices[bureau_a].document_number, notices[bureau_b].document_number] == [
        f"交办〔{year}〕1号", f"交办〔{year}〕2号"
    ]


def test_the_pdf_is_the_letter_with_its_table_and_rules(batch, bureau_a):
    notice = batch.notices.get(bureau=bureau_a)
    rendered = notice_pdf(notice)
    text = flat(pdf_text(rendered.content))
    assert "慈溪市人大常委会代表工作委员会文件" in text
    assert notice.document_number in text
    assert "关于交办市十八届人大一次会议代表建议的通知" in text
    assert "市经信局：" in text
    assert "现将市十八届人大一次会议代表建议2件交由你单位办理（主办2件）" in text
    (table,) = pdf_tables(rendered.content)
    assert table == [("编号", "标题", "领衔代表", "主办/协办", "答复期限")] + [
        (a.proposal.label, a.proposal.title, a.proposal.lead_deputy.name, "主办", chinese_date(a.due_on))
        for a in notice.assignments.select_related("proposal__lead_deputy").order_by("proposal__number")
    ]
    assert "主办单位应自交办之日起3个月内答复代表" in text
    assert "调整交办" in text and "10日内" in text
    assert "6个月" in text
    assert "关于另一件事的建议" not in text
    assert chinese_date(notice.issued_on) in text
    assert "抄送：市政府办公室。" in text
    # the same stored letter prints the same bytes
    assert notice_pdf(notice).sha256 == rendered.sha256


def test_the_page_layout_is_the_replies(batch, bureau_a):
    """A4, GB/T 9704 margins: body text starts 28 mm from the left edge."""
    rendered = notice_pdf(batch.notices.get(bureau=bureau_a))
    with pdfplumber.open(io.BytesIO(rendered.content)) as document:
        page = document.pages[0]
        assert round(page.width / 72 * 25.4) == 210 and round(page.height / 72 * 25.4) == 297
        salutation = [c for c in page.chars if c["text"] == "市" and abs(c["size"] - 16) < 0.5]
        assert salutation
        assert min(c["x0"] for c in salutation) / 72 * 25.4 == pytest.approx(28, abs=1)


def test_the_notice_is_kept_as_issued(batch, bureau_a, bureau_b, cora):
    """Later changes (a reassignment) do not rewrite a notice already issued."""
    notice = batch.notices.get(bureau=bureau_b)
    before = notice_document(notice)
    assisting = notice.assignments.first()
    Proposal.objects.filter(pk=assisting.proposal_id).update(title="改过的标题")
    notice.refresh_from_db()
    assert notice_document(notice) == before


def test_an_undrawable_character_refuses_the_batch(cora, dora, bureau_a):
    proposal = ProposalFactory(number=9, lead_deputy=dora, title="关于\U0001f600的建议")
    with pytest.raises(WorkflowError, match="无法打印的字符"):
        batch_assign(proposals=[proposal], lead=bureau_a, by=cora)
    assert not proposal.assignments.exists() and not AssignmentNotice.objects.exists()


# --- access: one rule for pages and downloads ---------------------------------------------------


@pytest.fixture
def other_bureau_staff(db):
    bureau = OrganizationFactory(name="慈溪市住房和城乡建设局", short_name="市住建局", document_prefix="慈住建")
    return member(UserFactory(username="cara"), bureau, Membership.Role.BUREAU_STAFF)


# the 经信局 notice: page and PDF; the list of notices
READS_NOTICE = {"cora": 200, "sam": 200, "admin": 200, "alice": 200, "lily": 200, "bob": 404, "ben": 404,
                "dora": 404, "stranger": 404}
READS_LIST = {"cora": 200, "sam": 200, "admin": 200, "alice": 200, "lily": 200, "bob": 200, "ben": 200,
              "dora": 403, "stranger": 403}


@pytest.mark.parametrize("who", sorted(READS_NOTICE))
def test_a_notice_is_read_by_its_bureau_and_the_offices_only(client, everyone, batch, bureau_a, who):
    notice = batch.notices.get(bureau=bureau_a)
    client.force_login(everyone[who])
    assert client.get(reverse("notice-detail", args=[notice.pk])).status_code == READS_NOTICE[who]
    assert client.get(reverse("notice-pdf", args=[notice.pk])).status_code == READS_NOTICE[who]
    listing = client.get(reverse("notice-list"))
    assert listing.status_code == READS_LIST[who]
    if listing.status_code == 200:
        listed = reverse("notice-detail", args=[notice.pk]) in listing.content.decode()
        assert listed == (READS_NOTICE[who] == 200)


def test_another_bureau_gets_404_and_sees_nothing_of_it(client, batch, other_bureau_staff):
    client.force_login(other_bureau_staff)
    for notice in batch.notices.all():
        assert client.get(reverse("notice-detail", args=[notice.pk])).status_code == 404
        assert client.get(reverse("notice-pdf", args=[notice.pk])).status_code == 404
    assert client.get(reverse("notice-batch", args=[batch.pk])).status_code == 404
    assert "交办〔" not in client.get(reverse("notice-list")).content.decode()
    assert AssignmentNotice.objects.visible_to(other_bureau_staff).count() == 0


def test_the_download_is_audited_and_not_cached(client, batch, alice, bureau_a):
    notice = batch.notices.get(bureau=bureau_a)
    client.force_login(alice)
    response = client.get(reverse("notice-pdf", args=[notice.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert notice.document_number in flat(pdf_text(b"".join(response.streaming_content)))
    record = AuditRecord.objects.get(action="notice_pdf")
    assert (record.username, record.object_id, record.detail) == ("alice", str(notice.pk), notice.document_number)


def test_the_bureau_finds_its_notice_on_its_home_page_and_the_proposal_page(client, batch, alice, bob, bureau_a):
    notice = batch.notices.get(bureau=bureau_a)
    link = reverse("notice-detail", args=[notice.pk])
    client.force_login(alice)
    assert link in client.get(reverse("home")).content.decode()
    proposal = notice.assignments.first().proposal
    assert link in client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    client.force_login(bob)  # the assisting bureau sees its own notice there, not the lead's
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert link not in page
    assert reverse("notice-detail", args=[batch.notices.get(bureau__short_name="市科技局").pk]) in page


def test_the_congress_office_reprints_any_notice(client, batch, cora):
    client.force_login(cora)
    page = client.get(reverse("notice-batch", args=[batch.pk])).content.decode()
    for notice in batch.notices.all():
        assert reverse("notice-pdf", args=[notice.pk]) in page
        assert notice.document_number in page
        assert client.get(reverse("notice-pdf", args=[notice.pk])).status_code == 200
        detail = client.get(reverse("notice-detail", args=[notice.pk])).content.decode()
        assert notice.title in detail and notice.document_number in detail
        for a in notice.assignments.select_related("proposal"):
            assert a.proposal.title in detail and chinese_date(a.due_on) in detail
    assert page.count("关于交办市十八届人大一次会议代表建议的通知") == 2


# --- the editable text of a body with tables ---------------------------------------------------


def test_text_with_tables_round_trips():
    text = "一、基本情况\n共收到建议3件。\n单位 | 主办 | 满意率\n市经信局 | 2 | 50.0%\n市科技局 | 1 | —\n二、下一步\n继续督办。"
    blocks = blocks_from_text(text)
    assert blocks[0] == "一、基本情况\n共收到建议3件。"
    assert blocks[1] == TableBlock(("单位", "主办", "满意率"), (("市经信局", "2", "50.0%"), ("市科技局", "1", "—")), wide=0)
    assert blocks[2] == "二、下一步\n继续督办。"
    assert blocks_from_text(blocks_text(blocks)) == blocks
    pasted = blocks_from_text("单位\t主办\n市经信局\t2")  # a table copied from Word: tabs
    assert pasted == [TableBlock(("单位", "主办"), (("市经信局", "2"),), wide=0)]


def test_the_list_of_notices_costs_the_same_queries_for_more_notices(client, batch, cora, dora, bureau_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cora)
    client.get(reverse("notice-list"))  # the session's first request does more
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notice-list"))
    more = [ProposalFactory(number=20 + n, lead_deputy=dora) for n in range(3)]
    for proposal in more:
        batch_assign(proposals=[proposal], lead=bureau_a, by=cora)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("notice-list")).content.decode()
    assert page.count("<tr>") == 1 + 2 + 3
    assert len(many) == len(few)
