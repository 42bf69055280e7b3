"""A large fake history for measuring pages: ten years of proposals, written straight into the
tables (``manage.py generate_bulk``).

This is not the workflow: nothing here goes through a service, sends a notification or renders a
PDF. Rows are made in Python from one seeded ``random.Random`` and written with PostgreSQL
``COPY`` (organisations, users and sessions, a few thousand rows, with ``bulk_create``), so
100,000 proposals take a few minutes. Timeline rows are written by ``COPY`` too: the app's one
event writer (``proposals.events.event_record``) stays the only code that creates ``Event``
objects. The history is as a real one would be on ``today``: most proposals closed, the recent
ones still open (some overdue), every step dated and recorded.

Shares fixed by the demo (``load_demo``): the demo clerk's bureau (市经信局) gets 2% of the
proposals (~2,000 of 100,000), as lead or assisting; each demo deputy with a login leads 0.04%
(~40; at least one each). Only inserts: nothing is updated except the document counters and sequences, nothing is
deleted.
"""

import datetime
import json
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Deputy, Membership, Organization, User
from proposals.models import Assignment, Consultation, Event, Proposal, Session
from proposals.states import AssignmentState as AS
from proposals.states import ProposalState as PS

from .demo import history as demo_history
from .demo import loader as demo
from .models import CoHandlingOpinion, DocumentCounter, Evaluation, Reply, ReplyCc
from .numbering import format_document_number
from .pdf import DISCLOSURE_NOTES

DEMO_BUREAU = "市经信局"  # jxj_staff's bureau
BUREAU_SHARE = 0.02  # of the proposals: ~2,000 assignments in 100,000
DEMO_DEPUTY_SHARE = 0.0004  # ~40 proposals in 100,000 for each demo deputy with a login
DEPUTIES = 2500
CPPCC_MEMBERS = 500  # of DEPUTIES
BATCH = 5000  # proposals per COPY round

# full name, short name, document prefix. The demo's bureaus come first, with the demo's names.
BUREAUS = [(name, short, prefix) for kind, name, short, _cc, prefix in demo.ORGANIZATIONS if kind == "bureau"] + [
    ("慈溪市发展和改革局", "市发改局", "慈发改建"),
    ("慈溪市财政局", "市财政局", "慈财建"),
    ("慈溪市住房和城乡建设局", "市住建局", "慈住建建"),
    ("慈溪市交通运输局", "市交通运输局", "慈交建"),
    ("慈溪市农业农村局", "市农业农村局", "慈农建"),
    ("慈溪市水利局", "市水利局", "慈水建"),
    ("慈溪市商务局", "市商务局", "慈商建"),
    ("慈溪市文化广电旅游体育局", "市文广旅体局", "慈文旅建"),
    ("慈溪市卫生健康局", "市卫健局", "慈卫健建"),
    ("慈溪市民政局", "市民政局", "慈民建"),
    ("慈溪市公安局", "市公安局", "慈公建"),
    ("慈溪市司法局", "市司法局", "慈司建"),
    ("慈溪市退役军人事务局", "市退役军人局", "慈退役建"),
    ("慈溪市应急管理局", "市应急管理局", "慈应急建"),
    ("慈溪市审计局", "市审计局", "慈审建"),
    ("慈溪市市场监督管理局", "市市场监管局", "慈市监建"),
    ("慈溪市统计局", "市统计局", "慈统建"),
    ("慈溪市医疗保障局", "市医保局", "慈医保建"),
    ("慈溪市综合行政执法局", "市综合执法局", "慈执法建"),
    ("慈溪市机关事务管理局", "市机关事务局", "慈机管建"),
    ("慈溪市人民政府国有资产监督管理办公室", "市国资办", "慈国资建"),
    ("慈溪市数据管理中心", "市数据管理中心", "慈数据建"),
    ("慈溪市信访局", "市信访局", "慈信访建"),
    ("慈溪市人民防空办公室", "市人防办", "慈人防建"),
    ("宁波市生态环境局慈溪分局", "市生态环境分局", "慈环建"),
    ("慈溪市林业局", "市林业局", "慈林建"),
    ("慈溪市供销合作社联合社", "市供销社", "慈供销建"),
    ("慈溪市邮政管理局", "市邮政管理局", "慈邮建"),
    ("慈溪市气象局", "市气象局", "慈气建"),
    ("慈溪市消防救援大队", "市消防救援大队", "慈消建"),
    ("国网慈溪市供电公司", "市供电公司", "慈供电建"),
    ("慈溪市自来水有限公司", "市自来水公司", "慈水务建"),
    ("慈溪市城市发展投资集团有限公司", "市城投集团", "慈城投建"),
    ("慈溪市交通集团有限公司", "市交通集团", "慈交集建"),
    ("慈溪市公共资源交易中心", "市公共资源交易中心", "慈交易建"),
    ("慈溪市总工会", "市总工会", "慈工会建"),
    ("共青团慈溪市委员会", "团市委", "慈团建"),
    ("慈溪市妇女联合会", "市妇联", "慈妇建"),
    ("慈溪市残疾人联合会", "市残联", "慈残建"),
    ("慈溪市科学技术协会", "市科协", "慈科协建"),
    ("慈溪市工商业联合会", "市工商联", "慈工商建"),
    ("慈溪市红十字会", "市红十字会", "慈红建"),
    ("慈溪市档案馆", "市档案馆", "慈档建"),
    ("慈溪市融媒体中心", "市融媒体中心", "慈融媒建"),
    ("慈溪高新技术产业开发区管理委员会", "慈溪高新区管委会", "慈高新建"),
    ("慈溪滨海经济开发区管理委员会", "滨海开发区管委会", "慈滨海建"),
    ("慈溪市杭州湾新区联络办", "杭州湾新区联络办", "慈湾区建"),
    ("中共慈溪市委宣传部", "市委宣传部", "慈宣建"),
    ("中共慈溪市委组织部", "市委组织部", "慈组建"),
    ("中共慈溪市委政法委员会", "市委政法委", "慈政法建"),
    ("中共慈溪市委统一战线工作部", "市委统战部", "慈统战建"),
    ("慈溪市教育发展集团", "市教育发展集团", "慈教发建"),
    ("慈溪市农村商业银行", "慈溪农商银行", "慈农商建"),
]

