"""Running the `geoevents` command in-process on the test's session."""

from collections.abc import Callable

import pytest
from sqlmodel import Session
from typer.testing import CliRunner, Result

from app.cli.context import CliState
from app.cli.main import app

Run = Callable[..., Result]


@pytest.fixture
def run(session: Session) -> Run:
    """Run `geoevents ARGS...` on the test's session; stdout and stderr kept apart."""
    runner = CliRunner()

    def invoke(*args: str, stdin: str | bytes | None = None) -> Result:
        return runner.invoke(app, list(args), obj=CliState(session=session), input=stdin)

    return invoke
