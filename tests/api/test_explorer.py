"""The explorer page: served at `/` with its assets, self-contained, and never in the API spec."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.explorer import CONTENT_SECURITY_POLICY, STATIC_DIR, basemap
from app.main import create_app

ASSETS = STATIC_DIR / "explorer"
MODULE_IMPORT = re.compile(r"""^import .* from "\./([a-z]+\.js)";$""", re.MULTILINE)
# Anything that would make the page reach beyond its own server (or the API it is given).
REMOTE = re.compile(r"""(?:src|href)=["'](?:https?:)?//|@import|url\(["']?https?:""")


@pytest.fixture(scope="module")
def page_client() -> Iterator[TestClient]:
    """A client on a fresh app; nothing here touches the database."""
    with TestClient(create_app()) as test_client:
        yield test_client


def asset_files() -> list[Path]:
    """Every file the page may load."""
    return sorted(path for path in ASSETS.iterdir() if path.is_file())


class TestPage:
    def test_root_serves_the_page(self, page_client: TestClient) -> None:
        response = page_client.get("/")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        assert '<script type="module" src="explorer/app.js"></script>' in response.text

    def test_head(self, page_client: TestClient) -> None:
        response = page_client.head("/")
        assert response.status_code == 200
        assert response.content == b""

    def test_revalidated_with_an_etag(self, page_client: TestClient) -> None:
        first = page_client.get("/explorer/app.js")
        assert first.headers["cache-control"] == "no-cache"
        again = page_client.get(
            "/explorer/app.js", headers={"If-None-Match": first.headers["etag"]}
        )
        assert again.status_code == 304

    @pytest.mark.parametrize(
        ("name", "media_type"),
        [
            ("app.js", "text/javascript; charset=utf-8"),
            ("explorer.css", "text/css; charset=utf-8"),
            ("countries-110m.json", "application/json"),
        ],
    )
    def test_assets(self, page_client: TestClient, name: str, media_type: str) -> None:
        response = page_client.get(f"/explorer/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"] == media_type
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY

    def test_missing_asset_is_a_problem(self, page_client: TestClient) -> None:
        response = page_client.get("/explorer/missing.js")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    def test_not_in_the_api_document(self, page_client: TestClient) -> None:
        paths = page_client.get("/openapi.json").json()["paths"]
        assert "/" not in paths
        assert not [path for path in paths if path.startswith("/explorer")]

    def test_can_be_turned_off(self) -> None:
        with TestClient(create_app(Settings(explorer=False))) as client:
            assert client.get("/").status_code == 404
            assert client.get("/explorer/app.js").status_code == 404


class TestAssets:
    def test_every_module_import_exists(self) -> None:
        scripts = [path for path in asset_files() if path.suffix == ".js"]
        imported = {
            name for path in scripts for name in MODULE_IMPORT.findall(path.read_text("utf-8"))
        }
        assert imported == {path.name for path in scripts} - {"app.js"}

    def test_every_module_is_preloaded(self) -> None:
        page = (STATIC_DIR / "index.html").read_text("utf-8")
        preloaded = set(
            re.findall(r'<link rel="modulepreload" href="explorer/([a-z]+\.js)">', page)
        )
        assert preloaded == {p.name for p in asset_files() if p.suffix == ".js"} - {"app.js"}

    def test_nothing_is_fetched_from_elsewhere(self) -> None:
        for path in [STATIC_DIR / "index.html", *asset_files()]:
            if path.suffix != ".json":
                assert not REMOTE.search(path.read_text("utf-8")), path.name

    def test_record_text_never_becomes_markup(self) -> None:
        for path in asset_files():
            text = path.read_text("utf-8")
            for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
                assert sink not in text, f"{path.name} uses {sink}"


class TestBasemap:
    def test_countries_carry_alpha_2_codes(self) -> None:
        topology = json.loads((ASSETS / "countries-110m.json").read_text("utf-8"))
        countries = topology["objects"]["countries"]["geometries"]
        codes = {c["properties"].get("a2") for c in countries}
        assert len(countries) == 177
        assert {"RU", "IL", "SY", "IR", "US"} <= codes
        assert "Natural Earth" in topology["attribution"]

    def test_alpha_2_of_numeric(self) -> None:
        assert basemap.alpha_2("643") == "RU"
        assert basemap.alpha_2(None) is None

    def test_convert_keeps_only_countries(self) -> None:
        topology = {
            "type": "Topology",
            "bbox": [-180, -90, 180, 90],
            "transform": {"scale": [1, 1], "translate": [0, 0]},
            "objects": {
                "countries": {
                    "type": "GeometryCollection",
                    "geometries": [
                        {"type": "Polygon", "arcs": [[0]], "id": "376", "properties": {"name": "I"}}
                    ],
                },
                "land": {"type": "GeometryCollection", "geometries": []},
            },
            "arcs": [[[0, 0], [1, 0], [0, 1], [-1, -1]]],
        }
        converted = basemap.convert(topology)
        assert list(converted["objects"]) == ["countries"]
        assert converted["objects"]["countries"]["geometries"] == [
            {"type": "Polygon", "arcs": [[0]], "properties": {"name": "I", "a2": "IL"}}
        ]
