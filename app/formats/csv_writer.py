"""CSV (RFC 4180): a header row, then one row per record, flat columns, CRLF line ends.

Lists are joined with `|`. A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
return is prefixed with `'` (OWASP's advice against CSV injection), so that a spreadsheet shows
it as text instead of running it as a formula; numbers are written as they are.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from app.formats.columns import COLUMNS, Column, Value
from app.formats.registry import ExportContext, Writer, register

LIST_SEPARATOR = "|"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Value) -> str | int | float:
    """A value as a CSV cell, guarded against formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def rows(records: Iterable[Any], columns: list[Column]) -> Iterator[str]:
    """The header row, then a row per record, each as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, _ in columns])
    yield _take(buffer)
    for record in records:
        writer.writerow([cell(read(record)) for _, read in columns])
        yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _render(records: Iterable[Any], context: ExportContext) -> Iterator[str]:
    return rows(records, COLUMNS[context.kind])


CSV = register(
    Writer(
        name="csv",
        media_type="text/csv",
        extension="csv",
        renders=dict.fromkeys(COLUMNS, _render),
        parameters="; charset=utf-8; header=present",
        description="RFC 4180 CSV with a header row; lists joined with `|`; text cells that "
        "start with = + - @ prefixed with `'`.",
    )
)
