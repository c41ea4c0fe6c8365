"""Read routing without standbys, and the pieces of it that need no server."""

import math

import pytest
from fastapi.testclient import TestClient

from app.errors import BadRequest
from app.replicas import TOKEN_HEADER, _lag, parse_lsn, token_of


class TestParseLsn:
    @pytest.mark.parametrize(
        ("text", "position"),
        [("0/0", 0), ("0/16B3748", 0x16B3748), ("16/B374D848", 0x16 << 32 | 0xB374D848)],
    )
    def test_positions(self, text: str, position: int) -> None:
        assert parse_lsn(text) == position

    @pytest.mark.parametrize("text", ["", "16", "/1", "1/", "x/1", "123456789/0", "1/2/3"])
    def test_malformed(self, text: str) -> None:
        with pytest.raises(ValueError, match="not a WAL position"):
            parse_lsn(text)

    def test_token_from_headers(self) -> None:
        assert token_of([(b"x-consistency-token", b"1/10")]) == (1 << 32) + 16
        assert token_of([(b"accept", b"*/*")]) is None
        with pytest.raises(BadRequest):
            token_of([(b"x-consistency-token", b"soon")])


class TestLag:
    def test_caught_up_with_the_primary_is_no_lag(self) -> None:
        assert _lag(120.0, replayed=500, primary_at_start=500) == 0.0

    def test_behind_is_the_age_of_the_last_replayed_commit(self) -> None:
        assert _lag(2.5, replayed=400, primary_at_start=500) == 2.5

    def test_unknown_is_infinitely_behind(self) -> None:
        assert math.isinf(_lag(None, replayed=400, primary_at_start=None))


class TestWithoutStandbys:
    def test_writes_carry_no_token_and_reads_ignore_one(self, client: TestClient) -> None:
        created = client.post(
            "/api/v1/participants", json={"slug": "solo", "name": "Solo", "kind": "person"}
        )
        assert created.status_code == 201
        assert TOKEN_HEADER not in created.headers
        response = client.get("/api/v1/participants/solo", headers={TOKEN_HEADER: "garbage"})
        assert response.status_code == 200
