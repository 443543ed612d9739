"""Full-text search of the document register: number, title, summary, issuing body, signer and the text of the
uploaded PDF and DOCX files.

Vietnamese typed with or without diacritics must find the same document ("quyết định" and "quyet dinh"), and a
number typed any way ("308/QĐ-UBND", "308 QD UBND"). Rather than rely on PostgreSQL's `unaccent` extension (which
needs a superuser to install and has no SQLite twin), the service keeps a **normalised column**,
`Document.search_text`: lower case, diacritics and Arabic vowel marks removed, đ → d, every other character a
space (`normalise`); a query is normalised the same way. Each backend indexes that column:

- PostgreSQL: a GIN index on `to_tsvector('simple', search_text)` (migration 0002); a query is the words ANDed,
  each as a prefix (`to_tsquery('simple', 'quyet:* & dinh:*')`);
- SQLite (the embedded default): an FTS5 table `documents_search(body)` whose rowid is the document's id, kept by
  `index_documents` in the same transaction as the write; a query is `"quyet"* "dinh"*`.

The words are letters and digits only after `normalise`, so neither query language sees an operator from a user.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

FTS_TABLE = "documents_search"
MAX_WORDS = 12  # a query longer than this is cut: a search box, not a document


def normalise(text: str) -> str:
    """`text` as it is indexed and searched: lower case, without diacritics or vowel marks, đ as d, one space
    between words of letters and digits."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    kept = [
        char if char.isalnum() else " " for char in decomposed if unicodedata.category(char) not in ("Mn", "Me", "Cf")
    ]
    return " ".join("".join(kept).split())


def words(query: str) -> list[str]:
    return normalise(query).split()[:MAX_WORDS]


def matching(query: str) -> Q | None:
    """A filter on documents for `query`, or None for a query with no word (no filter)."""
    found = words(query)
    if not found:
        return None
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in found)
        return Q(
            pk__in=RawSQL(
                "SELECT id FROM documents_document "
                "WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', %s)",
                [tsquery],
            )
        )
    if connection.vendor == "sqlite":
        fts_query = " ".join(f'"{word}"*' for word in found)
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts_query]))
    condition = Q()  # another database: every word somewhere in the normalised column, without an index
    for word in found:
        condition &= Q(search_text__contains=word)
    return condition


def index_documents(rows: Iterable[tuple[int, str]]) -> None:
    """Keep the SQLite index in step with `search_text` for these (id, normalised text) rows; PostgreSQL indexes
    the column itself."""
    if connection.vendor != "sqlite":
        return
    rows = list(rows)
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, _text in rows])
        cursor.executemany(f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (%s, %s)", rows)


def create_index_sql(vendor: str) -> list[str]:
    """The index of the backend (migration 0002)."""
    if vendor == "postgresql":
        return [
            "CREATE INDEX documents_search_gin ON documents_document USING gin (to_tsvector('simple', search_text))"
        ]
    if vendor == "sqlite":
        return [f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(body, tokenize='unicode61')"]
    return []


def drop_index_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return ["DROP INDEX IF EXISTS documents_search_gin"]
    if vendor == "sqlite":
        return [f"DROP TABLE IF EXISTS {FTS_TABLE}"]
    return []
