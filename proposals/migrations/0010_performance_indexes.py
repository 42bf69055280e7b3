"""Indexes for a large congress: the list's filters counted by session ((id, session) for every
"id IN (…)" filter, category, key supervision), open assignments by due date (the home page's
panels), and on PostgreSQL trigram indexes (pg_trgm) on the searched texts of proposals, on the
expressions the keyword search's ``icontains`` compiles to (``UPPER(col::text) LIKE …``).
SQLite has no pg_trgm: there the trigram step does nothing."""

from django.db import migrations, models

TRIGRAM_COLUMNS = ["title", "reasons", "suggestions"]


def trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS proposal_{column}_trgm ON proposals_proposal "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS proposal_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("proposals", "0009_rule_units")]

    operations = [
        migrations.AddIndex(
            model_name="proposal",
            index=models.Index(fields=["id", "session"], name="proposal_id_session"),
        ),
        migrations.AddIndex(
            model_name="proposal",
            index=models.Index(fields=["category", "session"], name="proposal_category_session"),
        ),
        migrations.AddIndex(
            model_name="proposal",
            index=models.Index(
                condition=models.Q(("key_supervised", True)),
                fields=["session"],
                name="proposal_key_supervised",
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(
                    ("state__in", ["assigned", "drafting", "in_review", "reassignment_requested"])
                ),
                fields=["due_on", "id"],
                name="assignment_open_by_due_on",
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(("extension_until__isnull", False)),
                fields=["due_on", "id"],
                name="assignment_extension_by_due",
            ),
        ),
        migrations.RunPython(trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
