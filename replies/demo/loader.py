"""Demo data: the five seed documents as real records, plus the people who handle them.

Everything goes through the workflow services, so the demo is a valid history (numbers,
states, events). The history's timestamps are then set to the dates the documents carry.
Fields the published documents do not show (the 110 reply's date and cc list, deputies'
delegations where no cc names them, the 239 opinion's date) are plausible demo values.
Loading twice changes nothing: each part is looked up before it is created.
"""

import datetime
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Deputy, Membership, Organization, User
from proposals import supervision
from proposals import workflow as intake
from proposals.deadlines import release_deadline
from proposals.models import Assignment, Event, Proposal, Reminder, Session
from replies import workflow
from replies.drafts import opinion_save_draft, reply_save_draft
from replies.letter.data import CcRecipient
from replies.models import DocumentCounter, Evaluation, Reply
from replies.publication import reply_release
from replies.rating import evaluation_submit
from replies.selectors import current_opinion, current_reply

from . import documents as docs
from .history import history_load

DEMO_PASSWORD = "jianyi-demo"

ORGANIZATIONS = [
    # kind, full name, short name, cc name, document prefix
    ("congress_office", "慈溪市人大常委会代表工作委员会", "市人大代表工委", "市人大代表工委", ""),
    ("government_office", "慈溪市人民政府办公室", "市政府办公室", "市政府办公室", ""),
    ("bureau", "慈溪市经济和信息化局", "市经信局", "", "慈经信建"),
    ("bureau", "慈溪市科学技术局", "市科技局", "", "慈科建"),
    ("bureau", "国家税务总局慈溪市税务局", "市税务局", "", "慈税建"),
    ("bureau", "慈溪市人力资源和社会保障局", "市人力社保局", "", "慈人社建"),
    ("bureau", "慈溪市教育局", "市教育局", "", "慈教建"),
    ("bureau", "慈溪市自然资源和规划局", "市自然资源规划局", "", "慈自然资源建"),
    ("bureau", "中共慈溪市委人才工作领导小组办公室", "市委人才办", "", "慈人才建"),
    ("delegation", "白沙路街道代表团", "白沙路街道", "白沙路街道人大工作委员会", ""),
    ("delegation", "匡堰镇代表团", "匡堰镇", "匡堰镇人大主席团", ""),
    ("delegation", "宗汉街道代表团", "宗汉街道", "宗汉街道人大工作委员会", ""),
]

# username, full name, organisation short name, role
USERS = [
    ("gongwei", "王建国", "市人大代表工委", Membership.Role.CONGRESS_OFFICER),
    ("dubanyuan", "李督办", "市政府办公室", Membership.Role.SUPERVISOR),
    ("jxj_staff", "陈承办", "市经信局", Membership.Role.BUREAU_STAFF),
    ("jxj_leader", "龚激红", "市经信局", Membership.Role.BUREAU_LEADER),
    ("kjj_staff", "周协办", "市科技局", Membership.Role.BUREAU_STAFF),
    ("kjj_leader", "孙局长", "市科技局", Membership.Role.BUREAU_LEADER),
]

# name, delegation short name, login username (or "")
DEPUTIES = [
    ("傅磊", "白沙路街道", "fulei"),
    ("潘省办", "白沙路街道", ""),
    ("胡国锋", "白沙路街道", "huguofeng"),
    ("岑国建", "匡堰镇", "cenguojian"),
    ("罗冲", "宗汉街道", "luochong"),
]

SESSIONS = [
    # term, number, starts, ends
    (17, 1, datetime.date(2017, 1, 9), datetime.date(2017, 1, 12)),
    (17, 3, datetime.date(2018, 3, 6), datetime.date(2018, 3, 9)),
    (18, 1, datetime.date(2022, 1, 10), datetime.date(2022, 1, 13)),
    (18, 2, datetime.date(2023, 2, 14), datetime.date(2023, 2, 17)),
    (18, 5, datetime.date(2026, 1, 12), datetime.date(2026, 1, 15)),
]


@dataclass(frozen=True)
class DemoReply:
    seed: str
    session: tuple[int, int]
    number: int
    title: str
    deputy: str
    co_signers: tuple[str, ...]
    timing: str
    received_on: datetime.date
    assigned_on: datetime.date
    signed_on: datetime.date
    numbers_before: int  # numbers the bureau had issued that year before this reply
    contact: tuple[str, str]
    disclosure: str = Reply.Disclosure.PUBLIC
    returned_with: str = ""  # the leader returned the first draft once, with this note
    rating: tuple[str, str, str] | None = None  # the lead deputy's (work, result, comment)
    released: bool = False  # released on /public/ by the congress office


