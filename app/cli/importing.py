"""`geoevents import`: NDJSON import lines or GDELT 2.0 event files into the database."""

import enum
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.markup import escape

from app.cli.context import open_session
from app.cli.inputs import STDIN, line_total, open_input
from app.cli.output import err, progress_bar, summary
from app.importers.gdelt_files import GdeltFormatError, check_file, text_lines
from app.schemas.imports import ImportSummary, LineResult
from app.services.gdelt_import import GdeltTally, gdelt_records
from app.services.imports import ImportOptions, ImportRecord, import_records, parse_ndjson

SHOWN_ERRORS = 20


class Format(enum.StrEnum):
    """Input formats."""

    ndjson = "ndjson"
    gdelt = "gdelt"


class OnConflict(enum.StrEnum):
    """What a line naming an existing, different record does."""

    skip = "skip"
    update = "update"
    error = "error"


def import_files(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files to import (`-` or none: stdin); .zip is read too."),
    ] = None,
    input_format: Annotated[
        Format, typer.Option("--format", help="ndjson (import lines) or gdelt (GDELT 2.0).")
    ] = Format.ndjson,
    on_conflict: Annotated[
        OnConflict, typer.Option(help="An existing record that differs: skip, update or error.")
    ] = OnConflict.skip,
    dry_run: Annotated[bool, typer.Option(help="Validate and report only.")] = False,
    atomic: Annotated[bool, typer.Option(help="One transaction per file: all or nothing.")] = False,
    results: Annotated[
        Path | None, typer.Option(help="Write every line's result to this file, as NDJSON.")
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Import records; exits 1 when any line failed (each is reported with its line)."""
    options = ImportOptions(on_conflict=str(on_conflict), dry_run=dry_run, atomic=atomic)
    failed = 0
    with results.open("w", encoding="utf-8") if results else nullcontext() as sink:
        for path in paths or [STDIN]:
            failed += _import_one(ctx, path, input_format, options, sink, quiet)
    if failed:
        raise typer.Exit(1)


def _import_one(
    ctx: typer.Context,
    path: Path,
    input_format: Format,
    options: ImportOptions,
    sink: IO[str] | None,
    quiet: bool,
) -> int:
    """Import one file with a progress bar and a summary; the number of failed lines."""
    if path != STDIN and not path.is_file():
        err.print(f"[red]{escape(str(path))}: no such file[/red]")
        return 1
    name = "stdin" if path == STDIN else path.name
    tally, totals, shown = GdeltTally(), ImportSummary(), 0
    with open_input(path) as stream, progress_bar("lines", quiet=quiet) as bar:
        if input_format is Format.gdelt and not _is_gdelt(name, stream):
            return 1
        task = bar.add_task(name, total=line_total(path))
        records = _records(stream, input_format, tally)
        for result in import_records(lambda: open_session(ctx), records, options, totals):
            tally.count(result)
            bar.update(task, completed=result.line)
            if sink is not None:
                sink.write(result.model_dump_json(exclude_none=True) + "\n")
            if result.status == "error" and shown < SHOWN_ERRORS:
                shown += 1
                bar.console.print(_error_text(name, result), highlight=False)
    if totals.error > shown:
        err.print(f"{name}: … and {totals.error - shown:,} more failed lines (see --results)")
    _summarise(name, input_format, totals, tally)
    return totals.error


def _is_gdelt(name: str, stream: IO[bytes]) -> bool:
    try:
        check_file(stream)
    except (GdeltFormatError, zipfile.BadZipFile) as exc:
        err.print(f"[red]{escape(name)}: {escape(str(exc))}[/red]")
        return False
    return True


def _records(stream: IO[bytes], input_format: Format, tally: GdeltTally) -> Iterator[ImportRecord]:
    if input_format is Format.gdelt:
        return gdelt_records(text_lines(stream), tally)
    return parse_ndjson(stream)


def _error_text(name: str, result: LineResult) -> str:
    detail = result.problem.detail if result.problem else "failed"
    return f"[red]{escape(name)}:{result.line}[/red] {escape(detail)}"


def _summarise(name: str, input_format: Format, totals: ImportSummary, tally: GdeltTally) -> None:
    """The summary table: lines by status, and for GDELT rows, reasons and what was created."""
    title = f"{name}: " + ("written" if totals.committed else "nothing written")
    if input_format is Format.ndjson:
        by_status: Counter[str] = Counter()
        for (kind, status), count in sorted(tally.records.items()):
            by_status[f"{kind} {status}"] += count
        summary(title, by_status.items(), headers=("lines", "count"))
        return
    rows: list[tuple[str, object]] = [(f"rows {s}", n) for s, n in sorted(tally.rows.items())]
    rows += [(f"rows reported: {why}", n) for why, n in sorted(tally.reported.items())]
    rows += [(f"{kind}s created", tally.created(kind)) for kind in ("participant", "source")]
    if tally.rows.total() and not tally.rows["imported"]:
        rows.append(("note", "already imported: nothing new"))
    summary(title, rows, headers=("GDELT", "count"))
