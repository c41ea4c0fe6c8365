"""NDJSON in the import format: one record a line, what `POST /import` reads back."""

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from app.formats.registry import KINDS, ExportContext, Writer, register
from app.services import dump

# Records whose lines are read together: their links come in a few statements per batch.
_BATCH = 500


def render(records: Iterable[Any], context: ExportContext) -> Iterator[str]:
    """Each record as its import line, read with its links and references as ids."""
    assert context.sessions is not None, "the import format reads records from the database"
    iterator = iter(records)
    while batch := list(itertools.islice(iterator, _BATCH)):
        with context.sessions() as session:
            lines = dump.load_records(session, context.kind, [record.id for record in batch])
            session.rollback()
        for line in lines:
            yield dump.encode(line).decode()


NDJSON = register(
    Writer(
        name="ndjson",
        media_type="application/x-ndjson",
        extension="ndjson",
        renders=dict.fromkeys(KINDS, render),
        description="One record a line in the import format (`POST /import` reads it back): "
        "references as ids, an event with its participants, identifiers and cited sources.",
    )
)
