"""Terminal output shared by the commands: progress bars and summary tables, on stderr so that
stdout carries only data (a key, an export)."""

from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


class RateColumn(ProgressColumn):
    """Items per second, e.g. `5,120 rows/s`."""

    def __init__(self, unit: str = "rows") -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        """The task's current speed."""
        speed = task.finished_speed or task.speed
        shown = f"{speed:,.0f}" if speed is not None else "-"
        return Text(f"{shown} {self.unit}/s", style="progress.data.speed")


def progress_bar(unit: str = "rows", *, quiet: bool = False) -> Progress:
    """A progress bar with count, rate and time left, drawn on stderr."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(unit),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        disable=quiet,
        transient=False,
    )


def summary(title: str, rows: Iterable[tuple[str, object]], *, headers: tuple[str, str]) -> None:
    """A two-column table on stderr: what was done, and how many."""
    table = Table(title=title, title_justify="left")
    table.add_column(headers[0])
    table.add_column(headers[1], justify="right")
    for label, value in rows:
        table.add_row(escape(label), f"{value:,}" if isinstance(value, int) else escape(str(value)))
    err.print(table)
