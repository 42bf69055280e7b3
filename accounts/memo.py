"""Answers a GET request asks for several times, computed once in it.

A list page asks for the data's version three or four times (counts, page, search, filter
choices), and a deputy's pages apply the proposals' access rule five times, each reading the
proposals they co-signed. A request that only reads has no change of its own to see, so within
one GET (or HEAD) each answer is computed once; a POST, which may write and then read, and code
outside a request (tasks, the shell) compute every time.
"""

from contextvars import ContextVar

_answers: ContextVar[dict | None] = ContextVar("request_memo", default=None)


class RequestMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        token = _answers.set({})
        try:
            return self.get_response(request)
        finally:
            _answers.reset(token)


def once_per_request(key, compute):
    """``compute()``, or within a GET request the answer it gave the first time for ``key``."""
    answers = _answers.get()
    if answers is None:
        return compute()
    if key not in answers:
        answers[key] = compute()
    return answers[key]