NPC_DELEGATIONS = [
    "白沙路街道", "匡堰镇", "宗汉街道", "浒山街道", "古塘街道", "坎墩街道", "横河镇", "桥头镇",
    "观海卫镇", "掌起镇", "附海镇", "逍林镇", "新浦镇", "胜山镇", "长河镇", "崇寿镇",
    "周巷镇", "庵东镇", "龙山镇", "解放军",
]
CPPCC_GROUPS = ["经济界", "教育界", "科技界", "医药卫生界", "文化艺术界", "农业界", "工商联界", "社会福利界"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤岑"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文斌辉鹏飞玲燕云峰海波宇浩凯晨琳婷雪梅立新建民国庆晓东小龙永胜春生国锋冲"

TOPICS = [
    ("economy", ["智能制造", "中小企业融资", "数字经济", "民营经济", "工业园区", "企业用工", "家电产业", "外贸出口", "小微企业"]),
    ("urban", ["老旧小区改造", "城市停车", "公共交通", "道路交通安全", "农村公路", "城市绿道", "地下管网", "电动自行车充电"]),
    ("agriculture", ["高标准农田", "农村人居环境", "葡萄产业", "杨梅产业", "农村集体经济", "农产品冷链", "乡村振兴"]),
    ("social", ["义务教育", "学前教育", "基层医疗", "家庭医生签约", "公共文化服务", "全民健身设施", "职业教育"]),
    ("welfare", ["养老服务", "居家养老", "残疾人就业", "困难群众救助", "新市民子女入学", "社会保险"]),
    ("governance", ["基层社会治理", "矛盾纠纷调解", "反诈宣传", "食品安全监管", "安全生产", "消防安全"]),
    ("other", ["政务服务", "数字政府", "档案数字化", "人才引进", "营商环境"]),
]
VERBS = ["加快", "推进", "加强", "进一步完善", "优化", "支持", "规范", "提升"]
ENDINGS = ["发展", "建设", "管理", "服务水平", "工作", "保障机制", "体系"]

REPLY_PARAGRAPHS = [
    "您提出的{topic}的建议收悉，感谢您对我市{topic}工作的关心和支持。经研究，现答复如下：",
    "一、基本情况。近年来，我市围绕{topic}出台了一系列政策措施，取得了阶段性成效，但仍存在投入不足、统筹不够等问题。",
    "二、下步打算。我们将会同有关部门，进一步完善{topic}的工作机制，加大政策和资金支持力度，力争三年内取得明显成效。",
    "三、加强沟通。我们将定期听取代表意见，及时通报{topic}的进展情况。",
    "再次感谢您对我们工作的关心和支持。",
]


@dataclass
class Counts:
    rows: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)

    def add(self, name, rows, seconds):
        self.rows[name] = self.rows.get(name, 0) + rows
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


def other_data() -> list[str]:
    """What the database holds beyond the demo data (``load_demo``), as readable lines; empty
    when it holds nothing else (an earlier generate_bulk counts as other data)."""
    demo_orgs = {row[1] for row in demo.ORGANIZATIONS} | demo_history.organization_names()
    demo_users = {row[0] for row in demo.USERS} | {"admin"} | {u for _n, _d, u in demo.DEPUTIES if u} | demo_history.usernames()
    demo_proposals = {(s.session, s.number) for s in demo.REPLIES} | {((17, 1), 239), ((18, 5), 12), ((18, 2), 401)} | demo_history.proposal_keys()
    proposals = [
        p for p in Proposal.objects.values_list("session__term", "session__number", "number")
        if ((p[0], p[1]), p[2]) not in demo_proposals
    ]
    users = User.objects.exclude(username__in=demo_users)
    orgs = Organization.objects.exclude(name__in=demo_orgs)
    found = []
    if proposals:
        found.append(f"{len(proposals)} proposals")
    if n := users.count():
        found.append(f"{n} users")
    if n := orgs.count():
        found.append(f"{n} organisations")
    return found


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)))
    )


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return datetime.date(year, month, min(day.day, last))


