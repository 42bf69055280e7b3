"""Public replies (主动公开): the congress office releases a sent reply with its contact details
removed, and anyone reads it, without logging in, on cacheable pages that show nothing else."""

import io
import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from proposals.errors import WorkflowError
from proposals.models import Event, Proposal
from replies import public_views, publication, workflow
from replies.drafts import default_cc, reply_save_draft
from replies.models import Reply
from replies.publication import PLACEHOLDER, reply_release
from replies.selectors import current_reply
from tests.factories import ProposalFactory, SessionFactory
from tests.workflow_helpers import to_drafting

X = PLACEHOLDER
CONTACT_NAME, CONTACT_PHONE = "陈承办", "0574-63000000"
BODY = (
    "一、总体情况\n"
    "您的建议已收悉。2023年我市安排专项资金3000万元，详见慈经信建〔2022〕3号文件。\n"
    "（一）具体措施。经与代表电话沟通（手机138 1234 5678），我们将认真办理。\n"
    "如有疑问，请致电0574－6300 0001或(0574)63000002，也可拨打办公室电话 63000003，"
    "或发邮件至 cxjxj@cixi.gov.cn。\n"
    "企业负责人陈承办（身份证号33028219900101123X）已到场。\n"
    "（联系人：陈承办；联系电话：0574-63000000）"
)
PUBLIC_BODY = (
    "一、总体情况\n"
    "您的建议已收悉。2023年我市安排专项资金3000万元，详见慈经信建〔2022〕3号文件。\n"
    f"（一）具体措施。经与代表电话沟通（手机{X}），我们将认真办理。\n"
    f"如有疑问，请致电{X}或{X}，也可拨打办公室电话 {X}，"
    f"或发邮件至 {X}。\n"
    f"企业负责人{X}（身份证号{X}）已到场。\n"
    f"{X}"
)
# What no public page or PDF may ever show.
SECRETS = [
    CONTACT_NAME, CONTACT_PHONE, "13812345678", "138 1234 5678", "6300 0001", "63000002",
    "63000003", "cxjxj@", "33028219900101123X",
]
SECRET_PATTERNS = [
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # mobile
    re.compile(r"(?<!\d)0\d{2,3}[-－)）]?\d{7,8}(?!\d)"),  # landline with area code
    re.compile(r"[\w.+-]+@[\w-]+\.[A-Za-z]{2,}"),  # e-mail
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),  # ID number
    re.compile(rf"联系(?:人|电话)[：:](?!{re.escape(X)})"),  # a contact label with anything after it
]


def make_reply(proposal, cora, staff, leader, bureau, *, body=BODY, disclosure="public", until="sent"):
    """A reply through the real services, stopped at draft, signed or sent."""
    assignment = to_drafting(proposal, cora, staff, bureau)
    reply = current_reply(assignment)
    reply_save_draft(
        reply=reply, by=staff, version=reply.version, body=body, category_mark="A",
        disclosure=disclosure, contact_name=CONTACT_NAME, contact_phone=CONTACT_PHONE,
        cc=default_cc(assignment),
    )
    if until != "draft":
        workflow.reply_submit(assignment=assignment, by=staff)
        workflow.reply_sign(assignment=assignment, by=leader)
    if until == "sent":
        workflow.reply_send(assignment=assignment, by=staff)
    return Reply.objects.get(pk=reply.pk)


def released_count(reply):
    return Event.objects.filter(proposal=reply.assignment.proposal, action=Event.Action.RELEASE).count()


@pytest.fixture
def sent(proposal, cora, alice, lily, bureau_a):
    return make_reply(proposal, cora, alice, lily, bureau_a)


# --- the release service ----------------------------------------------------------------------


def test_release_stores_the_public_text_and_writes_one_event(sent, cora):
    reply = reply_release(reply=sent, by=cora)
    assert reply.public_body == PUBLIC_BODY
    assert reply.released_at is not None and reply.released_by == cora
    assert reply.body == BODY  # the signed letter is untouched
    (event,) = Event.objects.filter(action=Event.Action.RELEASE)
    assert event.actor == cora and event.assignment == sent.assignment
    assert event.proposal == sent.assignment.proposal
    assert event.note == "公开文本删除联系方式等 8 处。"  # how many, never what


