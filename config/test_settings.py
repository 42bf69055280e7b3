"""Settings for the test suite: always PostgreSQL and Redis, as in production.

DATABASE_URL and REDIS_URL default to the local servers; `make test` and .ci/run use these.
Two runs on one machine stay apart when each sets its own JIANYI_TEST_DATABASE (the test
database's name), REDIS_URL (another Redis database number) and DJANGO_MEDIA_ROOT.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jianyi")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DJANGO_MEDIA_ROOT", "/tmp/jianyi-test-media")

from .env import env_str  # noqa: E402
from .settings import *  # noqa: E402,F403

DATABASES["default"]["TEST"] = {"NAME": env_str("JIANYI_TEST_DATABASE", "test_jianyi")}  # noqa: F405

# Tasks go to Redis (database 15); only tests that start a real worker see them run.
# A test that wants a task run in-process says so (the `eager_tasks` fixture).
CELERY_TASK_ALWAYS_EAGER = False
PDF_LEASE_SECONDS = 5
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests write with factories, which write no timeline events: a list counts on every view, except
# in the tests of the stored counts (tests/proposals/test_list_counts.py).
LIST_COUNTS_SECONDS = 0

# Limits are counted per test database, so two runs sharing a Redis never see each other's counts.
LIMITS_KEY_PREFIX = f"test-{DATABASES['default']['TEST']['NAME']}-{os.getpid()}"  # noqa: F405
