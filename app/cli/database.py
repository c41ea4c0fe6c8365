"""`geoevents migrate`, `seed` and `synthetic`: set up and fill the command's database."""

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from alembic import command
from alembic.config import Config
from rich.markup import escape
from sqlalchemy import Connection

import migrations
from app.cli.context import database_url, engine_for, open_session
from app.cli.output import err, progress_bar, summary
from seed import synthetic
from seed.loader import load_article


def migrate(ctx: typer.Context) -> None:
    """Bring the database schema up to date (alembic upgrade head)."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", database_url(ctx).replace("%", "%%"))
    command.upgrade(config, "head")
    err.print("migrate: the schema is at head")


def seed(ctx: typer.Context) -> None:
    """Load the seed article's records; a second run changes nothing."""
    with open_session(ctx) as session:
        created = load_article(session)
    if not sum(created.values()):
        err.print("seed: already loaded, nothing changed")
        return
    summary("seed", created.items(), headers=("record", "created"))


class _BarProgress(synthetic.Progress):
    """The generator's progress drawn as a bar of events."""

    def __init__(self, total_events: int, quiet: bool) -> None:
        super().__init__(total_events, quiet=True)
        self.bar = progress_bar("events", quiet=quiet)
        self.task = self.bar.add_task("synthetic", total=total_events)

    def insert(self, conn: Connection, rows: dict[str, list[dict[str, object]]]) -> None:
        """Insert a batch and move the bar on by its events."""
        super().insert(conn, rows)
        self.bar.update(self.task, completed=self.counts["event"])


def run_synthetic(
    ctx: typer.Context,
    events: Annotated[int, typer.Option(min=1, help="Events to generate.")],
    participants: Annotated[
        int | None, typer.Option(min=1, help="Participants (default: events / 20, at least 100).")
    ] = None,
    claims_per_event: Annotated[float, typer.Option(min=0, help="Claims per event.")] = 0.5,
    seed_value: Annotated[int, typer.Option("--seed", help="Random seed.")] = 42,
    batch: Annotated[int, typer.Option(min=1, help="Events per transaction.")] = 5000,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Fill a migrated, synthetic-free database with deterministic synthetic records."""
    options = synthetic.Options(
        events=events,
        participants=participants or max(100, events // 20),
        claims_per_event=claims_per_event,
        seed=seed_value,
        batch=batch,
    )
    progress = _BarProgress(events, quiet)
    with engine_for(ctx) as engine, progress.bar:
        try:
            counts: Counter[str] = synthetic.generate(engine, options, progress=progress)
        except synthetic.NotReady as exc:
            err.print(f"[red]synthetic: {escape(str(exc))}[/red]")
            raise typer.Exit(1) from None
    summary("synthetic", counts.items(), headers=("table", "rows inserted"))
