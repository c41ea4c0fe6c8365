"""The GDELT 2.0 reader: both layouts, zipped or not, mapped to import records."""

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app.importers.gdelt import GdeltRecord, RowProblem, participant_slug, read_gdelt, source_slug
from app.importers.gdelt_files import GdeltFormatError, open_path
from tests.importers import gdelt_fixture as fx

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = next(
    (
        folder / "shared" / "data" / "gdelt" / "events-sample-a.csv"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "data" / "gdelt" / "events-sample-a.csv").exists()
    ),
    None,
)


def read(path: Path) -> list[GdeltRecord | RowProblem]:
    """Every item the reader yields for a file."""
    with open_path(path) as lines:
        return list(read_gdelt(lines))


def events(items: list[GdeltRecord | RowProblem]) -> dict[str, dict[str, Any]]:
    """Event records by GLOBALEVENTID."""
    return {
        item.record["identifiers"]["gdelt"]: item.record
        for item in items
        if isinstance(item, GdeltRecord) and item.record["type"] == "event"
    }


def of_type(items: list[GdeltRecord | RowProblem], kind: str) -> list[dict[str, Any]]:
    """The records of one type, in order."""
    return [i.record for i in items if isinstance(i, GdeltRecord) and i.record["type"] == kind]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture written in every layout."""
    return fx.write_files(tmp_path_factory.mktemp("gdelt"))


class TestLayouts:
    @pytest.mark.parametrize("layout", ["export", "header", "export-zip", "header-zip"])
    def test_every_layout_gives_the_same_records(self, files: dict[str, Path], layout: str) -> None:
        items = read(files[layout])
        expected = read(files["export"])
        assert [getattr(i, "record", None) for i in items] == [
            getattr(i, "record", None) for i in expected
        ]
        offset = 1 if layout.startswith("header") else 0
        problems = {p.reason: p.line for p in items if isinstance(p, RowProblem)}
        assert problems == {reason: line + offset for reason, line in fx.BAD_LINES.items()}

    def test_a_foreign_header_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "other.csv"
        path.write_text("GLOBALEVENTID,Something\n1,2\n", encoding="utf-8")
        with pytest.raises(GdeltFormatError):
            read(path)

    def test_blank_lines_are_not_rows(self, tmp_path: Path) -> None:
        path = tmp_path / "blank.export.CSV"
        path.write_text(fx.export_text(fx.GOOD[:1]) + "\n\n", encoding="utf-8")
        assert [type(i).__name__ for i in read(path)] == ["GdeltRecord"] * 4


class TestMapping:
    def test_counts(self, files: dict[str, Path]) -> None:
        items = read(files["export"])
        kinds = Counter(i.record["type"] for i in items if isinstance(i, GdeltRecord))
        assert kinds == {"event": 8, "participant": 10, "source": 3}
        assert sum(isinstance(i, RowProblem) for i in items) == 5

    def test_event_fields(self, files: dict[str, Path]) -> None:
        event = events(read(files["export"]))["1001"]
        usa, isr = participant_slug("UNITED STATES", "USA"), participant_slug("ISRAEL", "ISR")
        assert event == {
            "type": "event",
            "identifiers": {"gdelt": "1001"},
            "title": "UNITED STATES: Make a visit — ISRAEL",
            "event_type": "visit",
            "cameo_code": "042",
            "plover_type": "CONSULT",
            "status": "occurred",
            "certainty": "reported",
            "start": "2019-09-12",
            "location": {
                "name": "Jerusalem, Jerusalem, Israel",
                "admin1": "Jerusalem",
                "country": "IL",
                "lat": 31.78,
                "lon": 35.22,
                "precision": "city",
            },
            "goldstein": 1.9,
            "quad_class": 1,
            "tone": -1.25,
            "num_mentions": 4,
            "num_sources": 1,
            "num_articles": 4,
            "participants": [
                {"participant": usa, "role": "initiator"},
                {"participant": isr, "role": "recipient"},
            ],
            "sources": [{"source": source_slug(fx.URL)}],
        }

    def test_fips_traps(self, files: dict[str, Path]) -> None:
        found = {
            k: e.get("location", {}).get("country")
            for k, e in events(read(files["export"])).items()
        }
        assert found == {
            "1001": "IL", "1002": "AU", "1003": "CN", "1004": "DE",
            "1005": "NG", "1006": "RU", "1007": "XK", "1008": None,
        }  # fmt: skip

    def test_leading_zeros_and_types(self, files: dict[str, Path]) -> None:
        found = {
            k: (e["cameo_code"], e["event_type"], e.get("plover_type"))
            for k, e in events(read(files["export"])).items()
        }
        assert found["1002"] == ("0233", "statement", "REQUEST")
        assert found["1003"] == ("190", "military_operation", "ASSAULT")
        assert found["1004"] == ("057", "agreement", "AGREE")
        assert found["1005"] == ("010", "statement", None)
        assert found["1006"] == ("1823", "attack", "ASSAULT")

    def test_participants_shared_code_regions_and_kinds(self, files: dict[str, Path]) -> None:
        people = {p["name"]: p for p in of_type(read(files["export"]), "participant")}
        assert people["UNITED STATES"]["identifiers"] == {"cameo": "USA"}
        assert people["WASHINGTON"]["identifiers"] == {"cameo": "USA"}
        assert people["UNITED STATES"]["slug"] != people["WASHINGTON"]["slug"]
        assert (people["UNITED STATES"]["kind"], people["UNITED STATES"]["country"]) == (
            "state",
            "US",
        )
        assert "country" not in people["AFRICA"]
        assert "country" not in people["THE WEST"]
        assert people["AFRICA"]["identifiers"] == {"cameo": "AFR"}
        assert people["KOSOVO"]["country"] == "XK"
        assert (people["ANGELA MERKEL"]["kind"], people["ANGELA MERKEL"]["country"]) == (
            "government",
            "DE",
        )
        assert people["REBEL"]["kind"] == "armed_group"
        assert people["IGBO"]["identifiers"] == {"cameo": "ibo"}

    def test_sources_urls_and_citations(self, files: dict[str, Path]) -> None:
        sources = of_type(read(files["export"]), "source")
        assert [(s.get("url"), s.get("citation")) for s in sources] == [
            (fx.URL, None),
            (None, "BBC Monitoring"),
            (None, "http://example.com/a story with spaces"),
        ]
        assert events(read(files["export"]))["1008"]["sources"] == []

    def test_each_reference_comes_once_and_before_its_event(self, files: dict[str, Path]) -> None:
        seen: set[str] = set()
        for item in read(files["export"]):
            if not isinstance(item, GdeltRecord):
                continue
            record = item.record
            if record["type"] != "event":
                assert record["slug"] not in seen
                seen.add(record["slug"])
                continue
            refs = [p["participant"] for p in record["participants"]]
            assert set(refs + [s["source"] for s in record["sources"]]) <= seen

    def test_no_location_without_geography(self, files: dict[str, Path]) -> None:
        assert "location" not in events(read(files["export"]))["1008"]


@pytest.mark.skipif(SAMPLE is None, reason="the GDELT sample is not in shared/data")
class TestRealSample:
    def test_every_row_maps(self) -> None:
        assert SAMPLE is not None
        with SAMPLE.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        items = read(SAMPLE)
        kinds = Counter(i.record["type"] for i in items if isinstance(i, GdeltRecord))
        actors = {(r[f"Actor{n}Name"], r[f"Actor{n}Code"]) for r in rows for n in "12"}
        actors.discard(("", ""))
        assert [i for i in items if isinstance(i, RowProblem)] == []
        assert kinds == {
            "event": len(rows),
            "participant": len(actors),
            "source": len({r["SOURCEURL"] for r in rows if r["SOURCEURL"]}),
        }
        assert set(events(items)) == {r["GLOBALEVENTID"] for r in rows}


class TestFailedRows:
    def test_a_failed_row_introduces_nothing(self, tmp_path: Path) -> None:
        actor = {"Actor1Code": "FRA", "Actor1Name": "FRANCE", "Actor1CountryCode": "FRA"}
        bad = fx.row(GLOBALEVENTID="1", EventCode="040", Actor2Code="??", Actor2Name="X", **actor)
        good = fx.row(GLOBALEVENTID="2", EventCode="040", **actor)
        path = tmp_path / "two.export.CSV"
        path.write_text(fx.export_text([bad, good]), encoding="utf-8")
        items = read(path)
        assert items[0] == RowProblem(1, "actor_code", "Actor2Code '??' is not a CAMEO actor code")
        assert [(i.line, i.record["type"]) for i in items[1:] if isinstance(i, GdeltRecord)] == [
            (2, "participant"),
            (2, "source"),
            (2, "event"),
        ]
