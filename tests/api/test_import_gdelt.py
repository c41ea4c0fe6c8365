"""POST /api/v1/import?format=gdelt: GDELT 2.0 files in every layout, results per record."""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.importers import gdelt_fixture as fx

GDELT = "/api/v1/import?format=gdelt"
TSV = {"Content-Type": "text/tab-separated-values"}
MEDIA = {"export": TSV, "header": {"Content-Type": "text/csv"}}


def answer(response: Any) -> list[dict[str, Any]]:
    """The NDJSON lines of an answer."""
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """The GDELT fixture in every layout."""
    return fx.write_files(tmp_path)


def post(client: TestClient, files: dict[str, Path], layout: str) -> list[dict[str, Any]]:
    """Send one layout of the fixture."""
    kind = layout.removesuffix("-zip")
    headers = {"Content-Type": "application/zip"} if layout.endswith("zip") else MEDIA[kind]
    return answer(client.post(GDELT, content=files[layout].read_bytes(), headers=headers))


class TestImportGdelt:
    def test_rows_become_records_and_bad_rows_are_reported(
        self, client: TestClient, files: dict[str, Path]
    ) -> None:
        lines = post(client, files, "export")
        results, last = lines[:-1], lines[-1]
        errors = {r["line"]: r["problem"]["detail"] for r in results if r["status"] == "error"}
        assert {line: detail.split(":")[0] for line, detail in errors.items()} == {
            line: reason for reason, line in fx.BAD_LINES.items()
        }
        assert all(r["status"] == "created" for r in results if r["line"] not in errors)
        assert last["summary"]["created"] == 8 + 10 + 3
        assert last["gdelt"] == {
            "rows": {"imported": 8},
            "reported": dict.fromkeys(fx.BAD_LINES, 1),
            "participants_created": 10,
            "sources_created": 3,
        }
        found = client.get("/api/v1/events", params={"identifier": "gdelt:1007"}).json()
        (event,) = found["items"]
        assert (event["location"]["country"], event["cameo_code"]) == ("XK", "036")

    @pytest.mark.parametrize("layout", ["header", "export-zip", "header-zip"])
    def test_every_layout_reimports_as_unchanged(
        self, client: TestClient, files: dict[str, Path], layout: str
    ) -> None:
        post(client, files, "export")
        last = post(client, files, layout)[-1]
        assert last["summary"]["created"] == 0
        assert last["summary"]["unchanged"] == 8 + 10 + 3
        assert last["gdelt"]["rows"] == {"unchanged": 8}
        assert last["gdelt"]["participants_created"] == 0


class TestRefused:
    def test_ndjson_media_type_with_gdelt_is_415(
        self, client: TestClient, files: dict[str, Path]
    ) -> None:
        headers = {"Content-Type": "application/x-ndjson"}
        response = client.post(GDELT, content=files["export"].read_bytes(), headers=headers)
        assert response.status_code == 415
        assert response.json()["type"] == "/problems/unsupported-media-type"

    @pytest.mark.parametrize(
        ("content", "media"),
        [(b'{"type": "source"}\n', "text/plain"), (b"PK\x03\x04broken", "application/zip"),
         (b"GLOBALEVENTID,SQLDATE\n1,2\n", "text/csv")],
    )  # fmt: skip
    def test_what_is_not_gdelt_is_a_400(
        self, client: TestClient, content: bytes, media: str
    ) -> None:
        response = client.post(GDELT, content=content, headers={"Content-Type": media})
        assert response.status_code == 400
        assert response.json()["type"] == "/problems/bad-request"

    def test_an_unknown_format_is_a_422(self, client: TestClient) -> None:
        response = client.post("/api/v1/import?format=acled", content=b"", headers=TSV)
        assert response.status_code == 422
