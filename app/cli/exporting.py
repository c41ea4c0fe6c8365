"""`geoevents export`: the whole database as NDJSON import lines on stdout."""

import sys
from collections import Counter
from typing import Annotated

import orjson
import typer

from app.cli.context import open_session
from app.cli.output import progress_bar, summary
from app.services.dump import dump_records


def export(
    ctx: typer.Context,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Write every record to stdout in import format (`geoevents import` reads it back)."""
    out = sys.stdout.buffer
    counts: Counter[str] = Counter()
    with open_session(ctx) as session, progress_bar("records", quiet=quiet) as bar:
        task = bar.add_task("export", total=None)
        for line in dump_records(session):
            out.write(line)
            counts[str(orjson.loads(line).get("type"))] += 1
            bar.advance(task)
    out.flush()
    summary("export", counts.items(), headers=("record", "written"))
