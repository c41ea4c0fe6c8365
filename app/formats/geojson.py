"""GeoJSON (RFC 7946): located events as one FeatureCollection, written feature by feature.

An event is a Point feature (`[lon, lat]`) when it has coordinates; events without are left
out. `id` is the event's id; `properties` are the CSV columns other than the coordinates,
with their JSON types (numbers, null, lists as arrays).
"""

from collections.abc import Iterable, Iterator
from typing import Any

from app.formats.columns import EVENT
from app.formats.json_text import json_sequence
from app.formats.registry import ExportContext, Writer, register

_COORDINATES = {"location_lat", "location_lon"}
PROPERTIES = [(name, read) for name, read in EVENT if name not in _COORDINATES]


def feature(event: Any) -> dict[str, Any] | None:
    """The Feature of a located event; None without coordinates."""
    location = event.location
    if location is None or location.lat is None or location.lon is None:
        return None
    return {
        "type": "Feature",
        "id": str(event.id),
        "geometry": {"type": "Point", "coordinates": [location.lon, location.lat]},
        "properties": {name: read(event) for name, read in PROPERTIES},
    }


def _render(events: Iterable[Any], context: ExportContext) -> Iterator[str]:
    features = (found for event in events if (found := feature(event)) is not None)
    return json_sequence('{"type":"FeatureCollection","features":[\n', features, "\n]}\n")


GEOJSON = register(
    Writer(
        name="geojson",
        media_type="application/geo+json",
        extension="geojson",
        renders={"event": _render},
        description="A FeatureCollection of the events that have coordinates, each a Point "
        "feature whose properties are the CSV columns.",
    )
)
