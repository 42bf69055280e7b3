"""A generated demo session with enough proposals for the statistics to mean something:
市十八届人大四次会议 (January 2025), handled by a dozen bureaus over the year.

The plan (titles, deputies, bureaus, what happens to each proposal and when) comes from one seeded
``random.Random``, so every load writes the same history. It is carried out through the workflow
services, as the people would have done it; each step's timeline event and timestamps are then
given the step's day, and lateness, re-handling due dates and release due dates are measured on
those days, as the services measure them on the day they run. Bureau staff and the generated
deputies get accounts without passwords (nobody logs in as them); demo text is marked
「（演示数据）」. Proposals already there are skipped, so loading twice adds nothing.
"""

import datetime
import random
import re
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils import timezone

from accounts.models import Deputy, Membership, Organization, User
from proposals import supervision
from proposals import workflow as intake
from proposals.calendar import WorkingCalendar
from proposals.deadlines import rehandling_deadline, release_deadline
from proposals.models import Assignment, Consultation, Event, Proposal, Reminder, Session
from replies import workflow
from replies.drafts import opinion_save_draft, reply_save_draft
from replies.letter.data import CcRecipient
from replies.models import CoHandlingOpinion, Evaluation, Reply
from replies.publication import reply_release
from replies.rating import evaluation_record_paper, evaluation_submit
from replies.selectors import current_opinion, current_reply

from .history_data import BUREAUS, DELEGATIONS, DEPUTY_ACCOUNTS, DEPUTY_NAMES

SEED = 2025
SESSION = (18, 4, datetime.date(2025, 1, 13), datetime.date(2025, 1, 16))
ASSIGN_DAYS = (datetime.date(2025, 2, 14), datetime.date(2025, 2, 21))  # after Spring Festival


def usernames() -> set[str]:
    """The accounts this history adds (generate_bulk counts them as demo data)."""
    bureaus = {f"hist_{code}_{kind}" for _s, code, *_rest in BUREAUS for kind in ("staff", "leader")}
    return bureaus | {f"hist_deputy_{i:02d}" for i in range(1, DEPUTY_ACCOUNTS + 1)}


def organization_names() -> set[str]:
    return {row[2] for row in BUREAUS if row[2]} | {f"{d}代表团" for d in DELEGATIONS}


def proposal_keys() -> set[tuple]:
    """((term, number), proposal number) of every proposal this history adds."""
    return {((SESSION[0], SESSION[1]), n) for n in range(1, len(_topics()) + 1)}


def _topics() -> list[tuple[str, str]]:
    return [(row[0], topic) for row in BUREAUS for topic in row[7].split("、")]


@dataclass
class Plan:
    number: int
    title: str
    bureau: str
    assisting: list
    deputy: str
    co_signers: list
    recess: bool
    received_on: datetime.date
    assigned_on: datetime.date
    fate: str  # assigned, drafting, in_review, unrated, satisfied, basically, rehandled, rehandling
    late: int  # days after the due date the reply is sent (0: before it)
    early: int  # days before the due date, when on time
    mark: str
    disclosure: str
    consulted: bool
    returned: bool
    extended: bool
    closed: bool
    reminded: bool


# what happens to the proposals; the rest are rated 满意
FATES = (["assigned"] * 1 + ["drafting"] * 2 + ["in_review"] * 1 + ["rehandling"] * 1
         + ["rehandled"] * 3 + ["unrated"] * 5 + ["basically"] * 8)


