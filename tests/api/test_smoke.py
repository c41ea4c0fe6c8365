"""The app answers on both backends."""

from fastapi.testclient import TestClient


def test_list_events_is_empty_at_start(client: TestClient) -> None:
    response = client.get("/api/v1/events")
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}
