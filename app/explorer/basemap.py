"""Make the explorer's basemap from world-atlas's Natural Earth 1:110m countries (run once).

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m app.explorer.basemap package/countries-110m.json \
        > app/explorer/static/explorer/countries-110m.json

The TopoJSON keeps its quantised arcs; each country gains its ISO 3166-1 alpha-2 code (`a2`),
which is what the API's `country` speaks, and the `land` outline the page does not draw is left
out.
"""

import json
import sys
from pathlib import Path
from typing import Any

import pycountry

ATTRIBUTION = (
    "Made with Natural Earth (public domain), 1:110m Admin 0 countries v4.1.0, "
    "as TopoJSON by world-atlas 2.0.2 (ISC licence, Copyright 2013-2019 Michael Bostock)."
)


def alpha_2(numeric: str | None) -> str | None:
    """The alpha-2 code of an ISO 3166-1 numeric code; None for areas without one (Kosovo)."""
    found = pycountry.countries.get(numeric=numeric) if numeric else None
    return str(found.alpha_2) if found else None


def convert(topology: dict[str, Any]) -> dict[str, Any]:
    """The countries object alone, each with `name` and `a2`, and the attribution."""
    countries = topology["objects"]["countries"]
    for geometry in countries["geometries"]:
        code = alpha_2(geometry.pop("id", None))
        geometry["properties"] = {"name": geometry["properties"]["name"]}
        if code:
            geometry["properties"]["a2"] = code
    return {
        "type": "Topology",
        "attribution": ATTRIBUTION,
        "bbox": topology["bbox"],
        "transform": topology["transform"],
        "objects": {"countries": countries},
        "arcs": topology["arcs"],
    }


def main() -> None:
    """Read the world-atlas file named on the command line, write the basemap to stdout."""
    topology = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    json.dump(convert(topology), sys.stdout, separators=(",", ":"), ensure_ascii=False)


if __name__ == "__main__":
    main()
