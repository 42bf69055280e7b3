"""N logged-in users at once on a real gunicorn: requests per second, latency and errors.

    createdb -h 127.0.0.1 -U postgres jianyi_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jianyi_bench
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_demo
    .venv/bin/python benchmarks/load.py [--users 20] [--seconds 60] [--workers 4]

Starts gunicorn (``--workers`` sync workers) on a free port against the database DATABASE_URL
names (required: never another; nothing is flushed; the logins add session rows) and, if
REDIS_URL is set, that Redis database only. Each simulated user logs in over HTTP as one of the
demo logins (password ``jianyi-demo``), then requests, in turn and as fast as answers come, the
pages people use most: my work (``/``), the proposal list, a proposal's page and a stored reply
PDF, with the ids it may see. Per page it prints requests, p50 and p95 in milliseconds and errors
(any status but 200, or a refused connection). Last line, machine-readable:

    load: users=20 rps=… p95_ms=… errors=0
"""

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DEMO_USERS = ["gongwei", "dubanyuan", "jxj_staff", "jxj_leader", "kjj_staff", "luochong", "fulei", "huguofeng"]
PASSWORD = "jianyi-demo"  # noqa: S105 - the demo data's documented password


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """One user's cookies over plain HTTP/1.1 (gunicorn's sync workers close each connection)."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, content
        finally:
            connection.close()

    def log_in(self, username):
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        status, _ = self.request("POST", "/accounts/login/", body=form)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"load: could not log in as {username} (status {status}); run load_demo first")


def targets_for(username):
    """The pages this user reads: ids from the same access rules the app applies."""
    import django

    django.setup()
    from django.urls import reverse

    from accounts.models import User
    from accounts.roles import roles_of
    from proposals.models import Proposal
    from replies.models import LetterPdf

    user = User.objects.get(username=username)
    deputy = roles_of(user).is_deputy_only  # deputies read their own pages, in their own words
    proposal = Proposal.objects.visible_to(user).order_by("-id").first()
    pdf = (
        LetterPdf.objects.filter(state=LetterPdf.State.DONE, reply__in=_visible_replies(user))
        .order_by("-id")
        .values_list("reply_id", flat=True)
        .first()
    )
    pages = {"home": "/", "list": reverse("my-proposals" if deputy else "proposal-list")}
    if proposal:
        pages["detail"] = reverse("my-proposal" if deputy else "proposal-detail", args=[proposal.pk])
    if pdf:
        pages["pdf"] = f"/replies/{pdf}/pdf/"
    return pages


def _visible_replies(user):
    from replies.models import Reply

    return Reply.objects.visible_to(user).filter(signed_at__isnull=False)


def start_server(port, workers, log_path):
    env = dict(os.environ, DJANGO_DEBUG="false", PYTHONUNBUFFERED="1")
    log = open(log_path, "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", "60", "--chdir", str(ROOT)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"load: gunicorn exited, see {log_path}")
        try:
            if Browser(port).request("GET", "/accounts/login/")[0] == 200:
                return process
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"load: gunicorn did not start, see {log_path}")


def run_user(browser, pages, until, samples, errors, lock, who=""):
    names = list(pages)
    turn = 0
    while time.monotonic() < until:
        name = names[turn % len(names)]
        turn += 1
        start = time.perf_counter()
        try:
            status, _ = browser.request("GET", pages[name])
        except OSError:
            status = 0
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            samples.setdefault(name, []).append(elapsed)
            if status != 200:
                errors.setdefault(name, []).append(f"{who} {pages[name]} → {status or 'no answer'}")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("load: set DATABASE_URL to the benchmark database (it is never flushed)")

    port = free_port()
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"jianyi-load-{port}.log"
    server = start_server(port, args.workers, log_path)
    try:
        users = [DEMO_USERS[i % len(DEMO_USERS)] for i in range(args.users)]
        pages = {name: targets_for(name) for name in set(users)}
        browsers = []
        for name in users:
            browser = Browser(port)
            browser.log_in(name)
            browsers.append((browser, pages[name]))
        samples, errors, lock = {}, {}, threading.Lock()
        began = time.monotonic()
        until = began + args.seconds
        threads = [
            threading.Thread(target=run_user, args=(browser, user_pages, until, samples, errors, lock, who))
            for who, (browser, user_pages) in zip(users, browsers, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
    finally:
        server.terminate()
        server.wait(20)

    every = [ms for values in samples.values() for ms in values]
    print(f"{'page':<8} {'requests':>8} {'p50_ms':>8} {'p95_ms':>8} {'errors':>7}")
    for name in sorted(samples):
        values = samples[name]
        print(f"{name:<8} {len(values):>8} {statistics.median(values):>8.0f} "
              f"{percentile(values, 0.95):>8.0f} {len(errors.get(name, [])):>7}")
    for failures in (errors[name] for name in sorted(errors)):
        for failure in sorted(set(failures)):
            print(f"  error: {failure} ×{failures.count(failure)}")
    total_errors = sum(len(failures) for failures in errors.values())
    print(f"load: users={args.users} rps={len(every) / elapsed:.1f} "
          f"p95_ms={percentile(every, 0.95):.0f} errors={total_errors}")
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
