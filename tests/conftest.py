"""Shared fixtures: named people with roles, as the domain speaks of them.

congress officer (cora), supervisor (sam), bureau A (经信局) staff alice and leader lily,
bureau B (科技局) staff bob and leader ben, a deputy (dora) and her co-signer (carl),
another deputy (otto), and a logged-in stranger with no role.
"""

import os
import socket
from unittest import mock
from urllib.parse import urlparse

import pytest

from accounts.models import Membership, Organization

from .factories import DeputyFactory, OrganizationFactory, ProposalFactory, UserFactory, member

CI = os.environ.get("CI", "").lower() == "true"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), 2):
            return True
    except OSError:
        return False


def pytest_configure(config):
    missing = []
    if not _reachable(os.environ["DATABASE_URL"], 5432):
        missing.append(f"PostgreSQL at {os.environ['DATABASE_URL']}")
    config._jianyi_redis = _reachable(os.environ["REDIS_URL"], 6379)
    if not config._jianyi_redis:
        missing.append(f"Redis at {os.environ['REDIS_URL']}")
    config._jianyi_missing = missing


def pytest_report_header(config):
    missing = getattr(config, "_jianyi_missing", [])
    return [f"not reachable: {m}" for m in missing] or ["PostgreSQL and Redis reachable"]


def pytest_collection_modifyitems(config, items):
    missing = config._jianyi_missing
    if not missing:
        return
    message = "cannot reach " + " and ".join(missing)
    if CI:
        pytest.exit(message + " (CI=true: failing instead of skipping)", returncode=3)
    postgres_missing = any(m.startswith("PostgreSQL") for m in missing)
    for item in items:
        if postgres_missing or "redis" in item.keywords or "worker" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture
def congress_office(db):
    return OrganizationFactory(
        kind=Organization.Kind.CONGRESS_OFFICE, name="慈溪市人大常委会代表工作委员会",
        short_name="市人大代表工委", document_prefix="",
    )


@pytest.fixture
def government_office(db):
    return OrganizationFactory(
        kind=Organization.Kind.GOVERNMENT_OFFICE, name="慈溪市人民政府办公室",
        short_name="市政府办公室", document_prefix="",
    )


@pytest.fixture
def bureau_a(db):
    return OrganizationFactory(name="慈溪市经济和信息化局", short_name="市经信局", document_prefix="慈经信建")


@pytest.fixture
def bureau_b(db):
    return OrganizationFactory(name="慈溪市科学技术局", short_name="市科技局", document_prefix="慈科建")


@pytest.fixture
def cora(congress_office):
    return member(UserFactory(username="cora", full_name="工委王"), congress_office, Membership.Role.CONGRESS_OFFICER)


@pytest.fixture
def sam(government_office):
    return member(UserFactory(username="sam", full_name="督办李"), government_office, Membership.Role.SUPERVISOR)


@pytest.fixture
def alice(bureau_a):
    return member(UserFactory(username="alice", full_name="陈承办"), bureau_a, Membership.Role.BUREAU_STAFF)


@pytest.fixture
def lily(bureau_a):
    return member(UserFactory(username="lily", full_name="龚激红"), bureau_a, Membership.Role.BUREAU_LEADER)


@pytest.fixture
def bob(bureau_b):
    return member(UserFactory(username="bob", full_name="周协办"), bureau_b, Membership.Role.BUREAU_STAFF)


@pytest.fixture
def ben(bureau_b):
    return member(UserFactory(username="ben", full_name="孙局长"), bureau_b, Membership.Role.BUREAU_LEADER)


@pytest.fixture
def dora(db):
    user = UserFactory(username="dora", full_name="罗冲")
    return DeputyFactory(name="罗冲", user=user)


@pytest.fixture
def carl(db):
    user = UserFactory(username="carl", full_name="潘省办")
    return DeputyFactory(name="潘省办", user=user)


@pytest.fixture
def otto(db):
    user = UserFactory(username="otto", full_name="岑国建")
    return DeputyFactory(name="岑国建", user=user)


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger", full_name="路人")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", full_name="管理员", is_staff=True, is_superuser=True)


@pytest.fixture
def proposal(db, dora, carl, congress_office, government_office):
    proposal = ProposalFactory(lead_deputy=dora, number=110, title="关于推动中小民营制造业全员要素升级，实现高质量发展的建议")
    proposal.co_signers.add(carl)
    return proposal


@pytest.fixture
def everyone(cora, sam, alice, lily, bob, ben, dora, carl, otto, stranger, admin_user):
    """All named people, by name (deputies as their user accounts)."""
    return {
        "cora": cora, "sam": sam, "alice": alice, "lily": lily, "bob": bob, "ben": ben,
        "dora": dora.user, "carl": carl.user, "otto": otto.user, "stranger": stranger,
        "admin": admin_user,
    }


# --- a real Celery worker ----------------------------------------------------------------------


class Worker:
    """A `celery -A config worker` process against the local Redis and the test database."""

    def __init__(self, database_name, log_path):
        self.database_name = database_name
        self.log_path = log_path
        self.process = None

    def start(self, concurrency=1):
        import subprocess
        import sys
        import time

        from django.conf import settings as django_settings

        env = dict(os.environ)
        url = urlparse(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = url._replace(path="/" + self.database_name).geturl()
        env["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
        env["DJANGO_MEDIA_ROOT"] = str(django_settings.MEDIA_ROOT)
        self.log = open(self.log_path, "ab")
        start = self.log.tell()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO",
             f"--concurrency={concurrency}", "--pool=prefork", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-n", f"test{os.getpid()}@%h"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as handle:
                handle.seek(start)
                if b" ready." in handle.read():
                    return self
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited: see {self.log_path}")
            time.sleep(0.2)
        raise RuntimeError(f"celery worker did not start: see {self.log_path}")

    def kill(self):
        """SIGKILL the whole process group, as a crashed machine would."""
        import signal

        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self):
        import signal

        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except Exception:
                self.kill()
        self.log.close()


@pytest.fixture
def celery_worker_factory(transactional_db, tmp_path, request):
    """Start real workers for this test; tasks the test queues are rendered by them."""
    if not request.config._jianyi_redis:
        pytest.skip("Redis is not reachable")
    import redis
    from django.db import connection

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()  # no tasks left from earlier runs
    workers = []

    def start(concurrency=1):
        worker = Worker(connection.settings_dict["NAME"], tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker.start(concurrency)

    yield start
    for worker in workers:
        worker.stop()


def wait_for(predicate, timeout=60, interval=0.1):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="module")
def letters_rendered_once():
    """Render each distinct letter once per test module, however many cases sign it again.

    A signed letter is a pure function of its LetterData (a frozen, hashable record), so a case
    that signs the same reply in a fresh database gets the very bytes the first case rendered.
    """
    from replies import pdf

    rendered = {}
    real = pdf.render_letter_pdf

    def render_once(letter, **options):
        key = (letter, tuple(sorted(options.items())))
        if key not in rendered:
            rendered[key] = real(letter, **options)
        return rendered[key]

    with mock.patch.object(pdf, "render_letter_pdf", render_once):
        yield rendered


@pytest.fixture
def eager_tasks():
    """Tasks this test queues run in-process, as they do without REDIS_URL (`make run`)."""
    from config.celery import app as celery_app

    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts and ends in the default language: a request in English (the language
    cookie) leaves English active in the thread, which would leak into the next test."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)