def plan() -> list[Plan]:
    """Every proposal of the session and what happens to it: the same list on every load."""
    rng = random.Random(SEED)
    topics = _topics()
    rng.shuffle(topics)
    fates = FATES + ["satisfied"] * (len(topics) - len(FATES))
    rng.shuffle(fates)
    shorts = [row[0] for row in BUREAUS]
    plans = []
    for number, ((bureau, topic), fate) in enumerate(zip(topics, fates, strict=True), start=1):
        recess = number - (len(topics) - 8)  # the last eight came in during the recess, one a month
        received = datetime.date(2025, 2 + recess, 3 + rng.randint(0, 20)) if recess > 0 else SESSION[3]
        deputy = rng.choice(DEPUTY_NAMES + ["潘省办"])
        others = [n for n in DEPUTY_NAMES if n != deputy]
        plans.append(Plan(
            number=number, title=f"关于{topic}的建议", bureau=bureau,
            assisting=rng.sample([s for s in shorts if s != bureau], rng.choice((0, 0, 0, 0, 1, 1, 2))),
            deputy=deputy, co_signers=rng.sample(others, rng.choice((0, 0, 1, 2, 3))),
            recess=recess > 0, received_on=received,
            assigned_on=received + datetime.timedelta(days=rng.randint(2, 6)) if recess > 0 else rng.choice(ASSIGN_DAYS),
            fate=fate, late=rng.randint(3, 40) if rng.random() < 0.2 else 0, early=rng.randint(3, 45),
            mark=rng.choice("AAAABBBC"), disclosure=rng.choice(["public"] * 8 + ["on_request"] * 2 + ["not_public"]),
            consulted=rng.random() < 0.4, returned=rng.random() < 0.1, extended=rng.random() < 0.05,
            closed=fate in ("satisfied", "basically") and rng.random() < 0.2, reminded=rng.random() < 0.7,
        ))
    return plans


