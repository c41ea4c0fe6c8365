"""The bootstrap admin key (long, a secret, rotated) and the audit trail of key management."""

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.config import Settings, get_settings
from app.models import ApiKey
from app.schemas.keys import KeyScope
from app.services import keys
from tests.conftest import app_on
from tests.factories import bearer, stored_key

KEYS = "/api/v1/keys"
EVENTS_OF_KEYS = "/api/v1/keys/events"
LONG_KEY = "bootstrap-admin-key-0123456789abcdef"


def start(session: Session, monkeypatch: pytest.MonkeyPatch, plain: str) -> None:
    """Start (and stop) the app once with GEOEVENTS_ADMIN_KEY set to `plain`."""
    monkeypatch.setenv("GEOEVENTS_ADMIN_KEY", plain)
    with TestClient(app_on(session, Settings())) as started:
        assert started.get("/health").status_code == 200


class TestBootstrapKeySetting:
    @pytest.mark.parametrize("plain", ["x", "a" * 31])
    def test_refuses_a_key_under_32_characters(
        self, monkeypatch: pytest.MonkeyPatch, plain: str
    ) -> None:
        monkeypatch.setenv("GEOEVENTS_ADMIN_KEY", plain)
        with pytest.raises(ValidationError, match="at least 32 characters"):
            Settings()
        get_settings.cache_clear()
        try:
            with pytest.raises(SystemExit) as stopped:
                get_settings()
        finally:
            get_settings.cache_clear()
        assert str(stopped.value).startswith(
            f"geoevents: invalid settings: GEOEVENTS_ADMIN_KEY must be at least 32 characters "
            f"(it has {len(plain)})"
        )

    def test_holds_the_key_as_a_secret(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GEOEVENTS_ADMIN_KEY", LONG_KEY)
        settings = Settings()
        assert settings.admin_key is not None
        assert settings.admin_key.get_secret_value() == LONG_KEY
        assert LONG_KEY not in repr(settings)
        assert LONG_KEY not in str(settings.model_dump())

    def test_empty_means_none(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GEOEVENTS_ADMIN_KEY", "")
        assert Settings().admin_key is None


class TestPrefix:
    def test_a_bootstrap_key_shows_only_four_characters(
        self, session: Session, monkeypatch: pytest.MonkeyPatch, client: TestClient
    ) -> None:
        start(session, monkeypatch, LONG_KEY)
        found = keys.find_key(session, LONG_KEY)
        assert found is not None
        assert client.get(f"{KEYS}/{found.id}").json()["prefix"] == "boot"

    def test_a_generated_key_shows_ge_and_four(self, client: TestClient) -> None:
        created = client.post(KEYS, json={"name": "importer", "scopes": ["read"]}).json()
        assert created["prefix"] == created["key"][:7]
        assert len(created["prefix"]) == 7


class TestRotation:
    def test_a_new_value_revokes_the_key_it_replaced(
        self, session: Session, monkeypatch: pytest.MonkeyPatch, anonymous: TestClient
    ) -> None:
        old, new = LONG_KEY, LONG_KEY + "-rotated"
        start(session, monkeypatch, old)
        start(session, monkeypatch, new)
        assert anonymous.get(KEYS, headers=bearer(old)).status_code == 401
        assert anonymous.get(KEYS, headers=bearer(new)).status_code == 200
        replaced = keys.find_key(session, old)
        assert replaced is not None
        assert replaced.revoked_at is not None
        current = keys.find_key(session, new)
        assert current is not None
        assert current.bootstrap
        assert current.revoked_at is None

    def test_the_same_value_keeps_its_key(
        self, session: Session, monkeypatch: pytest.MonkeyPatch, anonymous: TestClient
    ) -> None:
        start(session, monkeypatch, LONG_KEY)
        start(session, monkeypatch, LONG_KEY)
        assert anonymous.get(KEYS, headers=bearer(LONG_KEY)).status_code == 200

    def test_other_admin_keys_survive_a_rotation(
        self, session: Session, monkeypatch: pytest.MonkeyPatch, anonymous: TestClient
    ) -> None:
        other = stored_key(session, KeyScope.admin, name="bootstrap admin")
        start(session, monkeypatch, LONG_KEY)
        assert anonymous.get(KEYS, headers=bearer(other)).status_code == 200


class TestReplicasStartingTogether:
    def test_a_key_another_replica_stored_meanwhile_is_found_not_a_failed_start(
        self, session: Session, monkeypatch: pytest.MonkeyPatch, anonymous: TestClient
    ) -> None:
        start(session, monkeypatch, LONG_KEY)
        stored = keys.find_key(session, LONG_KEY)
        assert stored is not None
        # The other replica's insert lands between this one's lookup and its own insert.
        looked_up: list[str] = []
        real_find_key = keys.find_key

        def find_after_the_other_committed(session: Session, plain: str) -> ApiKey | None:
            looked_up.append(plain)
            return None if len(looked_up) == 1 else real_find_key(session, plain)

        monkeypatch.setattr(keys, "find_key", find_after_the_other_committed)
        start(session, monkeypatch, LONG_KEY)
        assert len(looked_up) == 2
        assert anonymous.get(KEYS, headers=bearer(LONG_KEY)).status_code == 200
        bootstrap = session.exec(select(ApiKey).where(col(ApiKey.bootstrap))).all()
        assert [(k.revoked_at, k.id) for k in bootstrap] == [(None, stored.id)]


class TestKeyAudit:
    def test_records_who_created_and_revoked_which_key(
        self, client: TestClient, session: Session, admin_key: str
    ) -> None:
        admin = keys.find_key(session, admin_key)
        assert admin is not None
        created = client.post(KEYS, json={"name": "importer", "scopes": ["write"]}).json()
        assert client.delete(f"{KEYS}/{created['id']}").status_code == 204
        assert client.delete(f"{KEYS}/{created['id']}").status_code == 204
        page = client.get(EVENTS_OF_KEYS, params={"key_id": created["id"]}).json()
        assert page["next_cursor"] is None
        assert [(e["action"], e["actor_id"], e["via"]) for e in page["items"]] == [
            ("created", str(admin.id), "api"),
            ("revoked", str(admin.id), "api"),
        ]
        revoked_at = client.get(f"{KEYS}/{created['id']}").json()["revoked_at"]
        assert page["items"][1]["created_at"] == revoked_at

    def test_records_a_rotation_at_startup(
        self, session: Session, monkeypatch: pytest.MonkeyPatch, client: TestClient
    ) -> None:
        start(session, monkeypatch, LONG_KEY)
        start(session, monkeypatch, LONG_KEY + "-rotated")
        items = client.get(EVENTS_OF_KEYS).json()["items"]
        assert [(e["action"], e["actor_id"], e["via"]) for e in items] == [
            ("created", None, "startup"),
            ("revoked", None, "startup"),
            ("created", None, "startup"),
        ]

    def test_needs_the_admin_scope(self, session: Session, anonymous: TestClient) -> None:
        writer = stored_key(session, KeyScope.write)
        assert anonymous.get(EVENTS_OF_KEYS).status_code == 401
        assert anonymous.get(EVENTS_OF_KEYS, headers=bearer(writer)).status_code == 403

    def test_refuses_an_unknown_parameter(self, client: TestClient) -> None:
        assert client.get(EVENTS_OF_KEYS, params={"actor": "x"}).status_code == 422
