"""Error pages in Chinese without internals. A server error shows the request's id, which the log
line of the error carries too, so a user's report can be found in the log."""

import logging
import uuid

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import get_template

log = logging.getLogger("jianyi.errors")


class RequestIdMiddleware:
    """Give every request an id (``request.id``, header ``X-Request-ID``) and log server errors with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4().hex[:12]
        response = self.get_response(request)
        response.headers.setdefault("X-Request-ID", request.id)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, (Http404, PermissionDenied, SuspiciousOperation)):
            return None  # answered by their own pages, not errors of the server
        log.error("request %s %s %s failed", getattr(request, "id", "-"), request.method, request.path, exc_info=exception)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def server_error(request):
    # No context processors: the failure may be in them (or in the database they read).
    html = get_template("500.html").render({"request_id": getattr(request, "id", "")})
    return HttpResponseServerError(html)