def test_the_releaser_may_remove_more_text(sent, cora):
    reply = reply_release(reply=sent, by=cora, extra_removals=["专项资金3000万元", "  慈经信建〔2022〕3号 "])
    assert f"安排{X}，详见{X}文件" in reply.public_body


def test_extra_text_must_occur_in_the_reply(sent, cora):
    with pytest.raises(WorkflowError, match="找不到：「不存在的文字」"):
        reply_release(reply=sent, by=cora, extra_removals=["专项资金", "不存在的文字"])
    sent.refresh_from_db()
    assert sent.released_at is None and sent.public_body == "" and released_count(sent) == 0


@pytest.mark.parametrize("person", ["sam", "alice", "lily", "bob", "ben", "dora", "carl", "otto", "stranger"])
def test_only_the_congress_office_releases(sent, everyone, person):
    with pytest.raises(PermissionDenied):
        reply_release(reply=sent, by=everyone[person])
    sent.refresh_from_db()
    assert sent.released_at is None and sent.public_body == "" and released_count(sent) == 0


def test_admins_may_release_too(sent, admin_user):
    assert reply_release(reply=sent, by=admin_user).released_by == admin_user


@pytest.mark.parametrize(
    "disclosure,until,message",
    [
        ("public", "draft", "尚未送达"),
        ("public", "signed", "尚未送达"),
        ("on_request", "sent", "依申请公开"),
        ("not_public", "sent", "不予公开"),
    ],
)
def test_only_sent_public_replies_are_released(proposal, cora, alice, lily, bureau_a, disclosure, until, message):
    reply = make_reply(proposal, cora, alice, lily, bureau_a, disclosure=disclosure, until=until)
    with pytest.raises(WorkflowError, match=message):
        reply_release(reply=reply, by=cora)
    reply.refresh_from_db()
    assert reply.released_at is None and reply.public_body == "" and released_count(reply) == 0


def test_a_reply_is_released_once(sent, cora):
    first = reply_release(reply=sent, by=cora)
    with pytest.raises(WorkflowError, match="不能重复公开"):
        reply_release(reply=sent, by=cora, extra_removals=["专项资金"])
    sent.refresh_from_db()
    assert sent.released_at == first.released_at and sent.public_body == PUBLIC_BODY
    assert released_count(sent) == 1


def test_the_public_letter_is_the_official_one_with_the_public_text_and_no_note_line(sent, cora):
    from replies.pdf import reply_letter

    reply = reply_release(reply=sent, by=cora)
    official, public = reply_letter(reply), publication.public_letter(reply)
    assert public.body == PUBLIC_BODY and official.body == BODY
    assert (public.contact_name, public.contact_phone) == ("", "")
    assert (official.contact_name, official.contact_phone) == (CONTACT_NAME, CONTACT_PHONE)
    same = ["title", "salutation", "document_number", "authority_mark", "signer", "date", "cc",
            "category_mark", "disclosure_note", "signing_bureau"]
    assert all(getattr(public, f) == getattr(official, f) for f in same)


# --- the release pages ------------------------------------------------------------------------


def test_the_release_page_shows_what_will_be_removed(client, sent, cora):
    client.force_login(cora)
    page = client.get(reverse("release-new", args=[sent.pk])).content.decode()
    assert "<del" in page and "138 1234 5678" in page and "手机号码" in page and "身份证号码" in page
    assert f"<ins>{X}</ins>" in page and "删除 8 处" in page
    sent.refresh_from_db()
    assert sent.released_at is None  # GET never changes anything


def test_the_releaser_previews_extra_removals_then_releases(client, sent, cora):
    client.force_login(cora)
    url = reverse("release-new", args=[sent.pk])
    # Released straight away with text the page has not shown yet: refused, preview first.
    response = client.post(url, {"action": "release", "extra_removals": "专项资金", "previewed": ""})
    assert "请先预览" in response.content.decode()
    sent.refresh_from_db()
    assert sent.released_at is None
    response = client.post(url, {"action": "preview", "extra_removals": "专项资金\n不存在的文字"})
    assert "找不到：「不存在的文字」" in response.content.decode()
    response = client.post(url, {"action": "preview", "extra_removals": "专项资金"})
    page = response.content.decode()
    assert "删除 9 处" in page and "另行标记" in page
    response = client.post(url, {"action": "release", "extra_removals": "专项资金", "previewed": "专项资金"})
    assert response.status_code == 302 and response.url == reverse("release-list")
    sent.refresh_from_db()
    assert sent.released_at and f"安排{X}3000万元" in sent.public_body


