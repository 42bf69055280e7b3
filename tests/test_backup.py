"""make backup / make restore: a dated archive of the database and the media folder, restored
into a new database, gives back the same records and files."""

import os
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from django.db import connection

from proposals.models import Proposal
from replies.models import Reply
from tests.workflow_helpers import to_signed

ROOT = Path(__file__).resolve().parents[1]


def _server_url(name: str) -> str:
    url = urlparse(os.environ["DATABASE_URL"])
    return url._replace(path=f"/{name}").geturl()


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_into_a_new_database(tmp_path, media_root, proposal, cora, alice, lily, bureau_a):
    to_signed(proposal, cora, alice, lily, bureau_a)
    (media_root / "letters").mkdir(parents=True)
    (media_root / "letters" / "reply-1.pdf").write_bytes(b"%PDF-1.4 signed")
    source = _server_url(connection.settings_dict["NAME"])
    env = {**os.environ, "DATABASE_URL": source, "DJANGO_MEDIA_ROOT": str(media_root)}
    made = subprocess.run(["scripts/backup.sh", "backup", str(tmp_path / "backups")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    archive = Path(made.stdout.strip().splitlines()[-1])
    assert archive.name.startswith("jianyi-backup-") and archive.exists()

    target_name = f"{connection.settings_dict['NAME']}_restore"
    admin = _server_url("postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{target_name}"')
        conn.execute(f'create database "{target_name}"')
    try:
        restored_media = tmp_path / "restored-media"
        env = {**os.environ, "DATABASE_URL": _server_url(target_name), "DJANGO_MEDIA_ROOT": str(restored_media)}
        done = subprocess.run(["scripts/backup.sh", "restore", str(archive)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        target = _server_url(target_name).replace("postgres://", "postgresql://", 1)
        with psycopg.connect(target) as conn:
            proposals = conn.execute("select number, title from proposals_proposal order by id").fetchall()
            numbers = conn.execute("select document_number from replies_reply where signed_at is not null").fetchall()
        assert proposals == list(Proposal.objects.order_by("id").values_list("number", "title"))
        assert numbers == list(Reply.objects.signed().values_list("document_number"))
        assert (restored_media / "letters" / "reply-1.pdf").read_bytes() == b"%PDF-1.4 signed"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{target_name}" with (force)')


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    env = {**os.environ, "DATABASE_URL": "sqlite:///x.sqlite3"}
    done = subprocess.run(["scripts/backup.sh", "backup", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "PostgreSQL" in done.stderr
