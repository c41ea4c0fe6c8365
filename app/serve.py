"""Run one replica: `python -m app.serve`; on SIGTERM it drains, then stops gracefully.

SIGTERM: /ready turns 503 at once while requests are still served for DRAIN_SECONDS (time for
a load balancer polling /ready to take the replica out); then the listening socket closes, the
requests in flight finish (at most SHUTDOWN_TIMEOUT_SECONDS) and the process exits with 0.
A second SIGTERM, or SIGINT, skips what is left of the drain.
"""

import argparse
import logging
import signal
import threading
from types import FrameType

import uvicorn

from app.config import get_settings
from app.lifecycle import start_draining

logger = logging.getLogger("geoevents.serve")


class DrainingServer(uvicorn.Server):
    """uvicorn's server, with a drain period between SIGTERM and closing the socket."""

    def __init__(self, config: uvicorn.Config, drain_seconds: float) -> None:
        super().__init__(config)
        self.drain_seconds = drain_seconds
        self._drain: threading.Timer | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Start draining on the first SIGTERM; stop on what follows or on SIGINT."""
        if sig != signal.SIGTERM or self._drain is not None or self.drain_seconds <= 0:
            if sig == signal.SIGTERM:
                # Not re-raised after the shutdown (uvicorn would): a drained stop exits 0.
                self.should_exit = True
                return
            super().handle_exit(sig, frame)
            return
        start_draining()
        logger.info(
            "SIGTERM: /ready is 503; serving %.1f s more, then stopping", self.drain_seconds
        )
        self._drain = threading.Timer(self.drain_seconds, self._stop)
        self._drain.daemon = True
        self._drain.start()

    def _stop(self) -> None:
        self.should_exit = True


def build_server(host: str, port: int, *, app: str = "app.main:app") -> DrainingServer:
    """The server for `app` with the shutdown settings and no proxy handling of uvicorn's
    own (app.proxy applies FORWARDED_ALLOW_IPS)."""
    settings = get_settings()
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=int(max(1, round(settings.shutdown_timeout_seconds))),
    )
    return DrainingServer(config, settings.drain_seconds)


def main(argv: list[str] | None = None) -> None:
    """Serve the API on one process until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m app.serve", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument("--app", default="app.main:app", help="the ASGI app, module:attribute")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    build_server(args.host, args.port, app=args.app).run()


if __name__ == "__main__":
    main()
