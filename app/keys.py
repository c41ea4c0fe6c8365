"""`python -m app.keys create|list|revoke`: the same command as `geoevents keys`."""

import sys
from collections.abc import Sequence

from sqlmodel import Session
from typer.main import get_command

from app.cli.context import CliState
from app.cli.main import app

PROG = "python -m app.keys"


def main(argv: Sequence[str] | None = None, session: Session | None = None) -> int:
    """Run `geoevents keys ARGV` (on `session` when given, as tests do); its exit status."""
    # The group as `geoevents` holds it: without the options only a root command has.
    command = get_command(app).commands["keys"]  # type: ignore[attr-defined]
    args = _scopes_spelt_once(list(sys.argv[1:] if argv is None else argv))
    try:
        command.main(args=args, prog_name=PROG, obj=CliState(session=session))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def _scopes_spelt_once(args: list[str]) -> list[str]:
    """`create --scopes a b` as this command once took it: `--scope a --scope b`."""
    if "--scopes" not in args:
        return args
    at = args.index("--scopes")
    scopes: list[str] = []
    end = at + 1
    while end < len(args) and not args[end].startswith("-"):
        scopes += ["--scope", args[end]]
        end += 1
    return [*args[:at], *scopes, *args[end:]]


if __name__ == "__main__":
    sys.exit(main())
