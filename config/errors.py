"""Error pages in Chinese without internals. A server error shows the request's id, which the log
line of the error carries too, so a user's report can be found in the log."""

import logging
import sys
import uuid

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseServerError
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
        if isinstance(exception, (OperationalError, InterfaceError)):
            # The database is restarting or out of reach: say so, and let the next request
            # reconnect (CONN_HEALTH_CHECKS drops the broken connection).
            log.error("request %s: database unavailable: %s", getattr(request, "id", "-"), exception)
            html = get_template("503.html").render({"request_id": getattr(request, "id", "")})
            return HttpResponse(html, status=503, headers={"Retry-After": "30"})
        log.error("request %s %s %s failed", getattr(request, "id", "-"), request.method, request.path, exc_info=exception)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def server_error(request):
    # No context processors: the failure may be in them (or in the database they read).
    context = {"request_id": getattr(request, "id", "")}
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):  # e.g. in a middleware
        return HttpResponse(get_template("503.html").render(context), status=503, headers={"Retry-After": "30"})
    return HttpResponseServerError(get_template("500.html").render(context))