def test_releasing_without_extras_is_one_click(client, sent, cora):
    client.force_login(cora)
    response = client.post(reverse("release-new", args=[sent.pk]), {"action": "release"})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.public_body == PUBLIC_BODY


@pytest.mark.parametrize("person", ["sam", "alice", "lily", "bob", "dora", "stranger"])
def test_the_release_pages_refuse_everyone_but_the_congress_office(client, sent, everyone, person):
    client.force_login(everyone[person])
    assert client.get(reverse("release-list")).status_code == 403
    assert client.get(reverse("release-new", args=[sent.pk])).status_code == 403
    assert client.post(reverse("release-new", args=[sent.pk]), {"action": "release"}).status_code == 403
    sent.refresh_from_db()
    assert sent.released_at is None and released_count(sent) == 0


def test_anonymous_release_goes_to_login(client, sent):
    for response in (client.get(reverse("release-list")), client.post(reverse("release-new", args=[sent.pk]), {"action": "release"})):
        assert response.status_code == 302 and "/accounts/login/" in response.url
    sent.refresh_from_db()
    assert sent.released_at is None


def test_the_release_page_says_why_a_reply_cannot_be_released(client, proposal, cora, alice, lily, bureau_a):
    reply = make_reply(proposal, cora, alice, lily, bureau_a, disclosure="on_request")
    client.force_login(cora)
    url = reverse("release-new", args=[reply.pk])
    page = client.get(url).content.decode()
    assert "只有「主动公开」的答复可以公开" in page and "确认公开" not in page
    client.post(url, {"action": "release"})
    reply.refresh_from_db()
    assert reply.released_at is None and released_count(reply) == 0


def test_the_release_list_shows_what_awaits_release_earliest_due_first(client, proposal, sent, cora, bob, ben, bureau_b, otto):
    other = make_reply(
        ProposalFactory(session=proposal.session, lead_deputy=otto, number=120, title="关于科技平台的建议"),
        cora, bob, ben, bureau_b,
    )
    Reply.objects.filter(pk=other.pk).update(release_due_on="2020-01-06")  # long overdue
    client.force_login(cora)
    page = client.get(reverse("release-list")).content.decode()
    assert page.index("关于科技平台的建议") < page.index(proposal.title)
    assert "已逾期 1 件" in page and page.count("badge red") == 1
    assert reverse("release-new", args=[sent.pk]) in page
    reply_release(reply=sent, by=cora)
    page = client.get(reverse("release-list")).content.decode()
    assert proposal.title not in page and "共 1 件" in page


def test_the_reply_page_links_the_release_for_the_congress_office_only(client, sent, cora, alice, dora):
    url, release = reverse("reply-detail", args=[sent.pk]), reverse("release-new", args=[sent.pk])
    client.force_login(cora)
    assert release in client.get(url).content.decode()
    client.force_login(alice)
    assert release not in client.get(url).content.decode()
    reply_release(reply=sent, by=cora)
    for person in (cora, alice, dora.user):
        client.force_login(person)
        page = client.get(url).content.decode()
        assert "已主动公开" in page and reverse("public-detail", args=[sent.pk]) in page
        assert release not in page


# --- the public pages -------------------------------------------------------------------------


def assert_public_headers(response):
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=300"} <= cache, response["Cache-Control"]
    assert "cookie" not in response.get("Vary", "").lower()
    assert not response.cookies


def test_public_pages_show_the_released_text_to_anyone(client, sent, cora):
    reply = reply_release(reply=sent, by=cora)
    page = client.get(reverse("public-list")).content.decode()
    assert reply.assignment.proposal.title in page
    response = client.get(reverse("public-detail", args=[reply.pk]))
    assert_public_headers(response)
    page = response.content.decode()
    for shown in ("市十八届人大一次会议", "第110号", "罗冲", "慈溪市经济和信息化局", "专项资金3000万元",
                  reply.document_number, reverse("public-pdf", args=[reply.pk])):
        assert shown in page
    assert all(secret not in page for secret in SECRETS)


