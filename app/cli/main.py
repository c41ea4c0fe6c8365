"""`geoevents`: import, export, keys, seed, synthetic and migrate on the configured database."""

from typing import Annotated

import typer

from app.cli import database, exporting, importing, keys
from app.cli.context import CliState

app = typer.Typer(
    name="geoevents",
    help="Work with a geoevents database: import, export, API keys, seed and synthetic data.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)
app.command("import")(importing.import_files)
app.command("export")(exporting.export)
app.add_typer(keys.app, name="keys")
app.command("migrate")(database.migrate)
app.command("seed")(database.seed)
app.command("synthetic")(database.run_synthetic)


@app.callback()
def root(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="SQLAlchemy URL of the database (default: the configured DATABASE_URL).",
        ),
    ] = None,
) -> None:
    """Options every command shares."""
    found = ctx.ensure_object(CliState)
    if database_url is not None and found.session is None:
        found.database_url = database_url


def main() -> None:
    """Entry point of the console script."""
    app()
