"""`geoevents keys create|list|revoke` on both engines."""

import uuid

import pytest
from sqlmodel import Session

from app import keys as keys_module
from app.services import keys
from tests.cli.conftest import Run


class TestKeys:
    def test_create_prints_the_key_once_and_stores_its_hash(
        self, run: Run, session: Session
    ) -> None:
        result = run("keys", "create", "--name", "importer", "--scope", "write")
        assert result.exit_code == 0, result.output
        plain = result.stdout.strip()
        found = keys.find_key(session, plain)
        assert found is not None
        assert (found.name, found.scopes) == ("importer", ["write"])
        assert f"id {found.id}" in result.stderr

    def test_a_scope_outside_the_list_is_refused(self, run: Run) -> None:
        result = run("keys", "create", "--name", "x", "--scope", "root")
        assert result.exit_code == 2
        assert "root" in result.stderr

    def test_list_shows_the_key_and_revoke_stops_it(self, run: Run, session: Session) -> None:
        plain = run("keys", "create", "--name", "reader", "--scope", "read").stdout.strip()
        found = keys.find_key(session, plain)
        assert found is not None
        listed = run("keys", "list")
        assert listed.exit_code == 0
        assert str(found.id) in listed.stdout
        assert "active" in listed.stdout
        revoked = run("keys", "revoke", str(found.id))
        assert revoked.exit_code == 0
        assert f"revoked {found.id}" in revoked.stderr
        assert "revoked 20" in run("keys", "list").stdout

    def test_revoking_an_unknown_key_fails(self, run: Run) -> None:
        result = run("keys", "revoke", str(uuid.uuid4()))
        assert result.exit_code == 1


class TestPythonDashMAppKeys:
    def test_is_the_same_command(
        self, run: Run, session: Session, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert keys_module.main(["create", "--name", "importer", "--scope", "write"], session) == 0
        created = capsys.readouterr()
        found = keys.find_key(session, created.out.strip())
        assert found is not None
        assert (found.name, found.scopes) == ("importer", ["write"])
        assert created.err == f"id {found.id}; shown once, only its hash is stored\n"
        assert keys_module.main(["list"], session) == 0
        assert capsys.readouterr().out == run("keys", "list").stdout
        assert keys_module.main(["revoke", str(found.id)], session) == 0
        assert capsys.readouterr() == ("", f"revoked {found.id}\n")
        assert found.revoked_at is not None

    def test_takes_scopes_as_it_once_did(
        self, session: Session, capsys: pytest.CaptureFixture[str]
    ) -> None:
        argv = ["create", "--scopes", "read", "write", "--name", "two"]
        assert keys_module.main(argv, session) == 0
        found = keys.find_key(session, capsys.readouterr().out.strip())
        assert found is not None
        assert found.scopes == ["read", "write"]

    def test_revoking_an_unknown_key_fails(
        self, session: Session, capsys: pytest.CaptureFixture[str]
    ) -> None:
        missing = uuid.uuid4()
        assert keys_module.main(["revoke", str(missing)], session) == 1
        assert capsys.readouterr().err == f"no api key '{missing}'\n"

    def test_a_misspelt_command_is_a_usage_error(self, session: Session) -> None:
        assert keys_module.main(["issue"], session) == 2
