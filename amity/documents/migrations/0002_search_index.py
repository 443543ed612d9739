"""The full-text index of `Document.search_text` (amity/documents/search.py): a GIN index on PostgreSQL, an FTS5
table on SQLite."""

from typing import Any

from django.db import migrations

from amity.documents.search import create_index_sql, drop_index_sql


def create(apps: Any, schema_editor: Any) -> None:
    for statement in create_index_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop(apps: Any, schema_editor: Any) -> None:
    for statement in drop_index_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
