"""Within one GET request an answer asked for several times is computed once; a POST, and code
outside a request, compute it every time (``accounts.memo``)."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.memo import RequestMemoMiddleware, once_per_request


def _asks_twice(computed):
    def view(request):
        first = once_per_request("answer", lambda: computed.append(len(computed)) or len(computed))
        second = once_per_request("answer", lambda: computed.append(len(computed)) or len(computed))
        return HttpResponse(f"{first} {second}")

    return RequestMemoMiddleware(view)


@pytest.mark.parametrize("method, shown, computed", [("get", "1 1", 1), ("head", "1 1", 1), ("post", "1 2", 2)])
def test_a_get_computes_once_a_post_every_time(method, shown, computed):
    answers = []
    response = _asks_twice(answers)(getattr(RequestFactory(), method)("/"))
    assert len(answers) == computed
    if method != "head":
        assert response.content.decode() == shown


def test_outside_a_request_every_call_computes():
    answers = []
    for _ in range(2):
        once_per_request("answer", lambda: answers.append(1))
    assert len(answers) == 2


def test_each_request_starts_afresh():
    answers = []
    middleware = _asks_twice(answers)
    middleware(RequestFactory().get("/"))
    middleware(RequestFactory().get("/"))
    assert len(answers) == 2


@pytest.mark.django_db
def test_a_list_page_reads_the_datas_version_once(client, cora, settings):
    settings.LIST_COUNTS_SECONDS = 600  # the stored counts ask for the version
    client.force_login(cora)
    client.get(reverse("proposal-list"), {"q": "道路"})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("proposal-list"), {"q": "道路"}).status_code == 200
    assert len([q for q in queries.captured_queries if 'MAX(id) FROM "proposals_event"' in q["sql"]]) == 1
