"""Keyed POSTs on a real database, each request in its own session as in production."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, delete, func
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from app import idempotency_store
from app.models import ApiKey, Certainty, Event, EventStatus, EventType, IdempotencyRecord
from app.schemas.keys import KeyScope
from app.services import keys
from tests.concurrency import app_on_engine, remove_events, send_all
from tests.factories import bearer

WRITERS = 8
SLUG = "keyed-"


@pytest.fixture
def committed_key(engine: Engine) -> Iterator[str]:
    """An admin key committed for real; what the test wrote is removed afterwards."""
    plain = keys.new_key()
    with Session(engine) as session:
        keys.ensure_key(session, plain, "keyed writes", (KeyScope.admin,))
        session.commit()
    yield plain
    with Session(engine) as session:
        remove_events(session, SLUG)
        session.exec(delete(IdempotencyRecord))
        session.exec(delete(ApiKey).where(col(ApiKey.name).startswith("keyed")))
        session.commit()


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    """The app, each request in a session of its own."""
    return app_on_engine(engine)


def event_body(n: int) -> dict[str, Any]:
    """The body of the n-th event."""
    return {"slug": f"{SLUG}{n}", "title": "t", "event_type": "meeting", "status": "occurred"}


def stored_events(engine: Engine) -> int:
    """How many events this module's tests created."""
    with Session(engine) as session:
        stmt = select(func.count()).select_from(Event).where(col(Event.slug).startswith(SLUG))
        return int(session.exec(stmt).one())


def post_all(app: FastAPI, requests: list[tuple[dict[str, Any], dict[str, str]]]) -> list[Any]:
    """Send every (body, headers) POST to /events at once."""
    return send_all(app, [("POST", "/api/v1/events", body, h) for body, h in requests])


def test_concurrent_keyed_writers_then_their_retries(
    engine: Engine, committed_key: str, app: FastAPI
) -> None:
    sends = [
        (event_body(n), bearer(committed_key) | {"Idempotency-Key": f"k-{n}"})
        for n in range(WRITERS)
    ]
    first = post_all(app, sends)
    retries = post_all(app, sends)
    assert [r.status_code for r in first] == [201] * WRITERS
    assert [r.status_code for r in retries] == [201] * WRITERS
    assert [r.headers.get("idempotent-replayed") for r in retries] == ["true"] * WRITERS
    assert [r.json() for r in retries] == [r.json() for r in first]
    assert stored_events(engine) == WRITERS


def test_concurrent_requests_with_one_key_write_once(
    engine: Engine, committed_key: str, app: FastAPI
) -> None:
    send = (event_body(0), bearer(committed_key) | {"Idempotency-Key": "same"})
    replies = post_all(app, [send] * WRITERS)
    assert [r.status_code for r in replies] == [201] * WRITERS
    replayed = sorted(r.headers.get("idempotent-replayed", "") for r in replies)
    assert replayed == ["", *["true"] * (WRITERS - 1)]
    assert len({r.json()["id"] for r in replies}) == 1
    assert stored_events(engine) == 1


def test_a_lost_commit_is_answered_truthfully_and_the_retry_replays(
    engine: Engine, committed_key: str, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = idempotency_store.commit_transaction

    def commit_then_lose(session: Session) -> None:
        real(session)
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(idempotency_store, "commit_transaction", commit_then_lose)
    send = (event_body(0), bearer(committed_key) | {"Idempotency-Key": "lost"})
    [lost] = post_all(app, [send])
    assert lost.status_code == 503
    assert lost.json()["type"] == "/problems/write-outcome-unknown"
    assert "nothing was written" not in lost.json()["detail"]
    monkeypatch.setattr(idempotency_store, "commit_transaction", real)
    [retry] = post_all(app, [send])
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert stored_events(engine) == 1


def test_a_commit_that_never_landed_is_run_again_on_retry(
    engine: Engine, committed_key: str, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lose(session: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(idempotency_store, "commit_transaction", lose)
    send = (event_body(0), bearer(committed_key) | {"Idempotency-Key": "never"})
    [lost] = post_all(app, [send])
    assert lost.json()["type"] == "/problems/write-outcome-unknown"
    monkeypatch.undo()
    [retry] = post_all(app, [send])
    assert retry.status_code == 201
    assert "idempotent-replayed" not in retry.headers
    assert stored_events(engine) == 1


def test_a_request_that_dies_mid_write_leaves_its_key_free(
    engine: Engine, committed_key: str, app: FastAPI
) -> None:
    calls: list[int] = []

    def dies(session: Session) -> None:
        calls.append(1)
        session.add(
            Event(
                slug=f"{SLUG}dead",
                title="t",
                event_type=EventType.meeting,
                status=EventStatus.occurred,
                certainty=Certainty.confirmed,
            )
        )
        session.flush()
        if len(calls) == 1:
            raise KeyboardInterrupt  # a BaseException, as a cancelled or killed task raises

    send = (event_body(0), bearer(committed_key) | {"Idempotency-Key": "dies"})
    app.add_api_route("/api/v1/events", _with_session(dies), methods=["POST"])
    app.router.routes.insert(0, app.router.routes.pop())
    with pytest.raises(KeyboardInterrupt):
        post_all(app, [send])
    with Session(engine) as session:
        assert session.exec(select(IdempotencyRecord)).all() == []
    assert stored_events(engine) == 0
    [retry] = post_all(app, [send])
    assert retry.status_code == 200
    assert stored_events(engine) == 1


def _with_session(handler: Any) -> Any:
    from app.db import SessionDep

    def route(session: SessionDep) -> dict[str, str]:
        handler(session)
        session.commit()
        return {"status": "ok"}

    return route


class _LosesCommit:
    """A session whose COMMIT loses the connection after everything was flushed."""

    info: dict[str, Any] = {}  # noqa: RUF012

    def flush(self) -> None:
        """Flushing works."""

    def commit(self) -> None:
        """The COMMIT's answer never comes."""
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))


def test_an_unkeyed_lost_commit_does_not_claim_nothing_was_written() -> None:
    from app.errors import OutcomeUnknown
    from app.services import crud

    with pytest.raises(OutcomeUnknown) as raised:
        crud.commit(_LosesCommit(), "event 'x'")  # type: ignore[arg-type]
    assert raised.value.status == 503
    assert "nothing was written" not in raised.value.detail
    assert "unknown" in raised.value.detail


def test_no_connection_for_the_key_is_a_503_that_wrote_nothing(
    engine: Engine, committed_key: str, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    def pool_exhausted(self: Any, keyed: Any) -> None:
        raise PoolTimeout("QueuePool limit reached")

    monkeypatch.setattr(idempotency_store.KeyedTransaction, "claim", pool_exhausted)
    send = (event_body(0), bearer(committed_key) | {"Idempotency-Key": "pool"})
    [reply] = post_all(app, [send])
    assert reply.status_code == 503
    assert reply.json()["type"] == "/problems/database-unavailable"
    assert reply.headers["retry-after"] == "1"
    assert stored_events(engine) == 0
