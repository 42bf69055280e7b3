"""Server time of the main pages, per role, on a large dataset, against a floor view.

    createdb -h 127.0.0.1 -U postgres jianyi_bulk
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jianyi_bulk
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_demo
    .venv/bin/python manage.py generate_bulk --proposals 100000
    .venv/bin/python benchmarks/pages.py [--runs 5] [--only list]

Runs in this process with Django's test client, logged in (``force_login``) as the demo users,
against the database DATABASE_URL names (required: never another, nothing is flushed; the
logins add session rows). For each page and role it prints the median milliseconds over
``--runs`` requests after one warm-up, the number of queries, and the ratio to a floor: a plain
view listing 50 proposals through the same middleware, as the same user, on the same data, timed
in turn with the page (floor, page, floor, page, …). The floor's URL exists only here: it is added
to the URL patterns of this process. Last line, machine-readable:

    pages: worst=<page>/<role> ratio=… worst_ms=… max_queries=…

(``worst`` is the page with the highest ratio; ``worst_ms`` the slowest median of any page.)
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

FLOOR_PATH = "__bench_floor__/"
DEMO_USERS = ["gongwei", "dubanyuan", "jxj_staff", "jxj_leader", "luochong", "admin"]


def floor_view(request):
    """50 proposals, a plain template: what any list page costs at least."""
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.template import engines

    from proposals.models import Proposal

    @login_required
    def view(request):
        rows = Proposal.objects.select_related("session", "lead_deputy").order_by("-id")[:50]
        template = engines["django"].from_string(
            "<html><body><table>{% for p in rows %}<tr><td>{{ p.session }}</td><td>{{ p.number }}</td>"
            "<td>{{ p.title }}</td><td>{{ p.lead_deputy }}</td><td>{{ p.get_state_display }}</td></tr>"
            "{% endfor %}</table></body></html>"
        )
        return HttpResponse(template.render({"rows": rows}, request))

    return view(request)


class QueryCounter(list):
    def __call__(self, execute, sql, params, many, context):
        self.append(sql)
        return execute(sql, params, many, context)


def install_floor():
    from django.urls import clear_url_caches, path

    from config import urls

    urls.urlpatterns.append(path(FLOOR_PATH, floor_view, name="bench-floor"))
    clear_url_caches()


def dataset():
    """The ids the pages need, or a reason why the dataset is missing."""
    from django.db.models import Count

    from accounts.models import Deputy, Organization, User
    from proposals.models import Event, Proposal, Session

    total = Proposal.objects.count()
    missing = [u for u in DEMO_USERS if not User.objects.filter(username=u).exists()]
    if total < 1000 or missing:
        return None, (
            f"dataset missing in {os.environ['DATABASE_URL']}: {total} proposals"
            + (f", demo logins missing: {', '.join(missing)}" if missing else "")
            + ". Run migrate, load_demo and generate_bulk --proposals 100000 on this database first."
        )
    jxj = Organization.objects.get(short_name="市经信局")
    busiest = (
        Event.objects.values("proposal").annotate(n=Count("id")).order_by("-n", "proposal").first()["proposal"]
    )
    busiest_jxj = (
        Event.objects.filter(proposal__assignments__bureau=jxj, proposal__assignments__state__in=[
            "assigned", "drafting", "in_review", "signed", "replied", "opinion_sent"])
        .values("proposal").annotate(n=Count("id")).order_by("-n", "proposal").first()["proposal"]
    )
    return {
        "total": total,
        "session": Session.objects.annotate(n=Count("proposals")).order_by("-n").first().pk,
        "jxj": jxj.pk,
        "deputy": Deputy.objects.get(user__username="luochong").pk,
        "delegation": Organization.objects.filter(kind="delegation").annotate(n=Count("deputies")).order_by("-n").first().pk,
        "busiest": busiest,
        "busiest_jxj": busiest_jxj,
        "year": Proposal.objects.order_by("-received_on").first().received_on.year - 1,
    }, ""


def pages(ids):
    """(name, role, url): every main page for every role that reads it."""
    offices, bureau = ["gongwei", "dubanyuan"], ["jxj_staff"]
    found = [("home", u, "/") for u in ["gongwei", "dubanyuan", "jxj_staff", "jxj_leader", "luochong"]]
    found += [("list p1", u, "/proposals/") for u in offices + bureau]
    found += [("list p200", u, "/proposals/?page=200") for u in ["gongwei"] + bureau]
    filters = {
        "session": f"session={ids['session']}", "state": "state=drafting", "bureau": f"bureau={ids['jxj']}",
        "category": "category=economy", "deputy": f"deputy={ids['deputy']}", "key_supervised": "key_supervised=true",
        "overdue": "overdue=true", "due_soon": "due_soon=true", "delegation": f"delegation={ids['delegation']}",
        "role": f"bureau={ids['jxj']}&role=lead", "replied": "replied=true", "on_time": "on_time=false",
        "replied_month": f"replied_month={ids['year']}-05", "consulted": "consulted=true",
        "consultation_confirmed": "consultation_confirmed=true", "rated": "rated=true",
        "satisfaction": "satisfaction=dissatisfied", "rehandled": "rehandled=true",
    }
    found += [(f"filter {name}", "gongwei", f"/proposals/?{query}") for name, query in filters.items()]
    found += [(f"filter {name}", "jxj_staff", f"/proposals/?{filters[name]}") for name in ("overdue", "state")]
    found += [("search", u, "/proposals/?q=智能制造") for u in ["gongwei"] + bureau]
    found += [("detail busy", "gongwei", f"/proposals/{ids['busiest']}/"),
              ("detail busy", "jxj_staff", f"/proposals/{ids['busiest_jxj']}/")]
    found += [("my proposals", "luochong", "/my/proposals/"), ("public", "anonymous", "/public/")]
    found += [("stats session", "gongwei", f"/stats/?session={ids['session']}"), ("stats all", "gongwei", "/stats/?session=all"),
              ("export form", "gongwei", "/exports/new/")]
    found += [("admin proposals", "admin", "/admin/proposals/proposal/"),
              ("admin events", "admin", "/admin/proposals/event/")]
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="only pages whose name contains this")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database holding the bulk dataset.")

    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # one line per force_login otherwise
    from django.db import connection
    from django.test import Client

    from accounts.models import User

    ids, why = dataset()
    if ids is None:
        raise SystemExit(why)
    install_floor()
    clients = {"anonymous": Client()}
    for username in DEMO_USERS:
        clients[username] = Client()
        clients[username].force_login(User.objects.get(username=username))

    def timed(client, url):
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        return elapsed

    print(f"pages on {ids['total']} proposals, {args.runs} runs each (ms: median page, median floor)")
    results = []
    for name, role, url in pages(ids):
        if args.only not in name:
            continue
        client = clients[role]
        floor_url = "/" + FLOOR_PATH
        if role == "anonymous":  # the floor wants a login; time it as a user, the same middleware
            floor_client = clients["gongwei"]
        else:
            floor_client = client
        timed(floor_client, floor_url)
        timed(client, url)
        queries = QueryCounter()  # an execute wrapper outlives the reconnects between requests
        with connection.execute_wrapper(queries):
            timed(client, url)
        page_times, floor_times = [], []
        for _ in range(args.runs):
            floor_times.append(timed(floor_client, floor_url))
            page_times.append(timed(client, url))
        page_ms, floor_ms = statistics.median(page_times) * 1000, statistics.median(floor_times) * 1000
        ratio = page_ms / floor_ms
        results.append((name, role, page_ms, len(queries), ratio))
        print(f"{name:<30} {role:<10} {page_ms:8.1f} ms {len(queries):4d} queries  floor {floor_ms:6.1f} ms  "
              f"ratio {ratio:6.1f}  {url}", flush=True)
    if not results:
        raise SystemExit("no page matched --only")
    print("slowest:")
    for name, role, ms, queries, ratio in sorted(results, key=lambda r: -r[2])[:5]:
        print(f"  {name} ({role}): {ms:.0f} ms, {queries} queries, ratio {ratio:.1f}")
    worst = max(results, key=lambda r: r[4])
    print(
        f"pages: worst={worst[0].replace(' ', '_')}/{worst[1]} ratio={worst[4]:.1f} "
        f"worst_ms={max(r[2] for r in results):.1f} max_queries={max(r[3] for r in results)}"
    )


if __name__ == "__main__":
    main()
