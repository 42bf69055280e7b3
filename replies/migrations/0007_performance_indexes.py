"""PostgreSQL indexes for replies at 100k: the public page's released replies (partial, in the
page's order, so its count and page read a small index), a covering index from assignment to
reply (the statistics' and the list's rating and re-handling filters join 100k replies without
reading their 130 MB of letters), and a trigram index on the reply text the keyword search reads.
Written as SQL: the released and trigram indexes are PostgreSQL's own; on SQLite this does nothing."""

from django.db import migrations

INDEXES = {
    "reply_released_order": (
        "ON replies_reply (released_at DESC, id DESC) "
        "WHERE disclosure = 'public' AND released_at IS NOT NULL AND sent_at IS NOT NULL"
    ),
    "reply_assignment_cover": "ON replies_reply (assignment_id) INCLUDE (id, rehandling)",
    "reply_body_trgm": "ON replies_reply USING gin ((UPPER(body)) gin_trgm_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("replies", "0006_export_leases")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
