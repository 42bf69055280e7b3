"""Every URL of the app × every kind of person: nobody reads an object its access rule hides,
nobody changes anything by posting to a URL of an object they may not see, and nothing answers
500. The URLs come from the resolver, so a view added later is covered without being listed —
and a new ``<int:pk>`` route with no known object kind fails here until it is mapped.
"""

import hashlib
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Notification
from proposals import workflow as intake
from proposals.models import Assignment, Consultation, ImportJob, Proposal
from replies import exports, rating, workflow
from replies.drafts import opinion_save_draft
from replies.letter import RenderedPdf
from replies.models import CoHandlingOpinion, Evaluation, ExportJob, Reply
from replies.selectors import current_opinion
from tests.factories import ProposalFactory
from tests.workflow_helpers import to_signed

SKIPPED = ("admin/", "accounts/login/", "accounts/logout/", "i18n/", "accounts/2fa/", "accounts/password/",
           "public/")  # the public pages have their own crawl (tests/replies/test_public.py)

# Which object a route's <int:pk> names, by the route's beginning; the model's visible_to decides.
KINDS = [
    ("my/proposals/<int:pk>", Proposal),
    ("proposals/<int:pk>", Proposal),
    ("assignments/<int:pk>", Assignment),
    ("consultations/<int:pk>", Consultation),
    ("replies/<int:pk>", Reply),
    ("opinions/<int:pk>", CoHandlingOpinion),
    ("exports/<int:pk>", ExportJob),
    ("evaluations/<int:pk>", Evaluation),
    ("notices/batches/<int:pk>", "replies.AssignmentBatch"),
    ("notices/<int:pk>", "replies.AssignmentNotice"),
    ("notifications/<int:pk>", Notification),
    ("imports/jobs/<int:pk>", ImportJob),
]
PEOPLE = ["cora", "sam", "admin", "alice", "lily", "bob", "ben", "dora", "carl", "otto", "stranger", "anonymous"]


def routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return sorted({r for r in walk(get_resolver().url_patterns) if not r.startswith(SKIPPED)})


def kind_of(route):
    for start, model in KINDS:
        if route.startswith(start):
            return apps.get_model(model) if isinstance(model, str) else model
    raise AssertionError(f"{route}: which object does its <int:pk> name? Add it to KINDS.")


def visible(model, user, obj):
    if model is Notification:
        return getattr(user, "pk", None) == obj.user_id
    if model.__name__ == "AssignmentBatch":
        return apps.get_model("replies.AssignmentNotice").objects.visible_to(user).filter(batch=obj).exists()
    return model.objects.visible_to(user).filter(pk=obj.pk).exists()


def snapshot():
    """A fingerprint of everything a POST could change."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.app_label in ("proposals", "replies", "accounts") and model.__name__ not in ("AuditRecord",):
            rows = model.objects.order_by("pk").values_list(*[f.attname for f in model._meta.concrete_fields
                                                              if f.attname not in ("last_login", "heartbeat_at")])
            digest.update(repr(list(rows)).encode())
    return digest.hexdigest()


@pytest.fixture
def world(everyone, proposal, bureau_a, bureau_b, dora, carl, otto, media_root):
    cora, alice, lily, bob, ben = (everyone[n] for n in ("cora", "alice", "lily", "bob", "ben"))
    lead = to_signed(proposal, cora, alice, lily, bureau_a)
    other = ProposalFactory(session=proposal.session, number=111, lead_deputy=otto)
    (b_lead, b_assist) = intake.proposal_assign(proposal=other, leads=[bureau_b], assistants=[bureau_a], by=cora)
    workflow.assignment_accept(assignment=b_assist, by=alice)
    opinion = current_opinion(b_assist)
    opinion_save_draft(opinion=opinion, by=alice, version=opinion.version, title=opinion.title, body="我局意见如下。",
                       contact_name="陈承办",
                       contact_phone="0574-63000000")
    intake.consultation_record(assignment=lead, by=alice, held_on=proposal.received_on, form="phone",
                               participants="罗冲", summary="电话沟通。")
    workflow.reply_send(assignment=lead, by=alice)
    reply = Reply.objects.get(assignment=lead)
    rating.evaluation_submit(reply=reply, by=dora.user, work="satisfied", result="satisfied")
    exports.export_start(by=cora, session=proposal.session)
    ImportJob.objects.create(kind="proposals", session=proposal.session, requested_by=cora, token="0" * 32, total=1)
    ProposalFactory(session=proposal.session, number=112, lead_deputy=otto)  # received, not assigned
    return {"bureau_b_lead": b_lead, "bureau_b": bureau_b, "ben": ben, "bob": bob}


SLUGS = {"kind": ["proposals", "deputies"], "action": ["accept", "submit", "sign", "send", "return"]}


def urls_of(route, obj):
    url = "/" + route.replace("<int:pk>", str(obj.pk) if obj is not None else "")
    if "<slug:" not in url:
        return [url]
    name = url.split("<slug:")[1].split(">")[0]
    return [url.replace(f"<slug:{name}>", value) for value in SLUGS.get(name, ["x"])]


FAKE_PDF = RenderedPdf(content=b"%PDF-1.4 fake", page_count=1, sha256="0" * 64, size=13)


@mock.patch("replies.preview.render_on_request", return_value=FAKE_PDF)  # access, not typesetting
def test_nobody_reads_or_changes_what_their_access_rule_hides(_render, world, everyone):
    people = {**everyone, "anonymous": AnonymousUser()}
    clients = {}
    for name in PEOPLE:
        clients[name] = Client(raise_request_exception=False)
        if name != "anonymous":
            clients[name].force_login(people[name])
    checked, hidden_checked, failures = 0, 0, []
    for route in routes():
        model, targets = None, [None]
        if "<int:pk>" in route:
            model = kind_of(route)
            targets = list(model.objects.order_by("pk")[:2])
        for obj in targets:
            for url in urls_of(route, obj):
                before = snapshot()
                for name in PEOPLE:
                    hidden = obj is not None and not visible(model, people[name], obj)
                    response = clients[name].get(url)
                    checked += 1
                    if response.status_code >= 500:
                        failures.append(f"GET {url} as {name}: {response.status_code}")
                    if hidden and response.status_code == 200:
                        failures.append(f"GET {url} as {name}: 200 for an object hidden from them")
                    if hidden:
                        hidden_checked += 1
                        response = clients[name].post(url, {})
                        if response.status_code >= 500:
                            failures.append(f"POST {url} as {name}: {response.status_code}")
                if obj is not None and snapshot() != before:
                    failures.append(f"POST {url} by people who may not see it changed data")
    assert not failures, "\n".join(failures[:40])
    assert checked > 500 and hidden_checked > 200, (checked, hidden_checked)
