"""FORWARDED_ALLOW_IPS: the client address from forwarding headers, only from trusted proxies."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.proxy import TrustedProxies, client_address, forwarded_hops
from tests.api.test_observability import access_lines, access_log
from tests.conftest import app_on

__all__ = ["access_log"]

PROXY = "10.0.0.2"
PATH = "/problems/not-found"
# Rate limits apply under the API only.
LIMITED = "/api/v1/participants?limit=1"


def app_behind(session: Session, trusted: str, anonymous: int = 0) -> FastAPI:
    """An app trusting `trusted` (as the environment would say it), anonymous limit a minute."""
    settings = Settings(
        forwarded_allow_ips=trusted,
        anonymous_rate_limit_per_minute=anonymous,
        # One token a request, however slow the machine.
        rate_limit_cost_ms=0,
    )
    return app_on(session, settings)


def from_address(app: FastAPI, address: str) -> TestClient:
    """A client connecting from `address`."""
    return TestClient(app, raise_server_exceptions=False, client=(address, 40000))


def logged_client(caplog: pytest.LogCaptureFixture) -> str:
    """The `client` field of the last access-log line."""
    return str(access_lines(caplog.records)[-1]["client"])


class TestClientAddress:
    @pytest.mark.parametrize(
        ("peer", "hops", "expected"),
        [
            # The peer is not a proxy: the headers are the client's own words.
            ("192.0.2.9", ["1.1.1.1"], "192.0.2.9"),
            # The rightmost untrusted hop: what the client wrote to the left is ignored.
            (PROXY, ["6.6.6.6", "203.0.113.5"], "203.0.113.5"),
            # Two trusted proxies in a row are walked past.
            (PROXY, ["203.0.113.5", "10.0.0.3"], "203.0.113.5"),
            # Every hop trusted: the oldest one.
            (PROXY, ["10.0.0.7", "10.0.0.3"], "10.0.0.7"),
            (PROXY, [], PROXY),
        ],
    )
    def test_rightmost_untrusted_hop(self, peer: str, hops: list[str], expected: str) -> None:
        trusted = TrustedProxies(["10.0.0.0/24"])
        assert client_address(peer, hops, trusted) == expected

    def test_forwarded_header_wins_over_x_forwarded_for(self) -> None:
        headers = [
            (b"x-forwarded-for", b"9.9.9.9"),
            (b"forwarded", b'for=192.0.2.60;proto=https, for="[2001:db8:cafe::17]:4711"'),
        ]
        assert forwarded_hops(headers) == (["192.0.2.60", "2001:db8:cafe::17"], "https")

    def test_x_forwarded_for_over_several_headers(self) -> None:
        headers = [
            (b"x-forwarded-for", b"203.0.113.5, 10.0.0.9"),
            (b"x-forwarded-for", b"10.0.0.8"),
            (b"x-forwarded-proto", b"https"),
        ]
        assert forwarded_hops(headers) == (["203.0.113.5", "10.0.0.9", "10.0.0.8"], "https")

    def test_star_trusts_everyone_and_hosts_are_normalised(self) -> None:
        assert "198.51.100.1" in TrustedProxies(["*"])
        assert "::1" in TrustedProxies(["0:0:0:0:0:0:0:1"])
        assert "not-an-ip" not in TrustedProxies(["10.0.0.0/8"])


class TestBehindProxy:
    def test_access_log_has_the_forwarded_client(
        self, session: Session, access_log: pytest.LogCaptureFixture
    ) -> None:
        with from_address(app_behind(session, f"{PROXY}"), PROXY) as client:
            client.get(PATH, headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.5"})
        assert logged_client(access_log) == "203.0.113.5"

    def test_headers_from_an_untrusted_peer_are_ignored(
        self, session: Session, access_log: pytest.LogCaptureFixture
    ) -> None:
        with from_address(app_behind(session, "10.9.9.9"), PROXY) as client:
            client.get(PATH, headers={"X-Forwarded-For": "203.0.113.5", "Forwarded": "for=1.2.3.4"})
        assert logged_client(access_log) == PROXY

    def test_each_client_behind_the_proxy_has_its_own_bucket(self, session: Session) -> None:
        app = app_behind(session, "10.0.0.0/24,127.0.0.1", anonymous=2)
        with from_address(app, PROXY) as client:
            first = [client.get(LIMITED, headers={"X-Forwarded-For": "203.0.113.5"}) for _ in "abc"]
            other = client.get(LIMITED, headers={"X-Forwarded-For": "203.0.113.6"})
        assert [r.status_code for r in first] == [200, 200, 429]
        assert other.status_code == 200

    def test_scheme_from_a_trusted_proxy(self, session: Session) -> None:
        with from_address(app_behind(session, PROXY), PROXY) as client:
            response = client.get("/api/v1/events?limit=1", headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 200
