"""Command line for API keys: `python -m app.keys create|list|revoke` on the configured database."""

import argparse
import sys
import uuid
from collections.abc import Sequence

from sqlmodel import Session

from app.db import get_engine
from app.errors import NotFound
from app.schemas.common import ShapeQuery
from app.schemas.keys import KeyCreate, KeyScope, KeyVia
from app.services import keys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.keys", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="issue a key and print it (shown only once)")
    create.add_argument("--name", required=True, help="who or what uses the key")
    create.add_argument(
        "--scopes",
        nargs="+",
        required=True,
        choices=[str(s) for s in KeyScope],
        help="admin implies write, write implies read",
    )
    commands.add_parser("list", help="list keys: id, prefix, scopes, name, revoked")
    revoke = commands.add_parser("revoke", help="stop a key working")
    revoke.add_argument("id", type=uuid.UUID, help="the key's id (see list)")
    return parser


def _list(session: Session) -> None:
    cursor: str | None = None
    while True:
        page, cursor, _ = keys.list_keys(session, ShapeQuery(limit=500, cursor=cursor))
        for key in page:
            revoked = f"revoked {key.revoked_at.isoformat()}" if key.revoked_at else "active"
            scopes = ",".join(key.scopes)
            print(f"{key.id}  {key.prefix}...  {scopes:<16}  {revoked:<8}  {key.name}")
        if cursor is None:
            return


def main(argv: Sequence[str] | None = None, session: Session | None = None) -> int:
    """Run one command on `session` (by default, one on the configured database)."""
    args = _parser().parse_args(argv)
    if session is None:
        with Session(get_engine(), expire_on_commit=False) as own:
            return _run(own, args)
    return _run(session, args)


def _run(session: Session, args: argparse.Namespace) -> int:
    if args.command == "create":
        created = keys.create_key(
            session, KeyCreate(name=args.name, scopes=args.scopes), via=KeyVia.cli
        )
        print(created.key)
        print(f"id {created.id}; shown once, only its hash is stored", file=sys.stderr)
    elif args.command == "list":
        _list(session)
    else:
        try:
            keys.revoke_key(session, args.id, via=KeyVia.cli)
        except NotFound as exc:
            print(exc.detail, file=sys.stderr)
            return 1
        print(f"revoked {args.id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