REPLIES = [
    DemoReply(
        docs.REPLY_176, (17, 3), 176, "关于推进智能制造产业发展的建议", "傅磊", ("潘省办", "胡国锋"),
        Proposal.Timing.DURING_SESSION, datetime.date(2018, 3, 9), datetime.date(2018, 3, 20),
        datetime.date(2018, 6, 20), 0, ("陈承办", "0574-63000000"),
        disclosure=Reply.Disclosure.ON_REQUEST,
        rating=("basically", "dissatisfied", "（演示数据）答复对建立智能制造发展机制的具体措施和时间表说明不够，请重新办理。"),
    ),
    DemoReply(
        docs.REPLY_366, (18, 2), 366, "关于加快数字经济建设助力产业提质升级的建议", "岑国建", (),
        Proposal.Timing.RECESS, datetime.date(2023, 6, 5), datetime.date(2023, 6, 12),
        datetime.date(2023, 9, 12), 0, ("陈承办", "0574-63000000"),
        released=True,
    ),
    DemoReply(
        docs.REPLY_110, (18, 1), 110,
        "关于推动中小民营制造业全员要素升级，实现高质量发展的建议", "罗冲", (),
        Proposal.Timing.DURING_SESSION, datetime.date(2022, 1, 13), datetime.date(2022, 2, 21),
        datetime.date(2022, 5, 18), 2, ("陈承办", "0574-63000000"),
        returned_with="（演示数据）第二部分内容偏少，请补充近两年的培训和补助数据后再送签。",
        rating=("satisfied", "satisfied", ""),
        released=True,
    ),
]