def test_public_pages_are_the_same_for_a_logged_in_user(client, sent, cora):
    reply_release(reply=sent, by=cora)
    anonymous = client.get(reverse("public-list"))
    client.force_login(cora)
    client.cookies["django_language"] = "en"
    logged_in = client.get(reverse("public-list"))
    assert_public_headers(logged_in)
    assert logged_in["Content-Language"] == "zh-hans"
    assert logged_in.content == anonymous.content and "工委王" not in logged_in.content.decode()


def test_public_list_ignores_what_it_does_not_understand(client, sent, cora):
    reply_release(reply=sent, by=cora)
    response = client.get(reverse("public-list"), {"session": "x", "bureau": "999999", "page": "zz"})
    assert response.status_code == 200 and sent.assignment.proposal.title in response.content.decode()


def test_public_pages_answer_revalidation_and_refuse_posts(client, sent, cora):
    reply_release(reply=sent, by=cora)
    url = reverse("public-detail", args=[sent.pk])
    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert client.post(url).status_code == 405


@pytest.mark.parametrize(
    "disclosure,until",
    [("public", "draft"), ("public", "signed"), ("public", "sent"), ("on_request", "sent"), ("not_public", "sent")],
)
def test_nothing_unreleased_is_public(client, proposal, cora, alice, lily, bureau_a, disclosure, until):
    reply = make_reply(proposal, cora, alice, lily, bureau_a, disclosure=disclosure, until=until)
    if disclosure != "public":  # even a row marked released by mistake stays out
        Reply.objects.filter(pk=reply.pk).update(released_at="2024-01-01T00:00Z", public_body="不应公开")
    assert proposal.title not in client.get(reverse("public-list")).content.decode()
    assert client.get(reverse("public-detail", args=[reply.pk])).status_code == 404
    assert client.get(reverse("public-pdf", args=[reply.pk])).status_code == 404