def reply_body(p: Plan, again: bool = False) -> str:
    """A short letter (the PDF each signed reply renders stays quick)."""
    if again:
        first = f"根据您对第{p.number}号建议答复的意见，我们重新研究并与您当面沟通。（演示数据）现再次答复如下："
    else:
        first = f"您提出的《{p.title}》收悉。（演示数据）经研究，现答复如下："
    plan = "明确年内完成的具体事项和时间表" if again else "力争三年内取得明显成效"
    return (f"{first}\n近年来，{p.bureau}围绕{p.title[2:-3]}出台了一系列措施，取得了阶段性成效。下步，我们将"
            f"会同有关部门完善工作机制，加大政策和资金支持，{plan}。\n感谢您对我们工作的关心和支持。")


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _scan() -> ContentFile:
    """A one-page PDF standing for the signed paper form (演示数据)."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj" % i + body + b"endobj\n"
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref
    return ContentFile(out, name="scan.pdf")


class History:
    def __init__(self, loader):
        self.loader = loader
        self.gongwei, self.dubanyuan = loader.users["gongwei"], loader.users["dubanyuan"]
        self.calendar = WorkingCalendar()

    def run(self) -> None:
        session, made = Session.objects.get_or_create(
            body=Session.Body.PEOPLES_CONGRESS, term=SESSION[0], number=SESSION[1],
            defaults={"starts_on": SESSION[2], "ends_on": SESSION[3]},
        )
        self.loader.created += made
        self.session = session
        plans = [p for p in plan() if not Proposal.objects.filter(session=session, number=p.number).exists()]
        if not plans:
            return
        self._people()
        self.last_event = Event.objects.aggregate(n=Max("pk"))["n"] or 0
        for p in plans:
            self._proposal(p)
        self.loader.created += len(plans)

    # --- people and organisations -------------------------------------------------------------

    def _account(self, username, full_name):
        user, made = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
        if made:
            user.set_unusable_password()
            user.save()
        return user

    def _people(self):
        orgs = self.loader.orgs
        self.bureaus, self.staff, self.leader = {}, {}, {}
        for short, code, name, prefix, staff, leader, *_category_and_topics in BUREAUS:
            bureau = orgs.get(short) or Organization.objects.get_or_create(
                name=name, defaults={"kind": Organization.Kind.BUREAU, "short_name": short, "document_prefix": prefix}
            )[0]
            self.bureaus[short] = bureau
            for kind, full, role in (("staff", staff, Membership.Role.BUREAU_STAFF),
                                     ("leader", leader, Membership.Role.BUREAU_LEADER)):
                user = self._account(f"hist_{code}_{kind}", full)
                Membership.objects.get_or_create(user=user, organization=bureau, role=role)
                (self.staff if kind == "staff" else self.leader)[short] = user
        delegations = [orgs["白沙路街道"], orgs["匡堰镇"], orgs["宗汉街道"]] + [
            Organization.objects.get_or_create(name=f"{d}代表团", defaults={
                "kind": Organization.Kind.DELEGATION, "short_name": d,
                "cc_name": f"{d}人大工作委员会" if d.endswith("街道") else f"{d}人大主席团",
            })[0] for d in DELEGATIONS
        ]
        self.deputies = {"潘省办": self.loader.deputies["潘省办"]}
        for i, name in enumerate(DEPUTY_NAMES, start=1):
            user = self._account(f"hist_deputy_{i:02d}", name) if i <= DEPUTY_ACCOUNTS else None
            self.deputies[name] = Deputy.objects.get_or_create(
                name=name, defaults={"delegation": delegations[i % len(delegations)], "user": user}
            )[0]

    # --- one proposal -------------------------------------------------------------------------

    def _step(self, day: datetime.date, service, **kwargs):
        """Run a service and date the events it wrote: the step happened on ``day``."""
        when = max(_at(day), self.clock + datetime.timedelta(minutes=7))
        result = service(**kwargs)
        Event.objects.filter(pk__gt=self.last_event).update(created_at=when)
        self.last_event = Event.objects.aggregate(n=Max("pk"))["n"]
        self.clock = when
        return result

    def _workday(self, day, back=False):
        step = datetime.timedelta(days=-1 if back else 1)
        while not self.calendar.is_workday(day):
            day += step
        return day

    def _after(self, day, days):
        return self._workday(day + datetime.timedelta(days=days))

    def _proposal(self, p: Plan):
        self.clock = _at(p.received_on, 8)
        self.dated = {}  # (model, pk) -> the timestamps to give it once its steps are done
        self._handle(p)
        for (model, pk), fields in self.dated.items():
            model.objects.filter(pk=pk).update(**fields)

    def _handle(self, p: Plan):
        topic = p.title[2:-3]
        received = self._workday(p.received_on)  # the office registers on working days
        assigned = max(self._workday(p.assigned_on), self._after(received, 1))
        proposal = self._step(
            received, intake.proposal_register, by=self.gongwei, session=self.session,
            number=p.number, title=p.title, lead_deputy=self.deputies[p.deputy],
            co_signers=[self.deputies[n] for n in p.co_signers],
            timing=Proposal.Timing.RECESS if p.recess else Proposal.Timing.DURING_SESSION,
            category=next(row[6] for row in BUREAUS if row[0] == p.bureau), received_on=received,
            reasons=f"（演示数据）{topic}群众关注多，但推进不够快，部门之间统筹不够。",
            suggestions=f"（演示数据）建议{topic}，明确责任单位和完成时限，加大资金保障。",
        )
        Proposal.objects.filter(pk=proposal.pk).update(created_at=self.clock)
        lead, *assisting = self._step(
            assigned, intake.proposal_assign, proposal=proposal, by=self.gongwei,
            leads=[self.bureaus[p.bureau]], assistants=[self.bureaus[s] for s in p.assisting],
            assigned_at=_at(assigned),  # the moment its event carries
        )
        if p.fate == "assigned":
            return self._remind(lead, p)
        staff, leader = self.staff[p.bureau], self.leader[p.bureau]
        accepted = self._after(assigned, 1 + p.number % 3)
        self._step(accepted, workflow.assignment_accept, assignment=lead, by=staff)
        for assignment, short in zip(assisting, p.assisting, strict=True):
            self._step(self._after(assigned, 1), workflow.assignment_accept, assignment=assignment,
                       by=self.staff[short])
        if p.consulted:
            self._consult(lead, staff, p, accepted)
        opinions_by = accepted
        days = [self._after(assigned, 12 + (p.number * 7 + len(s)) % 26) for s in p.assisting]
        for day, assignment, short in sorted(zip(days, assisting, p.assisting, strict=True), key=lambda o: o[0]):
            self._opinion(assignment, short, p, day)
            opinions_by = max(opinions_by, day)
        if p.extended:
            asked = self._workday(lead.due_on - datetime.timedelta(days=10), back=True)
            self._step(asked, supervision.assignment_request_extension, assignment=lead, by=staff,
                       new_date=self._after(lead.due_on, 30),
                       reason="（演示数据）需会同有关部门实地调查并测算资金，申请延期答复。")
            self._step(self._after(asked, 2), supervision.assignment_grant_extension, assignment=lead, by=self.gongwei)
            lead.refresh_from_db()
        due = lead.due_on
        sent = self._after(due, p.late) if p.late else self._workday(
            max(due - datetime.timedelta(days=p.early), self._after(opinions_by, 5)), back=False
        )
        drafted = max(opinions_by, self._workday(sent - datetime.timedelta(days=12), back=True))
        self._draft(lead, staff, p, drafted, again=False)
        if p.fate == "drafting":
            return self._remind(lead, p)
        if not self._round(lead, staff, leader, p, drafted, sent, first=True):
            return self._remind(lead, p)
        if p.fate == "unrated":
            return None
        rated = self._after(sent, 5 + p.number % 20)
        self._rate(lead, p, rated, result="dissatisfied" if p.fate.startswith("rehandl") else p.fate)
        if p.fate.startswith("rehandl"):
            lead.refresh_from_db()
            drafted = self._after(rated, 3)
            self._draft(lead, staff, p, drafted, again=True)
            if p.fate == "rehandling":  # still being handled again, past its month
                return None
            sent = self._workday(lead.due_on - datetime.timedelta(days=p.early % 15), back=True)
            self._round(lead, staff, leader, p, drafted, sent, first=False)
            rated = self._after(sent, 8)
            self._rate(lead, p, rated, result="basically" if p.number % 2 else "satisfied")
        if p.closed:
            self._step(self._after(rated, 20), intake.proposal_close, proposal=proposal, by=self.gongwei,
                       note="（演示数据）代表已测评，经代表工委审核办结。")
        return None

    def _remind(self, lead, p: Plan):
        if not p.reminded:
            return
        day = self._after(lead.due_on, 7 + p.number % 10)
        self._step(day, supervision.assignment_remind, assignment=lead, by=self.dubanyuan,
                   note="（演示数据）该建议已超过办理期限，请抓紧办理，一周内报送答复。")
        Reminder.objects.filter(assignment=lead).update(sent_on=timezone.localdate(self.clock), created_at=self.clock)

    def _consult(self, lead, staff, p: Plan, accepted):
        held = self._after(accepted, 4)
        forms = list(Consultation.Form.values)
        consultation = self._step(
            held, intake.consultation_record, assignment=lead, by=staff, held_on=held,
            phase=Consultation.Phase.BEFORE, form=forms[p.number % len(forms)],
            participants=f"{p.deputy}代表，{p.bureau}",
            summary=f"（演示数据）办前沟通：听取代表对{p.title[2:-3]}的具体意见，商定办理重点。",
        )
        Consultation.objects.filter(pk=consultation.pk).update(recorded_at=self.clock)
        deputy = self.deputies[p.deputy]
        if deputy.user and p.number % 4:
            self._step(self._after(held, 2), intake.consultation_answer, consultation=consultation,
                       by=deputy.user, answer=Consultation.Answer.CONFIRMED)
            Consultation.objects.filter(pk=consultation.pk).update(answered_at=self.clock)

    def _opinion(self, assignment, short, p: Plan, day):
        """The assisting bureau sends its opinion (some after their month)."""
        staff, leader = self.staff[short], self.leader[short]
        opinion = current_opinion(assignment)
        opinion_save_draft(
            opinion=opinion, by=staff, version=opinion.version, title=opinion.title,
            body=f"（演示数据）{short}将积极配合主办单位，在职责范围内做好{p.title[2:-3]}的相关工作。",
            contact_name=staff.full_name, contact_phone=self._phone(short),
        )
        self._step(day, workflow.opinion_send, assignment=assignment, by=leader, signed_on=day)
        self._delivered(assignment, Event.Action.SEND_OPINION)
        self.dated[(CoHandlingOpinion, opinion.pk)] = {"sent_at": self.clock, "updated_at": _at(day)}

    def _phone(self, short) -> str:
        return f"0574-631{[row[0] for row in BUREAUS].index(short):02d}000"

    def _draft(self, lead, staff, p: Plan, day, *, again: bool):
        reply = current_reply(lead)
        reply_save_draft(
            reply=reply, by=staff, version=reply.version, body=reply_body(p, again),
            category_mark=reply.category_mark or p.mark, disclosure=p.disclosure,
            contact_name=staff.full_name, contact_phone=self._phone(p.bureau),
            cc=[CcRecipient(c.name, c.is_person) for c in reply.cc.all()],
        )
        self.dated[(Reply, reply.pk)] = {"updated_at": _at(day, 11)}

    def _round(self, lead, staff, leader, p: Plan, drafted, sent, *, first: bool) -> bool:
        """Send the draft for signing (returned once, for some), sign and send it; False when it
        stays waiting for the leader's signature."""
        submitted = max(drafted, self._workday(sent - datetime.timedelta(days=4), back=True))
        self._step(submitted, workflow.reply_submit, assignment=lead, by=staff)
        if first and p.returned:
            self._step(submitted, workflow.reply_return, assignment=lead, by=leader,
                       note="（演示数据）请补充近两年的工作数据和下步时间表后再送签。")
            self._step(submitted, workflow.reply_submit, assignment=lead, by=staff)
        if first and p.fate == "in_review":
            return False
        signed = max(submitted, self._workday(sent - datetime.timedelta(days=1), back=True))
        reply = self._step(signed, workflow.reply_sign, assignment=lead, by=leader, signed_on=signed)
        fields = self.dated[(Reply, reply.pk)]
        fields["signed_at"] = self.clock
        self._step(sent, workflow.reply_send, assignment=lead, by=staff)
        self._delivered(lead, Event.Action.SEND)
        fields["sent_at"] = self.clock
        if reply.disclosure == Reply.Disclosure.PUBLIC:
            fields["release_due_on"] = release_deadline(self.session, sent).due_on
            self._step(self._after(sent, 6 + p.number % 10), reply_release, reply=reply, by=self.gongwei)
            fields["released_at"] = self.clock
        return True

    def _delivered(self, assignment, action):
        """Lateness as the service measures it, on the day the reply or opinion was delivered."""
        day = timezone.localdate(self.clock)
        assignment = Assignment.objects.get(pk=assignment.pk)
        late = max(0, (day - assignment.due_on).days)
        Assignment.objects.filter(pk=assignment.pk).update(finished_on=day, late_days=late)
        event = Event.objects.filter(assignment=assignment, action=action).latest("pk")
        note = re.sub(r"^逾期\d+天(；|$)", "", event.note)
        if late:
            note = f"逾期{late}天；{note}" if note else f"逾期{late}天"
        Event.objects.filter(pk=event.pk).update(note=note)

    def _rate(self, lead, p: Plan, day, *, result: str):
        reply = current_reply(lead)
        deputy = self.deputies[p.deputy]
        work = {"satisfied": "satisfied", "basically": "satisfied" if p.number % 3 else "basically"}.get(result, "basically")
        comment = {
            "dissatisfied": f"（演示数据）答复对{p.title[2:-3]}的具体措施和完成时限说明不够，请重新办理。",
            "basically": "（演示数据）希望加快落实，及时通报进展。" if p.number % 2 else "",
        }.get(result, "")
        rating = {"reply": reply, "work": work, "result": result, "comment": comment}
        if deputy.user:
            self._step(day, evaluation_submit, by=deputy.user, **rating)
        else:  # rated on the paper form, recorded by the congress office with the scan
            self._step(day, evaluation_record_paper, deputy=deputy, by=self.gongwei, scan=_scan(), **rating)
        Evaluation.objects.filter(reply=reply).update(created_at=self.clock)
        if result == "dissatisfied":
            deadline = rehandling_deadline(self.session, timezone.localdate(self.clock))
            Assignment.objects.filter(pk=lead.pk).update(due_on=deadline.due_on, due_basis=deadline.basis)


def history_load(loader) -> None:
    """Add the generated session to the demo (``loader`` has made the demo's people)."""
    History(loader).run()
