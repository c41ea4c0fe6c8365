"""`geoevents keys create|list|revoke`: API keys on the command's database."""

import uuid
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.context import open_session
from app.cli.output import err, out
from app.errors import NotFound
from app.schemas.common import ShapeQuery
from app.schemas.keys import KeyCreate, KeyScope, KeyVia
from app.services import keys

app = typer.Typer(help="Issue, list and revoke API keys.", no_args_is_help=True)


@app.command()
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="Who or what uses the key.")],
    scope: Annotated[
        list[KeyScope], typer.Option(help="A scope (repeat for several); admin implies write.")
    ],
) -> None:
    """Issue a key and print it on stdout: it is shown once, only its hash is stored."""
    with open_session(ctx) as session:
        created = keys.create_key(session, KeyCreate(name=name, scopes=scope), via=KeyVia.cli)
    out.print(created.key, highlight=False)
    err.print(f"id {created.id}; shown once, only its hash is stored")


@app.command("list")
def list_keys(ctx: typer.Context) -> None:
    """List every key: id, prefix, scopes, state and name."""
    table = Table()
    table.add_column("prefix", no_wrap=True)
    table.add_column("scopes", overflow="fold")
    table.add_column("state", no_wrap=True)
    table.add_column("name", overflow="fold")
    table.add_column("id", no_wrap=True, min_width=36)
    cursor: str | None = None
    with open_session(ctx) as session:
        while True:
            page, cursor, _ = keys.list_keys(session, ShapeQuery(limit=500, cursor=cursor))
            for key in page:
                revoked = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                scopes = ",".join(key.scopes)
                table.add_row(f"{key.prefix}…", scopes, revoked, key.name, str(key.id))
            if cursor is None:
                break
    out.print(table)


@app.command()
def revoke(
    ctx: typer.Context, key_id: Annotated[uuid.UUID, typer.Argument(help="The key's id.")]
) -> None:
    """Stop a key working."""
    with open_session(ctx) as session:
        try:
            keys.revoke_key(session, key_id, via=KeyVia.cli)
        except NotFound as exc:
            err.print(f"[red]{escape(exc.detail)}[/red]")
            raise typer.Exit(1) from None
    err.print(f"revoked {key_id}")