def _workday(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


class Generator:
    def __init__(self, *, proposals: int, seed: int = 1, today: datetime.date | None = None, stdout=None):
        self.n = proposals
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.stdout = stdout
        self.counts = Counts()
        self.password = make_password(None)  # one unusable password for every generated login

    def say(self, text):
        if self.stdout:
            self.stdout.write(text)
            if hasattr(self.stdout, "flush"):
                self.stdout.flush()

    # --- the run --------------------------------------------------------------------------------

    def run(self) -> Counts:
        if connection.vendor != "postgresql":
            raise RuntimeError("generate_bulk writes with PostgreSQL COPY: set DATABASE_URL to a PostgreSQL database")
        started = time.perf_counter()
        with transaction.atomic():
            self._people_and_sessions()
            self.counts.add("setup (organisations, users, deputies, sessions)", 0, time.perf_counter() - started)
            self._proposals()
            tick = time.perf_counter()
            self._counters_and_sequences()
            self.counts.add("counters and sequences", 0, time.perf_counter() - tick)
        # VACUUM as autovacuum would soon: it sets the visibility map, without which index-only
        # scans (the list's per-session counts, the statistics) read every heap page. Outside
        # the transaction: VACUUM cannot run inside one (inside a caller's, such as a test's,
        # only ANALYZE).
        tick = time.perf_counter()
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            written = (
                Proposal, Proposal.co_signers.through, Assignment, Reply, ReplyCc, CoHandlingOpinion, Evaluation,
                Event, Consultation, Deputy, User, Organization, Membership, Session,
            )
            for model in written:
                cursor.execute(f'{command} "{model._meta.db_table}"')
        self.counts.add("vacuum analyze", 0, time.perf_counter() - tick)
        self.counts.add("total", 0, time.perf_counter() - started)
        return self.counts

    # --- organisations, people, sessions --------------------------------------------------------

    def _orgs(self, rows):
        Organization.objects.bulk_create(
            [Organization(kind=k, name=n, short_name=s, cc_name=c, document_prefix=p) for k, n, s, c, p in rows],
            ignore_conflicts=True,
        )
        return {o.name: o for o in Organization.objects.filter(name__in=[r[1] for r in rows])}

    def _users(self, rows):
        """Create the missing logins (username, full name); return all of them by username."""
        existing = set(User.objects.filter(username__in=[u for u, _ in rows]).values_list("username", flat=True))
        now = timezone.now()
        User.objects.bulk_create(
            [
                User(username=u, full_name=name, password=self.password, date_joined=now, notify_by_email=False)
                for u, name in rows if u not in existing
            ],
            batch_size=1000,
        )
        return {u.username: u for u in User.objects.filter(username__in=[u for u, _ in rows])}

    def _people_and_sessions(self):
        rng = self.rng
        offices = self._orgs([
            ("congress_office", demo.ORGANIZATIONS[0][1], "市人大代表工委", "市人大代表工委", ""),
            ("government_office", demo.ORGANIZATIONS[1][1], "市政府办公室", "市政府办公室", ""),
        ])
        self.office_cc = [o.cc_label for o in offices.values()]
        by_name = self._orgs([("bureau", n, s, "", p) for n, s, p in BUREAUS])
        self.bureaus = [by_name[n] for n, _s, _p in BUREAUS]
        self.demo_bureau = next(b for b in self.bureaus if b.short_name == DEMO_BUREAU)
        delegations = self._orgs(
            [("delegation", f"{d}代表团", d, f"{d}人大工作委员会" if d.endswith("街道") else f"{d}人大主席团", "") for d in NPC_DELEGATIONS]
            + [("delegation", f"政协{g}别组", f"政协{g}别", f"市政协{g}别委员组", "") for g in CPPCC_GROUPS]
        )
        npc_delegations = [delegations[f"{d}代表团"] for d in NPC_DELEGATIONS]
        cppcc_groups = [delegations[f"政协{g}别组"] for g in CPPCC_GROUPS]

        # Bureau staff and leaders: the demo's where the demo has them, two generated ones elsewhere.
        staff_rows = []
        for i, _b in enumerate(self.bureaus):
            staff_rows += [(f"bulk_b{i:02d}_staff", self._name()), (f"bulk_b{i:02d}_leader", self._name())]
        staff_rows.append(("bulk_congress_officer", "赵工委"))
        logins = self._users(staff_rows)
        demo_logins = {u.username: u for u in User.objects.filter(username__in=[r[0] for r in demo.USERS])}
        Membership.objects.bulk_create(
            [
                Membership(user=logins[f"bulk_b{i:02d}_{kind}"], organization=b, role=role)
                for i, b in enumerate(self.bureaus)
                for kind, role in (("staff", Membership.Role.BUREAU_STAFF), ("leader", Membership.Role.BUREAU_LEADER))
            ]
            + [Membership(user=logins["bulk_congress_officer"], organization=next(
                o for o in offices.values() if o.kind == Organization.Kind.CONGRESS_OFFICE
            ), role=Membership.Role.CONGRESS_OFFICER)],
            ignore_conflicts=True,
        )
        self.staff = {b.pk: logins[f"bulk_b{i:02d}_staff"].pk for i, b in enumerate(self.bureaus)}
        self.leaders = {b.pk: (logins[f"bulk_b{i:02d}_leader"].pk, logins[f"bulk_b{i:02d}_leader"].display_name) for i, b in enumerate(self.bureaus)}
        for username, _name, org_short, role in demo.USERS:
            user = demo_logins.get(username)
            bureau = next((b for b in self.bureaus if b.short_name == org_short), None)
            if user and bureau and role == Membership.Role.BUREAU_STAFF:
                self.staff[bureau.pk] = user.pk
            if user and bureau and role == Membership.Role.BUREAU_LEADER:
                self.leaders[bureau.pk] = (user.pk, user.display_name)
        officer = demo_logins.get("gongwei") or logins["bulk_congress_officer"]
        self.officer = officer.pk

        # Deputies, each with a login (deputies follow their proposals online).
        names = [self._name() for _ in range(DEPUTIES)]
        deputy_logins = self._users([(f"bulk_deputy_{i:04d}", names[i]) for i in range(DEPUTIES)])
        have = set(Deputy.objects.filter(user__in=deputy_logins.values()).values_list("user_id", flat=True))
        Deputy.objects.bulk_create(
            [
                Deputy(
                    name=names[i], user=deputy_logins[f"bulk_deputy_{i:04d}"],
                    delegation=(cppcc_groups[i % len(cppcc_groups)] if i < CPPCC_MEMBERS else npc_delegations[i % len(npc_delegations)]),
                    phone=f"13{rng.randint(100000000, 999999999)}",
                )
                for i in range(DEPUTIES) if deputy_logins[f"bulk_deputy_{i:04d}"].pk not in have
            ],
            batch_size=1000,
        )
        deputies = list(
            Deputy.objects.filter(user__username__startswith="bulk_deputy_")
            .select_related("user", "delegation").order_by("user__username")
        )
        self.cppcc_pool = [d for d in deputies if d.delegation in cppcc_groups]
        self.npc_pool = [d for d in deputies if d.delegation not in cppcc_groups]
        self.npc_pool += list(Deputy.objects.filter(name__in=[n for n, _d, u in demo.DEPUTIES if not u]).select_related("user", "delegation"))
        self.demo_deputies = list(
            Deputy.objects.filter(user__username__in=[u for _n, _d, u in demo.DEPUTIES if u])
            .select_related("user", "delegation").order_by("user__username")
        )

        # Sessions: ten years, each with its congress session (人大) and its CPPCC session (政协).
        self.sessions = []
        for year in range(self.today.year - 9, self.today.year + 1):
            for body, first_term in ((Session.Body.PEOPLES_CONGRESS, 18), (Session.Body.CPPCC, 15)):
                term, number = first_term + (year - 2022) // 5, (year - 2022) % 5 + 1
                starts = datetime.date(year, 1, 8) + datetime.timedelta(days=rng.randint(0, 10))
                if body == Session.Body.CPPCC:
                    starts -= datetime.timedelta(days=2)
                session, _ = Session.objects.get_or_create(
                    body=body, term=term, number=number,
                    defaults={"starts_on": starts, "ends_on": starts + datetime.timedelta(days=3)},
                )
                self.sessions.append(session)
        self.say(
            f"setup: {len(self.bureaus)} bureaus, {len(deputies)} deputies with logins, "
            f"{len(self.sessions)} sessions ({self.sessions[0]} … {self.sessions[-1]})"
        )

    def _name(self):
        while True:
            name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
            if name not in {n for n, _d, _u in demo.DEPUTIES}:
                return name

    # --- proposals and their history ------------------------------------------------------------

    def _proposals(self):
        rng, n = self.rng, self.n
        # Which proposals involve the demo bureau, and which the demo deputies lead (exact shares).
        self.demo_bureau_props = set(rng.sample(range(n), min(n, round(n * BUREAU_SHARE))))
        npc_indices = [i for i in range(n) if self._session_of(i).body == Session.Body.PEOPLES_CONGRESS]
        per_deputy = max(1, round(n * DEMO_DEPUTY_SHARE))  # at least one each in a small dataset
        picked = rng.sample(npc_indices, min(len(npc_indices), per_deputy * len(self.demo_deputies)))
        self.demo_deputy_props = {i: self.demo_deputies[k // per_deputy] for k, i in enumerate(picked)}
        # Bureau weights: a few bureaus carry most of the work, as in a real city.
        others = [b for b in self.bureaus if b.pk != self.demo_bureau.pk]
        self.other_bureaus = others
        self.bureau_weights = [1.0 / (1 + k) ** 0.5 for k in range(len(others))]
        rng.shuffle(self.bureau_weights)
        self.cum_weights = []
        total = 0.0
        for w in self.bureau_weights:
            total += w
            self.cum_weights.append(total)

        self.ids = {m: self._next_id(m) for m in (
            Proposal, Proposal.co_signers.through, Assignment, Reply, ReplyCc, CoHandlingOpinion,
            Consultation, Evaluation, Event,
        )}
        self.doc_seq = {(c.bureau_id, c.year): c.last for c in DocumentCounter.objects.all()}
        self.used_numbers = {}
        for session_id, number in Proposal.objects.values_list("session_id", "number"):
            self.used_numbers.setdefault(session_id, set()).add(number)
        self.next_number = {}

        for start in range(0, n, BATCH):
            tick = time.perf_counter()
            self.rows = {m: [] for m in self.ids}
            for i in range(start, min(n, start + BATCH)):
                self._proposal(i)
            generated = time.perf_counter() - tick
            self.counts.add("generate rows (python)", 0, generated)
            for model, rows in self.rows.items():
                self._copy(model, rows)
            self.say(
                f"  proposals {min(n, start + BATCH):>7}/{n}: generated in {generated:.1f} s, "
                f"written in {time.perf_counter() - tick - generated:.1f} s"
            )

    def _session_of(self, i):
        return self.sessions[i * len(self.sessions) // self.n]

    def _next_id(self, model):
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{model._meta.db_table}"')
            return cursor.fetchone()[0] + 1

    def _id(self, model):
        value = self.ids[model]
        self.ids[model] += 1
        return value

    def _number(self, session):
        used = self.used_numbers.setdefault(session.pk, set())
        number = self.next_number.get(session.pk, 1)
        while number in used:
            number += 1
        self.next_number[session.pk] = number + 1
        return number

    def _pick_bureau(self, exclude):
        rng = self.rng
        while True:
            x = rng.random() * self.cum_weights[-1]
            lo, hi = 0, len(self.cum_weights) - 1
            while lo < hi:
                mid = (lo + hi) // 2
                if self.cum_weights[mid] < x:
                    lo = mid + 1
                else:
                    hi = mid
            bureau = self.other_bureaus[lo]
            if bureau.pk not in exclude:
                return bureau

    def _event(self, proposal_id, action, when, actor, *, assignment=None, from_state="", to_state="", note=""):
        self.rows[Event].append((self._id(Event), proposal_id, assignment, actor, action, from_state, to_state, note, when))

    def _proposal(self, i):
        rng, today = self.rng, self.today
        session = self._session_of(i)
        cppcc = session.body == Session.Body.CPPCC
        lead_deputy = self.demo_deputy_props.get(i) or rng.choice(self.cppcc_pool if cppcc else self.npc_pool)
        pool = self.cppcc_pool if cppcc else self.npc_pool
        co_signers = []
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            d = rng.choice(pool)
            if d.pk != lead_deputy.pk and d not in co_signers:
                co_signers.append(d)
        category, topics = rng.choice(TOPICS)
        topic = rng.choice(topics)
        title = f"关于{rng.choice(VERBS)}{topic}{rng.choice(ENDINGS)}的{session.item_noun}"
        recess = rng.random() < 0.15
        if recess:
            received = session.ends_on + datetime.timedelta(days=rng.randint(20, 340))
        else:
            received = session.starts_on + datetime.timedelta(days=rng.randint(0, 3))
        if received > today:
            received = today - datetime.timedelta(days=rng.randint(0, 20))
            received = max(received, session.starts_on)
        pid = self._id(Proposal)
        self.number = self._number(session)
        key = rng.random() < 0.03
        officer = self.officer
        waiting = received >= today - datetime.timedelta(days=5) and rng.random() < 0.5
        registered = _at(received, rng)
        self._event(pid, Event.Action.REGISTER, registered, officer, to_state=PS.RECEIVED)
        for d in co_signers:
            self.rows[Proposal.co_signers.through].append((self._id(Proposal.co_signers.through), pid, d.pk))

        def proposal_row(state):
            self.rows[Proposal].append((
                pid, session.pk, self.number, title,
                f"我市{topic}工作取得一定成效，但仍存在短板，群众反映较多。", f"一是加大对{topic}的投入；二是完善{topic}的工作机制；三是加强考核督查。",
                lead_deputy.pk, Proposal.Timing.RECESS if recess else Proposal.Timing.DURING_SESSION, category,
                key, "副市长 张三" if key else "", received, state, officer, registered,
            ))

        if waiting:  # not yet assigned
            proposal_row(PS.RECEIVED)
            return

        # Where it went: one lead, 0–4 assisting bureaus; the demo bureau where its share says.
        n_assisting = rng.choices((0, 1, 2, 3, 4), (30, 30, 20, 12, 8))[0]
        bureaus = []
        if i in self.demo_bureau_props and rng.random() < 0.6:
            bureaus.append(self.demo_bureau)
        while len(bureaus) < 1 + n_assisting:
            bureaus.append(self._pick_bureau({b.pk for b in bureaus} | {self.demo_bureau.pk}))
        if i in self.demo_bureau_props and self.demo_bureau not in bureaus:  # assisting, then
            if len(bureaus) == 1:
                bureaus.append(self.demo_bureau)
            else:
                bureaus[rng.randint(1, len(bureaus) - 1)] = self.demo_bureau

        assigned_day = _workday(received + datetime.timedelta(days=rng.randint(3, 25) if not recess else rng.randint(1, 5)))
        assigned_day = min(assigned_day, today)
        # How far the history got: stragglers in recent years stop at some step.
        age_years = today.year - received.year
        straggle = {0: 0.2, 1: 0.01}.get(age_years, 0.002)
        stop_at = rng.choice(("accept", "submit", "sign", "send", "rate", "close")) if rng.random() < straggle else None

        def happened(step, day):
            return day <= today and step != stop_at

        # A few leads were reassigned away in the first days (the old assignment stays, withdrawn).
        if rng.random() < 0.02 and happened("reassign", assigned_day + datetime.timedelta(days=6)):
            old = self._pick_bureau({b.pk for b in bureaus} | {self.demo_bureau.pk})
            old_id = self._id(Assignment)
            old_due = _workday(_add_months(assigned_day, session.reply_due))
            self._assignment_row(old_id, pid, old, "lead", AS.WITHDRAWN, assigned_day, old_due, None, 0)
            self._event(pid, Event.Action.ASSIGN, _at(assigned_day, rng), officer, from_state=PS.RECEIVED, to_state=PS.ASSIGNED, note=f"{old.short_name}（主办）")
            self._event(pid, Event.Action.REQUEST_REASSIGNMENT, _at(assigned_day + datetime.timedelta(days=3), rng), self.staff[old.pk], assignment=old_id, from_state=AS.ASSIGNED, to_state=AS.REASSIGNMENT_REQUESTED, note="该事项不属于本单位职责。")
            assigned_day = _workday(assigned_day + datetime.timedelta(days=6))
            self._event(pid, Event.Action.REASSIGN, _at(assigned_day, rng), officer, assignment=old_id, from_state=AS.REASSIGNMENT_REQUESTED, to_state=AS.WITHDRAWN, note=f"改由{bureaus[0].short_name}主办")
        else:
            self._event(pid, Event.Action.ASSIGN, _at(assigned_day, rng), officer, from_state=PS.RECEIVED, to_state=PS.ASSIGNED,
                        note="、".join(f"{b.short_name}（{'主办' if k == 0 else '协办'}）" for k, b in enumerate(bureaus)))
        days = datetime.timedelta
        lead_due = _workday(_add_months(assigned_day, session.reply_due))
        opinion_due = _workday(_add_months(assigned_day, session.opinion_due))

        # Assisting bureaus: accept, send the opinion (mostly on time).
        lead_id = self._id(Assignment)
        for bureau in bureaus[1:]:
            aid = self._id(Assignment)
            accept = assigned_day + days(rng.randint(1, 4))
            sent = accept + days(rng.randint(5, 30) if rng.random() < 0.9 else rng.randint(31, 60))
            staff, (leader, _leader_name) = self.staff[bureau.pk], self.leaders[bureau.pk]
            state, finished, late = AS.ASSIGNED, None, 0
            if happened("accept", accept):
                state = AS.DRAFTING
                self._event(pid, Event.Action.ACCEPT, _at(accept, rng), staff, assignment=aid, from_state=AS.ASSIGNED, to_state=AS.DRAFTING)
                done = happened("opinion", sent)
                if done:
                    state, finished, late = AS.OPINION_SENT, sent, max(0, (sent - opinion_due).days)
                    self._event(pid, Event.Action.SEND_OPINION, _at(sent, rng), leader, assignment=aid, from_state=AS.DRAFTING, to_state=AS.OPINION_SENT,
                                note=f"逾期{late}天" if late else "")
                self.rows[CoHandlingOpinion].append((
                    self._id(CoHandlingOpinion), f"关于{topic}的协办意见",
                    f"经研究，我单位对{topic}提出如下意见：一是积极配合主办单位做好相关工作；二是在职责范围内给予政策支持。",
                    "承办员", "0574-6" + str(rng.randint(1000000, 9999999)),
                    leader if done else None, sent if done else None, 2 if done else 1, staff,
                    _at(sent if done else accept, rng), aid, 1, _at(sent, rng) if done else None, "",
                ))
            self._assignment_row(aid, pid, bureau, "assisting", state, assigned_day, opinion_due, finished, late)

        # The lead: accept, consult, draft, submit (sometimes returned), sign, send; the deputy rates.
        lead = bureaus[0]
        staff, (leader, leader_name) = self.staff[lead.pk], self.leaders[lead.pk]
        dates = {}
        day = assigned_day + days(rng.randint(1, 5))
        dates["accept"] = day
        day += days(rng.randint(30, 80) if rng.random() < 0.88 else rng.randint(81, 140))
        dates["submit"] = day
        day += days(rng.randint(1, 6))
        dates["sign"] = day
        day += days(rng.randint(1, 3))
        dates["send"] = day
        day += days(rng.randint(3, 25))
        dates["rate"] = day
        dates["close"] = day + days(rng.randint(5, 30))

        state, finished, late = AS.ASSIGNED, None, 0
        proposal_state = PS.ASSIGNED
        disclosure = rng.choices(("public", "on_request", "not_public"), (80, 15, 5))[0]
        cc = self._cc(lead_deputy, co_signers, bureaus[1:])
        if happened("accept", dates["accept"]):
            state, proposal_state = AS.DRAFTING, PS.DRAFTING
            self._event(pid, Event.Action.ACCEPT, _at(dates["accept"], rng), staff, assignment=lead_id, from_state=AS.ASSIGNED, to_state=AS.DRAFTING)
            if rng.random() < 0.6:
                held = dates["accept"] + days(rng.randint(1, 20))
                if held <= today:
                    self._consultation(pid, lead_id, lead, lead_deputy, held, staff)
            round_state = self._reply_round(
                pid, lead_id, lead, lead_deputy, session, title, topic, dates, happened, staff, leader, leader_name,
                disclosure, cc, round_no=1, lead_due=lead_due,
            )
            state, proposal_state, finished, late, rated_dissatisfied = round_state
            if rated_dissatisfied:
                # 不满意: a re-handling round, due a month later.
                rehandle = dates["rate"]
                self._event(pid, Event.Action.REHANDLE, _at(rehandle, rng), self.officer, assignment=lead_id, from_state=AS.REPLIED, to_state=AS.DRAFTING, note="代表测评不满意，重新办理。")
                second = {}
                day = rehandle + days(rng.randint(10, 25))
                second["submit"] = day
                second["sign"] = day + days(rng.randint(1, 4))
                second["send"] = second["sign"] + days(rng.randint(1, 3))
                second["rate"] = second["send"] + days(rng.randint(3, 20))
                second["close"] = second["rate"] + days(rng.randint(5, 20))
                dates = second
                state, proposal_state, finished, late, _ = self._reply_round(
                    pid, lead_id, lead, lead_deputy, session, title, topic, second, happened, staff, leader, leader_name,
                    disclosure, cc, round_no=2, lead_due=_workday(_add_months(rehandle, session.rehandling_due)),
                    never_dissatisfied=True,
                )
            if proposal_state == PS.REPLIED and happened("close", dates["close"]):
                proposal_state = PS.CLOSED
                self._event(pid, Event.Action.CLOSE, _at(dates["close"], rng), self.officer, from_state=PS.REPLIED, to_state=PS.CLOSED, note="代表已测评，办结。")
        self._assignment_row(lead_id, pid, lead, "lead", state, assigned_day, lead_due, finished, late)
        proposal_row(proposal_state)

    def _assignment_row(self, aid, pid, bureau, role, state, assigned_day, due, finished, late):
        due_basis = f"自{assigned_day.year}年{assigned_day.month}月{assigned_day.day}日交办起{'3' if role == 'lead' else '1'}个月"
        self.rows[Assignment].append((
            aid, pid, bureau.pk, role, "joint", state, _at(assigned_day, self.rng), self.officer, due, due_basis,
            "", finished, None, "", late,
        ))

    def _cc(self, deputy, co_signers, assisting):
        names = [(name, False) for name in self.office_cc]
        names += [(b.cc_label, False) for b in assisting]
        names.append((deputy.delegation.cc_label, False))
        names += [(d.name, True) for d in sorted(co_signers, key=lambda d: d.name)]
        seen, unique = set(), []
        for name, person in names:
            if name not in seen:
                seen.add(name)
                unique.append((name, person))
        if len(unique) < 3:
            unique.append(("市政府督查室", False))
        return unique[:8]

    def _consultation(self, pid, lead_id, lead, deputy, held, staff):
        rng = self.rng
        cid = self._id(Consultation)
        answered = deputy.user_id is not None and rng.random() < 0.8
        answer_at = _at(held + datetime.timedelta(days=rng.randint(1, 10)), rng) if answered else None
        if answer_at and answer_at.date() > self.today:
            answered, answer_at = False, None
        form = rng.choice([c for c, _ in Consultation.Form.choices])
        self.rows[Consultation].append((
            cid, lead_id, rng.choice(("before", "during", "during", "after")), held, form,
            f"{deputy.name}代表，{lead.short_name}", "听取代表意见，介绍办理思路，代表表示认可。", staff, _at(held, rng),
            "confirmed" if answered else "", "", deputy.user_id if answered else None, answer_at,
        ))
        self._event(pid, Event.Action.CONSULTATION, _at(held, rng), staff, assignment=lead_id, note="听取代表意见")
        if answered:
            self._event(pid, Event.Action.ANSWER_CONSULTATION, answer_at, deputy.user_id, assignment=lead_id, note="代表已确认沟通情况")

    def _reply_round(self, pid, lead_id, lead, deputy, session, title, topic, dates, happened, staff, leader, leader_name,
                     disclosure, cc, *, round_no, lead_due, never_dissatisfied=False):
        """One reply round of the lead from draft to rating; returns the lead's state, the
        proposal's state, when the reply reached the deputy, days late and whether it was rated 不满意."""
        rng = self.rng
        rid = self._id(Reply)
        body = "\n".join(p.format(topic=topic) for p in REPLY_PARAGRAPHS)
        state, pstate, finished, late, dissatisfied = AS.DRAFTING, PS.DRAFTING, None, 0, False
        signed = sent = released = None
        signer = signed_on = None
        seq = None
        if happened("submit", dates["submit"]):
            state, pstate = AS.IN_REVIEW, PS.IN_REVIEW
            if rng.random() < 0.1:  # returned once by the leader
                self._event(pid, Event.Action.SUBMIT, _at(dates["submit"] - datetime.timedelta(days=5), rng), staff, assignment=lead_id, from_state=AS.DRAFTING, to_state=AS.IN_REVIEW)
                self._event(pid, Event.Action.RETURN, _at(dates["submit"] - datetime.timedelta(days=3), rng), leader, assignment=lead_id, from_state=AS.IN_REVIEW, to_state=AS.DRAFTING, note="请补充具体措施和时间安排。")
            self._event(pid, Event.Action.SUBMIT, _at(dates["submit"], rng), staff, assignment=lead_id, from_state=AS.DRAFTING, to_state=AS.IN_REVIEW)
            if happened("sign", dates["sign"]):
                state, pstate = AS.SIGNED, PS.SIGNED
                signed_on, signer = dates["sign"], leader
                signed = _at(signed_on, rng)
                year = signed_on.year
                seq = self.doc_seq.get((lead.pk, year), 0) + 1
                self.doc_seq[(lead.pk, year)] = seq
                number = format_document_number(lead.document_prefix, year, seq)
                self._event(pid, Event.Action.SIGN, signed, leader, assignment=lead_id, from_state=AS.IN_REVIEW, to_state=AS.SIGNED, note=number)
                if happened("send", dates["send"]):
                    state, pstate = AS.REPLIED, PS.REPLIED
                    sent = _at(dates["send"], rng)
                    finished = dates["send"]
                    late = max(0, (finished - lead_due).days)
                    cc_text = "，".join(n for n, _p in cc)
                    self._event(pid, Event.Action.SEND, sent, staff, assignment=lead_id, from_state=AS.SIGNED, to_state=AS.REPLIED,
                                note=(f"逾期{late}天；" if late else "") + f"抄送：{cc_text}")
                    if disclosure == "public" and rng.random() < 0.8:
                        release_day = dates["send"] + datetime.timedelta(days=rng.randint(5, 25))
                        if release_day <= self.today:
                            released = _at(release_day, rng)
                            self._event(pid, Event.Action.RELEASE, released, self.officer, assignment=lead_id, note="主动公开")
                    if happened("rate", dates["rate"]):
                        choices = ("satisfied", "basically") if never_dissatisfied else ("satisfied", "basically", "dissatisfied")
                        weights = (75, 25) if never_dissatisfied else (75, 21, 4)
                        result = rng.choices(choices, weights)[0]
                        work = "satisfied" if result == "satisfied" else rng.choice(("satisfied", "basically"))
                        dissatisfied = result == "dissatisfied"
                        rated = _at(dates["rate"], rng)
                        self.rows[Evaluation].append((
                            self._id(Evaluation), rid, deputy.pk, work, result,
                            "答复对具体措施说明不够，请重新办理。" if dissatisfied else "", "online" if deputy.user_id else "paper", "",
                            deputy.user_id or self.officer, rated, None, "",
                        ))
                        labels = {"satisfied": "满意", "basically": "基本满意", "dissatisfied": "不满意"}
                        self._event(pid, Event.Action.RATE, rated, deputy.user_id or self.officer, assignment=lead_id, note=f"办理工作{labels[work]}，办理结果{labels[result]}")
        letter = None
        if signed:
            letter = json.dumps({
                "kind": "reply", "title": f"对{session.name}第{self.number}号{session.item_noun}的答复",
                "salutation": f"{deputy.name}代表：", "body": body, "signing_bureau": lead.name,
                "date": signed_on.isoformat(), "category_mark": "ABCD"[rng.randint(0, 3)], "authority_mark": f"{lead.name}文件",
                "document_number": format_document_number(lead.document_prefix, signed_on.year, seq), "signer": leader_name,
                "contact_name": "承办员", "contact_phone": "0574-63000000",
                "disclosure_note": DISCLOSURE_NOTES[disclosure], "cc": [{"name": n, "is_person": p} for n, p in cc],
                "title_words": [],
            }, ensure_ascii=False)
        mark = json.loads(letter)["category_mark"] if letter else ""
        release_due = _workday(finished + datetime.timedelta(days=28)) if finished and disclosure == "public" else None
        self.rows[Reply].append((
            rid, body, "承办员", "0574-63000000", signer, signed_on, 3 if signed else 1, staff,
            signed or _at(dates["submit"] if dates["submit"] <= self.today else self.today, rng),
            lead_id, lead.pk, round_no, "答复对具体措施说明不够，请重新办理。" if round_no > 1 else "", mark, disclosure,
            round_no > 1, signed, signed_on.year if signed else None, seq,
            format_document_number(lead.document_prefix, signed_on.year, seq) if signed else "",
            sent, release_due, released, self.officer if released else None, body if released else "", letter,
            Reply.AddressedTo.LEAD,
        ))
        for position, (name, person) in enumerate(cc, 1):
            self.rows[ReplyCc].append((self._id(ReplyCc), rid, position, name, person))
        return state, pstate, finished, late, dissatisfied

    # --- writing ----------------------------------------------------------------------------------

    COLUMNS = {
        Proposal: ["id", "session_id", "number", "title", "reasons", "suggestions", "lead_deputy_id", "timing", "category",
                   "key_supervised", "supervising_leader", "received_on", "state", "registered_by_id", "created_at"],
        Proposal.co_signers.through: ["id", "proposal_id", "deputy_id"],
        Assignment: ["id", "proposal_id", "bureau_id", "role", "handling", "state", "assigned_at", "assigned_by_id", "due_on",
                     "due_basis", "reassignment_reason", "finished_on", "extension_until", "extension_reason", "late_days"],
        CoHandlingOpinion: ["id", "title", "body", "contact_name", "contact_phone", "signer_id", "signed_on", "version",
                            "updated_by_id", "updated_at", "assignment_id", "round", "sent_at", "document_number"],
        Reply: ["id", "body", "contact_name", "contact_phone", "signer_id", "signed_on", "version", "updated_by_id", "updated_at",
                "assignment_id", "bureau_id", "round", "round_reason", "category_mark", "disclosure", "rehandling", "signed_at",
                "document_year", "document_seq", "document_number", "sent_at", "release_due_on", "released_at", "released_by_id",
                "public_body", "letter", "addressed_to"],
        ReplyCc: ["id", "reply_id", "position", "name", "is_person"],
        Consultation: ["id", "assignment_id", "phase", "held_on", "form", "participants", "summary", "recorded_by_id",
                       "recorded_at", "deputy_answer", "deputy_comment", "answered_by_id", "answered_at"],
        Evaluation: ["id", "reply_id", "deputy_id", "work", "result", "comment", "source", "scan", "recorded_by_id",
                     "created_at", "corrects_id", "correction_reason"],
        Event: ["id", "proposal_id", "assignment_id", "actor_id", "action", "from_state", "to_state", "note", "created_at"],
    }

    def _copy(self, model, rows):
        if not rows:
            return
        tick = time.perf_counter()
        columns = self.COLUMNS[model]
        table = model._meta.db_table
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        self.counts.add(f"copy {table}", len(rows), time.perf_counter() - tick)

    def _counters_and_sequences(self):
        DocumentCounter.objects.bulk_create(
            [DocumentCounter(bureau_id=b, year=y, last=last) for (b, y), last in self.doc_seq.items()],
            update_conflicts=True, unique_fields=["bureau", "year"], update_fields=["last"],
        )
        with connection.cursor() as cursor:
            for model in self.ids:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                )


def check_columns():
    """Every column the tables have is written (a new field must be added here too)."""
    missing = {}
    for model, columns in Generator.COLUMNS.items():
        names = {f.column for f in model._meta.concrete_fields}
        if names != set(columns):
            missing[model._meta.db_table] = sorted(names ^ set(columns))
    return missing


def generate_bulk(*, proposals: int, seed: int = 1, today=None, stdout=None) -> Counts:
    problems = check_columns()
    if problems:
        raise RuntimeError(f"generate_bulk's columns differ from the models: {problems}")
    return Generator(proposals=proposals, seed=seed, today=today, stdout=stdout).run()

