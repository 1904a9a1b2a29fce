"""SQLite only: an FTS5 index over SearchEntry.tokens, kept in sync by triggers.

External content (the tokens are stored once, in the entry table). The tokens
are plain ASCII words, so the ascii tokenizer is enough; ``detail=none`` and
``columnsize=0`` leave out positions and lengths, which prefix and AND/OR
queries do not need, and keep the index small.
"""

from django.db import migrations

STATEMENTS = [
    """
    CREATE VIRTUAL TABLE tsunagu_search_entry_fts USING fts5(
        tokens,
        content='tsunagu_search_entry',
        content_rowid='id',
        tokenize='ascii',
        detail=none,
        columnsize=0
    )
    """,
    """
    CREATE TRIGGER tsunagu_search_entry_fts_insert
    AFTER INSERT ON tsunagu_search_entry BEGIN
        INSERT INTO tsunagu_search_entry_fts(rowid, tokens)
        VALUES (new.id, new.tokens);
    END
    """,
    # An external-content FTS5 table must be told the old values to forget them.
    """
    CREATE TRIGGER tsunagu_search_entry_fts_delete
    AFTER DELETE ON tsunagu_search_entry BEGIN
        INSERT INTO tsunagu_search_entry_fts(tsunagu_search_entry_fts, rowid, tokens)
        VALUES ('delete', old.id, old.tokens);
    END
    """,
    """
    CREATE TRIGGER tsunagu_search_entry_fts_update
    AFTER UPDATE OF tokens ON tsunagu_search_entry BEGIN
        INSERT INTO tsunagu_search_entry_fts(tsunagu_search_entry_fts, rowid, tokens)
        VALUES ('delete', old.id, old.tokens);
        INSERT INTO tsunagu_search_entry_fts(rowid, tokens)
        VALUES (new.id, new.tokens);
    END
    """,
    "INSERT INTO tsunagu_search_entry_fts(tsunagu_search_entry_fts) VALUES ('rebuild')",
]

REVERSE_STATEMENTS = [
    "DROP TRIGGER IF EXISTS tsunagu_search_entry_fts_update",
    "DROP TRIGGER IF EXISTS tsunagu_search_entry_fts_delete",
    "DROP TRIGGER IF EXISTS tsunagu_search_entry_fts_insert",
    "DROP TABLE IF EXISTS tsunagu_search_entry_fts",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("tsunagu_search", "0001_initial")]

    operations = [
        migrations.RunPython(_run(STATEMENTS), _run(REVERSE_STATEMENTS)),
    ]
