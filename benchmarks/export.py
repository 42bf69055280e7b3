"""Bulk export of N signed replies with 1 and with 2 Celery worker processes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jianyi_bench \
    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python benchmarks/export.py [--replies 500]

Creates (once) a benchmark database with N signed replies of the 110 reply's length, then for
each worker count deletes every rendered PDF, starts that many `celery worker --concurrency=1`
processes, and times an export from the start of the job to the finished ZIP. Last line:
`export: replies=N one_worker_s=… two_workers_s=… speedup=…`.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jianyi_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "jianyi-bench-media"))


# The benchmark's own Celery queue: it never touches another run's tasks, and never flushes a
# Redis database it shares with others.
QUEUE = os.environ.setdefault("JIANYI_CELERY_QUEUE", f"jianyi-bench-{os.getpid()}")


def ensure_database():
    """Create the database DATABASE_URL names, on the server it names, if it is missing."""
    from urllib.parse import urlparse

    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    server = url._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            conn.execute(f'create database "{name}"')


def seed(count: int):
    from unittest import mock

    from django.core.management import call_command

    from accounts.models import Membership, Organization, User
    from proposals import workflow as intake
    from proposals.models import Proposal, Session
    from replies import workflow
    from replies.demo.documents import REPLY_110, seed_letter
    from replies.drafts import default_cc, reply_save_draft
    from replies.models import Reply
    from replies.selectors import current_reply

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))
    session = Session.objects.get(term=18, number=1)
    existing = Reply.objects.signed().filter(assignment__proposal__session=session).count()
    if existing >= count:
        return session
    cora = User.objects.get(username="gongwei")
    staff = User.objects.get(username="jxj_staff")
    leader = User.objects.get(username="jxj_leader")
    bureau = Organization.objects.get(short_name="市经信局")
    deputy = Proposal.objects.get(session=session, number=110).lead_deputy
    body = seed_letter(REPLY_110).body
    assert Membership.objects.filter(user=leader).exists()
    print(f"seeding {count - existing} signed replies…", flush=True)
    with mock.patch("replies.pdf._send"):  # leave them unrendered: the export renders them
        for number in range(1000 + existing, 1000 + count):
            proposal = intake.proposal_register(
                by=cora, session=session, number=number, title=f"基准测试建议第{number}号",
                reasons="事由", suggestions="建议", lead_deputy=deputy, category="economy",
            )
            (assignment,) = intake.proposal_assign(proposal=proposal, leads=[bureau], by=cora)
            workflow.assignment_accept(assignment=assignment, by=staff)
            reply = current_reply(assignment)
            reply_save_draft(
                reply=reply, by=staff, version=reply.version, body=body, category_mark="A",
                disclosure="public", contact_name="陈承办", contact_phone="0574-63000000",
                cc=default_cc(assignment),
            )
            workflow.reply_submit(assignment=assignment, by=staff)
            workflow.reply_sign(assignment=assignment, by=leader)
    return session


def start_workers(n: int, log_dir: Path):
    procs = []
    for i in range(n):
        log = open(log_dir / f"worker-{n}-{i}.log", "wb")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"bench{i}@%h",
             "--loglevel=WARNING"],
            cwd=ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        ))
    time.sleep(6)  # let them connect and load fonts before the clock starts
    return procs


def stop_workers(procs):
    import signal

    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        proc.wait(30)


def run_export(session, workers: int, log_dir: Path) -> float:
    import redis

    from replies import exports
    from replies.models import ExportJob, LetterPdf

    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(QUEUE)  # only this run's queue
    LetterPdf.objects.all().delete()
    shutil.rmtree(Path(os.environ["DJANGO_MEDIA_ROOT"]) / "letters", ignore_errors=True)
    procs = start_workers(workers, log_dir)
    try:
        started = time.perf_counter()
        job = exports.export_start(by=None, session=session)
        while True:
            job.refresh_from_db()
            if job.state in (ExportJob.State.DONE, ExportJob.State.FAILED):
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        stop_workers(procs)
    if job.state != ExportJob.State.DONE:
        raise SystemExit(f"export failed: {job.error}")
    print(f"{workers} worker(s): {job.total} replies in {elapsed:.1f} s ({job.size / 1e6:.0f} MB ZIP)", flush=True)
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--replies", type=int, default=500)
    parser.add_argument("--seed-only", action="store_true", help="create the data and stop")
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    session = seed(args.replies)
    if args.seed_only:
        return
    log_dir = Path(tempfile.mkdtemp(prefix="jianyi-bench-"))
    one = run_export(session, 1, log_dir)
    two = run_export(session, 2, log_dir)
    from replies.models import Reply

    total = Reply.objects.signed().filter(assignment__proposal__session=session).count()
    print(f"export: replies={total} one_worker_s={one:.1f} two_workers_s={two:.1f} speedup={one / two:.2f}")


if __name__ == "__main__":
    main()
