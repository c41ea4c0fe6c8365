"""Synthetic GDELT 2.0 export files for the importer's benchmark: deterministic rows in the
canonical layout (tab-separated, 61 columns, no header), with actors, places and URLs repeating
about as often as in a real day of GDELT."""

import argparse
import random
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from app.importers.gdelt_files import COLUMNS
from app.reference import cameo, cameo_actors, fips

_COL = {name: index for index, name in enumerate(COLUMNS)}
_TYPES = ["", "", "GOV", "MIL", "REB", "COP", "JUD", "LEG", "MED", "BUS", "CVL"]
FIRST_ID = 700_000_000


def _actor(rng: random.Random, countries: list[str]) -> tuple[str, str, str, str]:
    """(code, name, country code, type code) of an actor from a small pool of names."""
    country = rng.choice(countries)
    kind = rng.choice(_TYPES)
    return country + kind, f"{country} ACTOR {rng.randrange(8)}", country, kind


def rows(count: int, seed: int = 42) -> Iterator[list[str]]:
    """`count` synthetic rows; one URL for about every four rows, as in GDELT."""
    rng = random.Random(seed)
    codes = [code for code in cameo.event_codes() if len(code) > 2]
    countries = sorted(code for code in cameo_actors.COUNTRIES if len(code) == 3)[:120]
    places = sorted(fips.FIPS_TO_ISO)
    for number in range(count):
        fields = [""] * len(COLUMNS)
        day = f"20{rng.randrange(15, 25)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        code = rng.choice(codes)
        values = {
            "GLOBALEVENTID": str(FIRST_ID + number), "SQLDATE": day, "EventCode": code,
            "EventBaseCode": code[:3], "EventRootCode": code[:2], "IsRootEvent": "1",
            "QuadClass": str(rng.randrange(1, 5)),
            "GoldsteinScale": f"{rng.uniform(-10, 10):.1f}",
            "NumMentions": str(rng.randrange(1, 50)), "NumSources": str(rng.randrange(1, 5)),
            "NumArticles": str(rng.randrange(1, 50)), "AvgTone": f"{rng.uniform(-10, 10):.6f}",
            "ActionGeo_Type": "4", "ActionGeo_CountryCode": rng.choice(places),
            "ActionGeo_FullName": f"Town {rng.randrange(5000)}, Region, Country",
            "ActionGeo_Lat": f"{rng.uniform(-60, 70):.4f}",
            "ActionGeo_Long": f"{rng.uniform(-180, 180):.4f}",
            "DATEADDED": day + "000000",
            "SOURCEURL": f"https://news.example.org/{number // 4}",
        }  # fmt: skip
        for prefix in ("Actor1", "Actor2"):
            if rng.random() < 0.8:
                code_, name, country, kind = _actor(rng, countries)
                values |= {f"{prefix}Code": code_, f"{prefix}Name": name}
                values |= {f"{prefix}CountryCode": country, f"{prefix}Type1Code": kind}
        for column, value in values.items():
            fields[_COL[column]] = value
        yield fields


def write(path: Path, count: int, seed: int = 42) -> Path:
    """Write `count` rows to `path` as a canonical export file."""
    with path.open("w", encoding="utf-8") as out:
        for fields in rows(count, seed):
            out.write("\t".join(fields) + "\n")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.gdelt_data ROWS PATH`: write a synthetic export file."""
    parser = argparse.ArgumentParser(prog="python -m bench.gdelt_data", description=__doc__)
    parser.add_argument("rows", type=int, help="rows to write")
    parser.add_argument("path", type=Path, help="file to write (*.export.CSV)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    args = parser.parse_args(argv)
    write(args.path, args.rows, args.seed)
    print(f"gdelt_data: wrote {args.rows:,} rows to {args.path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
