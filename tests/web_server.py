"""A real gunicorn serving the app against the test database, for tests of what only a real
server shows (persistent database connections, several processes)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlparse


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebServer:
    def __init__(self, database_name, log_path, **env):
        self.database_name, self.log_path, self.extra_env = database_name, log_path, env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self, workers=1):
        from django.conf import settings

        env = dict(os.environ)
        url = urlparse(os.environ["DATABASE_URL"])
        env.update(
            DATABASE_URL=url._replace(path="/" + self.database_name).geturl(),
            DJANGO_SETTINGS_MODULE="config.test_settings",
            DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
            **self.extra_env,
        )
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--timeout", "60"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log_path}")
            try:
                urllib.request.urlopen(self.url + "/accounts/login/", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start: see {self.log_path}")

    def get(self, path):
        """(status, body) of a GET, errors included."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stop(self):
        import signal

        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()