def test_the_public_pdf_has_the_public_text_and_no_contact_details(client, sent, cora, media_root):
    reply = reply_release(reply=sent, by=cora)
    response = client.get(reverse("public-pdf", args=[reply.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert_public_headers(response)
    text = pdf_text(response.content)
    assert "已删除" in text and "专项资金3000万元" in text and reply.document_number in text
    assert all(secret.replace(" ", "") not in text for secret in SECRETS)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


@pytest.fixture
def published(proposal, cora, alice, lily, bob, ben, bureau_a, bureau_b, otto, dora):
    """Three released replies (two sessions, two bureaus, three categories) and one of each kind
    that must stay out of the public pages."""
    session = proposal.session
    later = SessionFactory(term=18, number=2, starts_on="2023-01-09", ends_on="2023-01-12")

    def new(number, title, **fields):
        fields.setdefault("session", session)
        fields.setdefault("lead_deputy", otto)
        return ProposalFactory(number=number, title=title, **fields)

    released = [
        reply_release(reply=make_reply(proposal, cora, alice, lily, bureau_a), by=cora),
        reply_release(reply=make_reply(
            new(120, "关于加强科技创新平台建设的建议", category=Proposal.Category.SOCIAL),
            cora, bob, ben, bureau_b, body="一、总体情况\n科技平台已建成。联系电话：63000009。"), by=cora),
        reply_release(reply=make_reply(
            new(5, "关于改善农村道路的建议", session=later, category=Proposal.Category.AGRICULTURE),
            cora, alice, lily, bureau_a, body="一、总体情况\n农村道路已改造（邮箱 road@cixi.gov.cn）。"), by=cora),
    ]
    hidden = {
        "关于尚未公开事项的建议": dict(body="尚未公开的正文。"),
        "关于依申请公开事项的建议": dict(body="依申请公开的正文。", disclosure="on_request"),
        "关于不予公开事项的建议": dict(body="不予公开的正文。", disclosure="not_public"),
        "关于已签发未送达事项的建议": dict(body="已签发未送达的正文。", until="signed"),
        "关于起草中事项的建议": dict(body="起草中的正文。", until="draft"),
    }
    for number, (title, options) in enumerate(hidden.items(), start=200):
        reply = make_reply(new(number, title), cora, alice, lily, bureau_a, **options)
        if reply.disclosure != "public":
            Reply.objects.filter(pk=reply.pk).update(released_at="2024-01-01T00:00Z", public_body="不应公开的公开文本。")
    forbidden = [*hidden, *(o["body"] for o in hidden.values()), "不应公开的公开文本"]
    return released, forbidden


class Links(HTMLParser):
    """The links of a page, and the choices of its GET search form."""

    def __init__(self):
        super().__init__()
        self.links, self.fields, self.scripts, self._select = [], {}, 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "select":
            self._select = attrs["name"]
            self.fields[self._select] = []
        elif tag == "option" and self._select and attrs.get("value"):
            self.fields[self._select].append(attrs["value"])
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def test_crawl_the_public_pages_as_anyone(client, published, monkeypatch, media_root):
    """Follow every link from /public/ (pages, searches, details, PDFs): only released text, no
    contact details, nothing unreleased, every page cacheable by anyone."""
    monkeypatch.setattr(public_views, "PUBLIC_PAGE_SIZE", 2)  # so there is a second page
    released, forbidden = published
    start = reverse("public-list")
    searches = [f"{start}?{urlencode({'q': q})}" for q in
                ("科技", "第110号", "120", "市科技局", "罗冲", "专项资金", "尚未公开", "不存在")]
    queue, seen, kinds = [start, *searches], set(), {"list": 0, "detail": 0, "pdf": 0}
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        assert_public_headers(response)
        if response["Content-Type"] == "application/pdf":
            kinds["pdf"] += 1
            text = pdf_text(response.content)
            assert "联系人" not in text, url  # no note line
        else:
            kinds["detail" if "/public/" != urlsplit(url).path else "list"] += 1
            text = response.content.decode()
            parser = Links()
            parser.feed(text)
            assert parser.scripts == 0 and "csrfmiddlewaretoken" not in text, url
            for href in parser.links:
                target = urljoin(url, href)
                assert urlsplit(target).path.startswith("/public/"), (url, href)  # nothing leads inside
                queue.append(target)
            for name, values in parser.fields.items():
                queue += [f"{start}?{urlencode({name: value})}" for value in values]
        for secret in [*SECRETS, *forbidden]:
            assert secret.replace(" ", "") not in text.replace(" ", ""), (url, secret)
        for pattern in SECRET_PATTERNS:
            assert not pattern.search(text), (url, pattern.search(text))
    assert kinds["detail"] == 3 and kinds["pdf"] == 3 and kinds["list"] > 10
    # Every released reply was reached, and the second page of the list.
    assert {reverse("public-pdf", args=[r.pk]) for r in released} <= seen
    assert any("page=2" in url for url in seen)


def test_search_finds_what_the_pages_show_and_nothing_else(client, published):
    released, _forbidden = published
    first, science, roads = (r.assignment.proposal.title for r in released)

    def found(**query):
        page = client.get(reverse("public-list"), query).content.decode()
        return {title for title in (first, science, roads) if title in page}

    assert found() == {first, science, roads}
    assert found(q="专项资金") == {first}  # the public text
    assert found(q="第120号") == found(q="120") == {science}
    assert found(q="科技创新") == {science}
    assert found(q="13812345678") == found(q="陈承办") == found(q="事由") == set()  # not what is hidden
    assert found(session=roads_session(released)) == {roads}
    assert found(bureau=released[1].bureau_id) == {science}
    assert found(category=Proposal.Category.AGRICULTURE) == {roads}


def roads_session(released):
    return released[2].assignment.proposal.session_id


def test_public_pages_take_the_same_queries_however_many_replies(client, published, proposal, cora, alice, lily, bureau_a, dora):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    released, _forbidden = published
    few = queries(reverse("public-list"))
    detail = queries(reverse("public-detail", args=[released[0].pk]))
    for number in (301, 302, 303):
        other = ProposalFactory(session=proposal.session, lead_deputy=dora, number=number)
        reply_release(reply=make_reply(other, cora, alice, lily, bureau_a, body="一、总体情况\n已办理。"), by=cora)
    assert queries(reverse("public-list")) == few
    assert queries(reverse("public-detail", args=[released[0].pk])) == detail <= 3
