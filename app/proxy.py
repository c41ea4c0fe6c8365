"""The client's address behind trusted proxies (FORWARDED_ALLOW_IPS), as pure ASGI middleware."""

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """Addresses and networks whose forwarding headers are believed; `*` believes anyone."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.everyone = False
        self.hosts: set[str] = set()
        self.networks: list[Network] = []
        for entry in entries:
            if entry == "*":
                self.everyone = True
            elif "/" in entry:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            else:
                self.hosts.add(str(ipaddress.ip_address(entry)))

    def __contains__(self, host: str) -> bool:
        if self.everyone or host in self.hosts:
            return True
        if not self.networks:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def _unquote_node(node: str) -> str:
    """`"[2001:db8::1]:4711"` -> `2001:db8::1`; `192.0.2.1:80` -> `192.0.2.1` (RFC 7239)."""
    node = node.strip().strip('"')
    if node.startswith("["):
        return node[1 : node.find("]")] if "]" in node else node[1:]
    if node.count(":") == 1:
        return node.split(":", 1)[0]
    return node


def forwarded_hops(headers: list[tuple[bytes, bytes]]) -> tuple[list[str], str | None]:
    """The client addresses the proxies recorded, oldest first, and the protocol last seen:
    from `Forwarded` when sent, otherwise from `X-Forwarded-For` / `X-Forwarded-Proto`."""
    forwarded = [v.decode("latin-1") for k, v in headers if k == b"forwarded"]
    if forwarded:
        hops: list[str] = []
        proto = None
        for element in ",".join(forwarded).split(","):
            for pair in element.split(";"):
                name, _, value = pair.partition("=")
                if name.strip().lower() == "for":
                    hops.append(_unquote_node(value))
                elif name.strip().lower() == "proto":
                    proto = value.strip().strip('"').lower()
        return hops, proto
    xff = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"]
    hops = [_unquote_node(hop) for hop in ",".join(xff).split(",") if hop.strip()]
    protos = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-proto"]
    return hops, protos[-1].split(",")[-1].strip().lower() if protos else None


def client_address(peer: str, hops: list[str], trusted: TrustedProxies) -> str:
    """The rightmost address not in `trusted`, walking back from the peer; the oldest hop
    when every one is trusted. Anything left of it could have been written by the client."""
    if peer not in trusted:
        return peer
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return hops[0] if hops else peer


class ProxyHeadersMiddleware:
    """Set `scope["client"]` (and the scheme) from forwarding headers sent by a trusted proxy,
    so that the rate limiter and the access log see the real client."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str]) -> None:
        self.app = app
        self.trusted = TrustedProxies(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite the client of a request that came through a trusted proxy."""
        client = scope.get("client")
        if scope["type"] == "http" and client and client[0] in self.trusted:
            hops, proto = forwarded_hops(scope["headers"])
            if hops:
                scope["client"] = (client_address(client[0], hops, self.trusted), 0)
            if proto in ("http", "https"):
                scope["scheme"] = proto
        await self.app(scope, receive, send)