class Loader:
    def __init__(self, stdout=None):
        self.stdout = stdout
        self.created = 0

    def say(self, text):
        if self.stdout:
            self.stdout.write(text)

    @transaction.atomic
    def run(self):
        self.orgs = {short: self._organization(*row) for row in ORGANIZATIONS for short in [row[2]]}
        self.users = {row[0]: self._user(*row) for row in USERS}
        self.admin = self._admin()
        self.deputies = {name: self._deputy(name, d, u) for name, d, u in DEPUTIES}
        self.sessions = {(t, n): self._session(t, n, s, e) for t, n, s, e in SESSIONS}
        for spec in REPLIES:
            self._replied_proposal(spec)
        self._proposal_239()
        self._proposal_2026()
        self._received_proposal()
        history_load(self)  # 市十八届人大四次会议: enough proposals for the statistics
        return self.created

    # --- people and organisations -------------------------------------------------------------

    def _organization(self, kind, name, short, cc, prefix):
        org, made = Organization.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "short_name": short, "cc_name": cc, "document_prefix": prefix},
        )
        self.created += made
        return org

    def _user(self, username, full_name, org_short, role):
        user = self._login(username, full_name)
        _, made = Membership.objects.get_or_create(
            user=user, organization=self.orgs[org_short], role=role
        )
        self.created += made
        return user

    def _login(self, username, full_name, **flags):
        user, made = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name, **flags}
        )
        if made:
            user.set_password(DEMO_PASSWORD)
            user.save()
            self.created += 1
        return user

    def _admin(self):
        return self._login("admin", "系统管理员", is_staff=True, is_superuser=True)

    def _deputy(self, name, delegation_short, username):
        user = self._login(username, name) if username else None
        deputy, made = Deputy.objects.get_or_create(
            name=name, defaults={"delegation": self.orgs[delegation_short], "user": user}
        )
        self.created += made
        return deputy

    def _session(self, term, number, starts, ends):
        session, made = Session.objects.get_or_create(
            body=Session.Body.PEOPLES_CONGRESS,
            term=term,
            number=number,
            defaults={"starts_on": starts, "ends_on": ends},
        )
        self.created += made
        return session

    # --- proposals ----------------------------------------------------------------------------

    def _register(self, session, number, title, deputy, co_signers=(), timing=None, received_on=None, reasons="", suggestions=""):
        existing = Proposal.objects.filter(session=session, number=number).first()
        if existing:
            return existing, False
        proposal = intake.proposal_register(
            by=self.users["gongwei"],
            session=session,
            number=number,
            title=title,
            reasons=reasons,
            suggestions=suggestions,
            lead_deputy=self.deputies[deputy],
            co_signers=[self.deputies[n] for n in co_signers],
            timing=timing or Proposal.Timing.DURING_SESSION,
            category=Proposal.Category.ECONOMY,
            received_on=received_on,
        )
        self.created += 1
        return proposal, True

    def _replied_proposal(self, spec: DemoReply):
        seed = docs.seed_letter(spec.seed)
        reasons = suggestions = ""
        if spec.number == 176:
            text = docs.seed_proposal()
            reasons, suggestions = text.reasons, text.suggestions
        proposal, made = self._register(
            self.sessions[spec.session], spec.number, spec.title, spec.deputy, spec.co_signers,
            spec.timing, spec.received_on, reasons, suggestions,
        )
        if not made:
            return
        staff, leader = self.users["jxj_staff"], self.users["jxj_leader"]
        bureau = self.orgs["市经信局"]
        (lead,) = intake.proposal_assign(
            proposal=proposal, leads=[bureau], by=self.users["gongwei"],
            assigned_at=_at(spec.assigned_on),
        )
        workflow.assignment_accept(assignment=lead, by=staff)
        reply = current_reply(lead)
        cc = [CcRecipient(e.name, e.is_person) for e in seed.cc] or [
            CcRecipient(c.name, c.is_person) for c in reply.cc.all()
        ]
        reply_save_draft(
            reply=reply, by=staff, version=reply.version, body=seed.body,
            category_mark=seed.category_mark or "A", disclosure=spec.disclosure,
            contact_name=spec.contact[0], contact_phone=spec.contact[1], cc=cc,
        )
        workflow.reply_submit(assignment=lead, by=staff)
        if spec.returned_with:
            workflow.reply_return(assignment=lead, by=leader, note=spec.returned_with)
            workflow.reply_submit(assignment=lead, by=staff)
        if spec.numbers_before:
            counter, _ = DocumentCounter.objects.get_or_create(bureau=bureau, year=spec.signed_on.year)
            counter.last = max(counter.last, spec.numbers_before)
            counter.save()
        reply = workflow.reply_sign(assignment=lead, by=leader, signed_on=spec.signed_on)
        workflow.reply_send(assignment=lead, by=staff)
        reply.refresh_from_db()
        if spec.released:
            reply_release(reply=reply, by=self.users["gongwei"])
        if spec.rating:
            work, result, comment = spec.rating
            evaluation_submit(reply=reply, by=self.deputies[spec.deputy].user, work=work, result=result, comment=comment)
        sent_on = spec.signed_on + datetime.timedelta(days=2)
        Reply.objects.filter(pk=reply.pk).update(
            signed_at=_at(spec.signed_on, 10), sent_at=_at(sent_on, 10),
            release_due_on=release_deadline(proposal.session, sent_on).due_on
            if spec.disclosure == Reply.Disclosure.PUBLIC else None,
            released_at=_at(sent_on + datetime.timedelta(days=10), 10) if spec.released else None,
        )
        Evaluation.objects.filter(reply=reply).update(created_at=_at(sent_on + datetime.timedelta(days=7), 15))
        self._backdate(proposal, spec.received_on, spec.assigned_on, spec.signed_on)

    def _proposal_239(self):
        """239: the science bureau sent its opinion; the lead's reply is still being drafted."""
        seed = docs.seed_letter(docs.OPINION_239)
        proposal, made = self._register(
            self.sessions[(17, 1)], 239, "关于加快发展制造业的建议", "胡国锋",
            received_on=datetime.date(2017, 1, 12),
        )
        if not made:
            return
        lead, assisting = intake.proposal_assign(
            proposal=proposal, leads=[self.orgs["市经信局"]], assistants=[self.orgs["市科技局"]],
            by=self.users["gongwei"], assigned_at=_at(datetime.date(2017, 1, 20)),
        )
        workflow.assignment_accept(assignment=lead, by=self.users["jxj_staff"])
        workflow.assignment_accept(assignment=assisting, by=self.users["kjj_staff"])
        intake.consultation_record(
            assignment=lead, by=self.users["jxj_staff"], held_on=datetime.date(2017, 1, 25),
            phase="before", form="face_to_face", participants="胡国锋代表，市经信局",
            summary="（演示数据）办前沟通：当面听取代表对加快发展制造业的具体意见，代表希望重点关注中小企业技术改造。",
        )
        opinion = current_opinion(assisting)
        opinion_save_draft(
            opinion=opinion, by=self.users["kjj_staff"], version=opinion.version, title=seed.title,
            body=seed.body, contact_name="周协办", contact_phone="0574-63100000",
        )
        opinion = workflow.opinion_send(
            assignment=assisting, by=self.users["kjj_leader"], signed_on=datetime.date(2017, 2, 15)
        )
        self._backdate(proposal, datetime.date(2017, 1, 12), datetime.date(2017, 1, 20), datetime.date(2017, 2, 15))

    def _received_proposal(self):
        """A new recess proposal waiting for the congress office to assign it (demo text)."""
        self._register(
            self.sessions[(18, 2)], 401, "关于加强中小企业数字化改造服务的建议", "岑国建",
            timing=Proposal.Timing.RECESS, received_on=timezone.localdate(),
            reasons="（演示数据）我市中小企业数字化改造意愿强，但缺少诊断服务和资金支持。",
            suggestions="（演示数据）一是扩大免费诊断覆盖面；二是设立数字化改造专项补助。",
        )

    def _backdate(self, proposal, received_on, assigned_on, done_on):
        """Give the demo history the dates its documents carry."""
        after = datetime.timedelta
        when = {
            "register": received_on, "assign": assigned_on, "accept": assigned_on,
            "send": done_on + after(days=2), "release": done_on + after(days=12),
            "rate": done_on + after(days=9), "rehandle": done_on + after(days=9),
        }
        for event in Event.objects.filter(proposal=proposal):
            day = when.get(event.action, done_on)
            Event.objects.filter(pk=event.pk).update(created_at=_at(day, 9 + event.pk % 8))
        Proposal.objects.filter(pk=proposal.pk).update(created_at=_at(received_on))
        Assignment.objects.filter(proposal=proposal).update(assigned_at=_at(assigned_on))
        self._lateness_as_dated(proposal)

    def _lateness_as_dated(self, proposal):
        """Lateness was measured on the day the demo was loaded: measure it on the dates the
        history now carries (the day each reply or opinion was delivered)."""
        for assignment in Assignment.objects.filter(proposal=proposal, finished_on__isnull=False):
            delivered = (
                Event.objects.filter(assignment=assignment, action__in=["send", "send_opinion"])
                .order_by("-created_at").first()
            )
            day = timezone.localdate(delivered.created_at)
            late = max(0, (day - assignment.due_on).days)
            Assignment.objects.filter(pk=assignment.pk).update(finished_on=day, late_days=late)
            note = re.sub(r"^逾期\d+天；?", "", delivered.note)
            Event.objects.filter(pk=delivered.pk).update(note=f"逾期{late}天；{note}" if late and note else note)

    def _proposal_2026(self):
        """18-5 No.12, a recess proposal assigned on 1 July 2026: its three months end on National
        Day, so the due date moved to 8 October; 市经信局 asked for more time, the congress office
        granted it to 18 December, and the government office urged it."""
        proposal, made = self._register(
            self.sessions[(18, 5)], 12, "关于优化工业园区公共服务配套的建议", "罗冲",
            timing=Proposal.Timing.RECESS, received_on=datetime.date(2026, 6, 24),
            reasons="（演示数据）部分工业园区食堂、宿舍、公交等配套不足，企业招工留人难。",
            suggestions="（演示数据）一是统筹建设园区公共服务中心；二是增开园区通勤公交线路。",
        )
        if not made:
            return
        gongwei, staff = self.users["gongwei"], self.users["jxj_staff"]
        (lead,) = intake.proposal_assign(
            proposal=proposal, leads=[self.orgs["市经信局"]], by=gongwei,
            assigned_at=_at(datetime.date(2026, 7, 1)),
        )
        workflow.assignment_accept(assignment=lead, by=staff)
        supervision.assignment_request_extension(
            assignment=lead, by=staff, new_date=datetime.date(2026, 12, 18),
            reason="（演示数据）需会同市财政局测算园区配套资金，申请延期。",
        )
        supervision.assignment_grant_extension(assignment=lead, by=gongwei)
        supervision.assignment_remind(
            assignment=lead, by=self.users["dubanyuan"],
            note="（演示数据）请加快办理，在延期期限前报送答复稿。",
        )
        dated = {
            "register": datetime.date(2026, 6, 24), "assign": datetime.date(2026, 7, 1),
            "accept": datetime.date(2026, 7, 2), "request_extension": datetime.date(2026, 9, 21),
            "grant_extension": datetime.date(2026, 9, 23), "remind": datetime.date(2026, 11, 25),
        }
        for event in Event.objects.filter(proposal=proposal):
            Event.objects.filter(pk=event.pk).update(created_at=_at(dated[event.action], 10))
        Proposal.objects.filter(pk=proposal.pk).update(created_at=_at(datetime.date(2026, 6, 24)))
        Reminder.objects.filter(assignment=lead).update(
            sent_on=dated["remind"], created_at=_at(dated["remind"], 10)
        )


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def load_demo(stdout=None) -> int:
    return Loader(stdout).run()
