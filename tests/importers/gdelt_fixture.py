"""A GDELT 2.0 events fixture written by the project: a few rows covering the traps, in the
canonical export layout, the header CSV layout and zipped."""

import csv
import io
import zipfile
from pathlib import Path

from app.importers.gdelt_files import COLUMNS, HEADER_COLUMNS

URL = "https://news.example.org/2019/09/12/sochi-visit"


def row(**values: str) -> list[str]:
    """A row of the 61 canonical columns: the given values, empty elsewhere."""
    base = {"SQLDATE": "20190912", "QuadClass": "1", "GoldsteinScale": "1.9", "NumMentions": "4"}
    base.update({"NumSources": "1", "NumArticles": "4", "AvgTone": "-1.25", "SOURCEURL": URL})
    base.update(values)
    unknown = set(base) - set(COLUMNS)
    assert not unknown, unknown
    return [base.get(name, "") for name in COLUMNS]


def _actor(number: str, code: str, name: str, country: str, *types: str) -> dict[str, str]:
    fields = {f"Actor{number}Code": code, f"Actor{number}Name": name}
    fields[f"Actor{number}CountryCode"] = country
    for index, type_code in enumerate(types, start=1):
        fields[f"Actor{number}Type{index}Code"] = type_code
    return fields


def _geo(kind: str, name: str, fips: str, lat: str = "", lon: str = "") -> dict[str, str]:
    return {
        "ActionGeo_Type": kind,
        "ActionGeo_FullName": name,
        "ActionGeo_CountryCode": fips,
        "ActionGeo_Lat": lat,
        "ActionGeo_Long": lon,
    }


USA = _actor("1", "USA", "UNITED STATES", "USA")
GOOD = [
    row(GLOBALEVENTID="1001", EventCode="042", **USA, **_actor("2", "ISR", "ISRAEL", "ISR"),
        **_geo("4", "Jerusalem, Jerusalem, Israel", "IS", "31.78", "35.22")),
    row(GLOBALEVENTID="1002", EventCode="0233", **_actor("1", "USA", "WASHINGTON", "USA"),
        **_actor("2", "AFR", "AFRICA", "AFR"),
        **_geo("4", "Sydney, New South Wales, Australia", "AS", "-33.88", "151.22")),
    row(GLOBALEVENTID="1003", EventCode="190", QuadClass="4", GoldsteinScale="-10", **USA,
        **_geo("1", "China", "CH", "35", "105"), SOURCEURL="BBC Monitoring"),
    row(GLOBALEVENTID="1004", EventCode="057",
        **_actor("1", "DEUGOV", "ANGELA MERKEL", "DEU", "GOV"),
        **_actor("2", "RUS", "RUSSIA", "RUS"), **_geo("4", "Berlin, Berlin, Germany", "GM"),
        SOURCEURL="http://example.com/a story with spaces"),
    row(GLOBALEVENTID="1005", EventCode="010", **_actor("1", "ibo", "IGBO", ""),
        **_geo("5", "Lagos, Nigeria", "NI", "6.45", "3.4")),
    row(GLOBALEVENTID="1006", EventCode="1823", QuadClass="4", GoldsteinScale="-10",
        **_actor("1", "REB", "REBEL", "", "REB"), **_geo("1", "Russia", "RS", "60", "100")),
    row(GLOBALEVENTID="1007", EventCode="036", **_actor("1", "KOS", "KOSOVO", "KOS"),
        **_geo("4", "Pristina, Pristina, Kosovo", "KV", "42.67", "21.17")),
    row(GLOBALEVENTID="1008", EventCode="111", **_actor("1", "WST", "THE WEST", "WST"),
        **_geo("0", "", ""), SOURCEURL=""),
]  # fmt: skip
BAD = [
    (row(GLOBALEVENTID="2001", EventCode="999", **USA), "event_code"),
    (row(GLOBALEVENTID="2002", EventCode="040", SQLDATE="20191345"), "date"),
    (row(GLOBALEVENTID="2003", EventCode="040")[:30], "columns"),
    (row(GLOBALEVENTID="2004", EventCode="040", **_geo("1", "Nowhere", "QQ")), "country"),
    (row(GLOBALEVENTID="2005", EventCode="040", GoldsteinScale="12"), "goldstein"),
]
ROWS = GOOD + [fields for fields, _ in BAD]
# Lines of the bad rows in either layout: the export has no header, the CSV one.
BAD_LINES = {reason: len(GOOD) + index + 1 for index, (_, reason) in enumerate(BAD)}


def export_text(rows: list[list[str]] = ROWS) -> str:
    """The rows as a canonical export: tab-separated, no header."""
    return "".join("\t".join(fields) + "\n" for fields in rows)


def header_text(rows: list[list[str]] = ROWS) -> str:
    """The rows in the header CSV layout, with CAMEOCodeDescription after EventCode."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER_COLUMNS)
    at = COLUMNS.index("EventCode") + 1
    for fields in rows:
        writer.writerow(
            [*fields[:at], "Some description", *fields[at:]] if len(fields) > at else fields
        )
    return out.getvalue()


def write_files(folder: Path) -> dict[str, Path]:
    """The fixture in every layout: export, header CSV, and each zipped."""
    paths = {
        "export": folder / "20190912000000.export.CSV",
        "header": folder / "events-fixture.csv",
    }
    paths["export"].write_text(export_text(), encoding="utf-8")
    paths["header"].write_text(header_text(), encoding="utf-8")
    for name in ("export", "header"):
        zipped = folder / f"{paths[name].name}.zip"
        with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(paths[name], paths[name].name)
        paths[f"{name}-zip"] = zipped
    return paths
