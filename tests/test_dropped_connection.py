"""A real gunicorn with persistent database connections (CONN_MAX_AGE) survives PostgreSQL
dropping them, as a database restart does: the next request opens a new connection and works,
without restarting the app."""

import pytest
from django.db import connection

from tests.web_server import WebServer

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]

APP = "jianyi-dropped-test"


def _web_backends():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APP])
        return {pid for (pid,) in cursor.fetchall()}


def _drop_web_backends():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [APP])


def test_requests_work_after_the_database_drops_every_connection(tmp_path, proposal):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    server = WebServer(
        connection.settings_dict["NAME"], tmp_path / "gunicorn.log", DATABASE_CONN_MAX_AGE="600", PGAPPNAME=APP
    ).start()
    try:
        status, _ = server.get("/public/")
        assert status == 200
        (first,) = _web_backends()  # one persistent connection, kept between requests
        status, _ = server.get("/public/")
        assert status == 200 and _web_backends() == {first}

        _drop_web_backends()  # what a PostgreSQL restart does to every open connection
        status, html = server.get("/public/")
        assert status == 200, html[:500]
        (second,) = _web_backends()
        assert second != first
        status, _ = server.get("/public/")
        assert status == 200
    finally:
        server.stop()
