"""Input files of `geoevents import`: paths or stdin, plain or zipped, with their line counts
for the progress bar."""

import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

_CHUNK = 1 << 20
STDIN = Path("-")


def count_lines(stream: IO[bytes]) -> int:
    """Lines in a binary stream (a last line without a newline counts), read in chunks."""
    lines, last = 0, b"\n"
    while chunk := stream.read(_CHUNK):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    return lines + (last != b"\n")


def line_total(path: Path) -> int | None:
    """Lines in a file or in a zip's first member; None for stdin."""
    if path == STDIN:
        return None
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            if not names:
                return 0
            with archive.open(names[0]) as member:
                return count_lines(member)
    with path.open("rb") as stream:
        return count_lines(stream)


@contextmanager
def open_input(path: Path) -> Iterator[IO[bytes]]:
    """A seekable binary stream of a file, or of stdin copied to a temporary file (a zip
    cannot be read from a pipe)."""
    if path != STDIN:
        with path.open("rb") as stream:
            yield stream
        return
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(sys.stdin.buffer, spool, _CHUNK)
        spool.seek(0)
        yield spool
