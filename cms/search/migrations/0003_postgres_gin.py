"""PostgreSQL only: a GIN index on SearchEntry.tokens (a tsvector there).

The column is a tsvector written in tsvector's own input syntax, so the index
holds exactly the backend's tokens; no text-search configuration is involved.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX tsunagu_search_entry_tokens_gin ON tsunagu_search_entry "
    "USING gin (tokens)"
)
DROP = "DROP INDEX IF EXISTS tsunagu_search_entry_tokens_gin"


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("tsunagu_search", "0002_sqlite_fts")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
