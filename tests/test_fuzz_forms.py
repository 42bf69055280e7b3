"""No input makes a server error: every form and every query a page offers, filled with random
text by hypothesis, answers with a page (200, a redirect, 4xx), never a 500.

The forms are found the way a user finds them: by following the links of each role's pages from
the home page, so a form added later is fuzzed without being listed here.
"""

from html.parser import HTMLParser
from unittest import mock
from urllib.parse import urljoin, urlparse

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replies import workflow
from tests.factories import ProposalFactory
from tests.workflow_helpers import assign, to_drafting, to_signed, write_reply

SKIP_PREFIXES = ("/admin/", "/accounts/logout/", "/i18n/", "/static/", "/media/")
MAX_PAGES = 60

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
odd = st.sampled_from(["", "0", "-1", "abc", "²", "①", "9" * 30, "2026-02-30", "<script>", "'; --", "\x00", "１２"])


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action") or "", "fields": set()}
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea", "button") and self._form is not None and attrs.get("name"):
            if attrs["name"] != "csrfmiddlewaretoken":
                self._form["fields"].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _crawl(client):
    """The forms reachable from the home page: {(method, path): field names}."""
    seen, queue, forms = set(), ["/"], {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code < 500, path
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        for form in page.forms:
            target = urlparse(urljoin(path, form["action"] or path)).path
            if not target.startswith(SKIP_PREFIXES):
                forms.setdefault((form["method"], target), set()).update(form["fields"])
        for href in page.links:
            link = urlparse(urljoin(path, href))
            if link.netloc or not link.path.startswith("/") or link.path.startswith(SKIP_PREFIXES):
                continue
            if link.path.endswith((".pdf", ".zip", ".xlsx", ".txt")) or "/download" in link.path:
                continue
            queue.append(link.path)
    return forms


def _world(proposal, cora, alice, lily, bob, bureau_a, bureau_b, dora):
    """Proposals at every step: received, assigned, drafting (with an opinion to write), signed and sent."""
    ProposalFactory(session=proposal.session, number=401, lead_deputy=dora)
    drafting = ProposalFactory(session=proposal.session, number=239, lead_deputy=dora)
    (lead, assisting) = assign(drafting, cora, bureau_a, assistants=[bureau_b])
    workflow.assignment_accept(assignment=lead, by=alice)
    write_reply(lead, alice)
    workflow.assignment_accept(assignment=assisting, by=bob)
    signed = to_signed(proposal, cora, alice, lily, bureau_a)
    workflow.reply_send(assignment=signed, by=alice)
    to_drafting(ProposalFactory(session=proposal.session, number=12, lead_deputy=dora), cora, alice, bureau_a)


def _fuzz_one(client, method, path, names):
    @settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=st.dictionaries(st.sampled_from(names), st.one_of(text, odd), max_size=len(names)))
    def check(data):
        send = client.post if method == "post" else client.get
        response = send(path, data)
        assert response.status_code < 500, (method, path, data)

    check()


def _fuzz(client, forms):
    for (method, path), fields in sorted(forms.items()):
        _fuzz_one(client, method, path, sorted(fields) or ["q"])


def test_no_form_or_query_of_any_role_is_a_server_error(
    db, media_root, proposal, cora, sam, alice, lily, bob, bureau_a, bureau_b, dora, admin_user
):
    _world(proposal, cora, alice, lily, bob, bureau_a, bureau_b, dora)
    fuzzed = 0
    for user in (cora, sam, alice, lily, bob, dora.user, admin_user):
        client = Client(raise_request_exception=True)
        client.force_login(user)
        forms = _crawl(client)
        with mock.patch("replies.exports._dispatch"):
            _fuzz(client, forms)
        fuzzed += len(forms)
    assert fuzzed >= 20  # the crawl really reaches the forms
