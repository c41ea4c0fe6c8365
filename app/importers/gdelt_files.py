"""GDELT 2.0 event files as rows: the canonical export and the header CSV variant, zipped or not.

The canonical export (`YYYYMMDDHHMMSS.export.CSV`) is tab-separated, unquoted, without a header,
61 columns. The header variant is comma-separated with quoting and one added column,
`CAMEOCodeDescription`, after `EventCode`. Rows are read one at a time: memory stays flat.
"""

import csv
import itertools
import zipfile
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from app.errors import BadRequest

COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code",
    "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code",
    "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code", "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code", "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)  # fmt: skip
DESCRIPTION_COLUMN = "CAMEOCodeDescription"
HEADER_COLUMNS: tuple[str, ...] = (
    *COLUMNS[: COLUMNS.index("EventCode") + 1],
    DESCRIPTION_COLUMN,
    *COLUMNS[COLUMNS.index("EventCode") + 1 :],
)
_ZIP_MAGIC = b"PK\x03\x04"


class GdeltFormatError(BadRequest):
    """The file is not a GDELT 2.0 events file in either layout (a 400 `bad-request`)."""


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its first line number in the file and its 61 canonical fields, or the
    number of fields it had when that is wrong."""

    line: int
    fields: list[str]
    expected: int


def read_rows(lines: Iterable[str]) -> Iterator[Row]:
    """The data rows of a GDELT events file in either layout, blank lines skipped."""
    it = iter(lines)
    first = next(it, None)
    if first is None:
        return
    if first.startswith("GLOBALEVENTID"):
        yield from _header_rows(first, it)
    else:
        yield from _export_rows(first, it)


def _export_rows(first: str, rest: Iterator[str]) -> Iterator[Row]:
    # Unquoted: a double quote is data (URLs have them), so no csv module here.
    for number, text in enumerate(itertools.chain([first], rest), start=1):
        if text.strip():
            yield Row(number, text.rstrip("\r\n").split("\t"), len(COLUMNS))


def _header_rows(first: str, rest: Iterator[str]) -> Iterator[Row]:
    header = next(csv.reader([first]))
    if tuple(name.strip() for name in header) != HEADER_COLUMNS:
        raise GdeltFormatError(
            f"line 1 is a header but not GDELT 2.0's {len(HEADER_COLUMNS)} columns "
            f"with {DESCRIPTION_COLUMN} after EventCode"
        )
    skip = HEADER_COLUMNS.index(DESCRIPTION_COLUMN)
    reader = csv.reader(rest)
    end = 1
    for fields in reader:
        start, end = end + 1, reader.line_num + 1
        if not any(field.strip() for field in fields):
            continue
        if len(fields) == len(HEADER_COLUMNS):
            yield Row(start, fields[:skip] + fields[skip + 1 :], len(COLUMNS))
        else:
            yield Row(start, fields, len(HEADER_COLUMNS))


def check_file(stream: IO[bytes]) -> None:
    """Refuse, before reading on, a file that is neither GDELT layout; rewind it."""
    lines = text_lines(stream)
    try:
        first = next((line for line in lines if line.strip()), "")
        if first.startswith("GLOBALEVENTID"):
            next(read_rows([first]), None)  # checks the header
        elif first and "\t" not in first:
            raise GdeltFormatError(
                "line 1 has no tab: not a GDELT 2.0 export (tab-separated) nor its header CSV"
            )
    finally:
        lines.close()
        stream.seek(0)


def text_lines(stream: IO[bytes]) -> Generator[str]:
    """The text lines of a plain or zipped file (the zip's first member), read as UTF-8."""
    head = stream.read(4)
    stream.seek(0)
    if head == _ZIP_MAGIC:
        with zipfile.ZipFile(stream) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            if not names:
                raise GdeltFormatError("the zip file holds no file")
            with archive.open(names[0]) as member:
                yield from _decoded(member)
        return
    yield from _decoded(stream)


def _decoded(stream: IO[bytes]) -> Iterator[str]:
    # GDELT is UTF-8; a stray invalid byte becomes U+FFFD rather than failing the whole file.
    for line in stream:
        yield line.decode("utf-8", errors="replace")


@contextmanager
def open_path(path: Path) -> Iterator[Iterator[str]]:
    """The text lines of a GDELT file on disk, plain or zipped."""
    with path.open("rb") as stream:
        lines = text_lines(stream)
        try:
            yield lines
        finally:
            lines.close()  # finish the generator while the file is still open
