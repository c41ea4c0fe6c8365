"""Every statement has a time budget; one that runs past it is a 503 problem, never a 500."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.budget import is_timeout
from app.db import SessionDep, build_engine, get_session, snapshot_engine
from app.main import create_app
from app.read.columns import Select, Snapshot

# Counts to a hundred million: seconds of work on either engine, far past the budget below.
SLOW = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) "
    "SELECT count(*) FROM c"
)
BUDGET = 0.2
DETAIL = (
    "a query ran past its time budget (QUERY_TIMEOUT_SECONDS) and was stopped; nothing was "
    "written. Ask for less: narrower filters, a smaller limit, fewer expansions, no include_total"
)


@pytest.fixture
def budgeted(engine: Engine) -> Iterator[Engine]:
    """An engine on the test database whose statements have BUDGET seconds each."""
    limited = build_engine(engine.url.render_as_string(hide_password=False), BUDGET)
    yield limited
    limited.dispose()


@pytest.fixture
def budget_client(budgeted: Engine) -> Iterator[TestClient]:
    """A client on an app using `budgeted`, with a route that runs SLOW, then a quick one."""
    app: FastAPI = create_app()

    def sessions() -> Iterator[Session]:
        with Session(budgeted) as session:
            try:
                yield session
            finally:
                session.rollback()

    def slow(session: SessionDep) -> dict[str, int]:
        return {"count": session.connection().execute(text(SLOW)).scalar_one()}

    def quick(session: SessionDep) -> dict[str, int]:
        return {"one": session.connection().execute(text("SELECT 1")).scalar_one()}

    def slow_read(session: SessionDep) -> dict[str, int]:
        # Through the read layer, which runs statements on the driver's connection.
        ((count,),) = Select(sql=SLOW, decoders=(None,)).rows(session, [])
        return {"count": count}

    app.dependency_overrides[get_session] = sessions
    app.add_api_route("/slow", slow)
    app.add_api_route("/slow-read", slow_read)
    app.add_api_route("/quick", quick)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


class TestQueryBudget:
    def test_a_statement_past_its_budget_is_a_503_problem(self, budget_client: TestClient) -> None:
        response = budget_client.get("/slow")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "1"
        assert response.json() == {
            "type": "/problems/query-timeout",
            "title": "Query time budget exceeded",
            "status": 503,
            "detail": DETAIL,
            "instance": "/slow",
        }

    def test_a_read_on_the_driver_past_its_budget_is_the_same_503(
        self, budget_client: TestClient
    ) -> None:
        response = budget_client.get("/slow-read")
        assert response.status_code == 503
        assert response.json()["type"] == "/problems/query-timeout"
        assert response.json()["detail"] == DETAIL

    def test_a_snapshot_past_its_budget_says_so(self, budgeted: Engine) -> None:
        snapshot = Snapshot(snapshot_engine(budgeted))
        try:
            with pytest.raises(OperationalError) as raised:
                Select(sql=SLOW, decoders=(None,)).rows(snapshot, [])
        finally:
            snapshot.close()
        assert is_timeout(raised.value.orig)
        assert not raised.value.connection_invalidated

    def test_the_connection_works_after_a_stopped_statement(
        self, budget_client: TestClient
    ) -> None:
        assert budget_client.get("/slow").status_code == 503
        for _ in range(3):
            assert budget_client.get("/quick").json() == {"one": 1}

    def test_the_problem_type_is_documented(self, budget_client: TestClient) -> None:
        assert budget_client.get("/problems/query-timeout").status_code == 200

    def test_without_a_budget_nothing_is_stopped(self, engine: Engine) -> None:
        unlimited = build_engine(engine.url.render_as_string(hide_password=False))
        try:
            with unlimited.connect() as connection:
                quick = SLOW.replace("100000000", "300000")
                assert connection.execute(text(quick)).scalar_one() == 300000
        finally:
            unlimited.dispose()
