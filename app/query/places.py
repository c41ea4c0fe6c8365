"""Where events are: the `bbox` and `near` filters, checked and made into index-backed ranges."""

import math
import re

from sqlalchemy import ColumnElement, case, func, or_
from sqlmodel import col

from app.errors import invalid
from app.models import Event

_EARTH_RADIUS_KM = 6371.0
_DECIMAL = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*)?|[-+]?\.[0-9]+")


def in_box(bbox: str) -> list[ColumnElement[bool]]:
    """Conditions: located in `min_lon,min_lat,max_lon,max_lat`, checked (a 422 if not)."""
    lat, lon = col(Event.location_lat), col(Event.location_lon)
    min_lon, min_lat, max_lon, max_lat = _numbers(bbox, "bbox", 4)
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise invalid(("query", "bbox"), "longitudes must be within -180..180")
    if not (-90 <= min_lat <= max_lat <= 90):
        raise invalid(("query", "bbox"), "latitudes must be within -90..90, min first")
    # A box across the antimeridian has min_lon > max_lon.
    across = or_(lon >= min_lon, lon <= max_lon)
    return [
        lat.between(min_lat, max_lat),
        lon.between(min_lon, max_lon) if min_lon <= max_lon else across,
    ]


def near(text: str) -> list[ColumnElement[bool]]:
    """Conditions: located within `lat,lon,radius_km`, checked (a 422 if not)."""
    lat0, lon0, radius = _numbers(text, "near", 3)
    if not (-90 <= lat0 <= 90 and -180 <= lon0 <= 180) or radius <= 0 or radius > 20_000:
        raise invalid(("query", "near"), "needs lat -90..90, lon -180..180, 0 < radius_km <= 20000")
    lat, lon = col(Event.location_lat), col(Event.location_lon)
    # A box on the (lat, lon) index first, then the exact great-circle distance.
    spread = math.degrees(radius / _EARTH_RADIUS_KM)
    found: list[ColumnElement[bool]] = [lat.between(lat0 - spread, lat0 + spread)]
    if abs(lat0) + spread < 89:
        wide = spread / math.cos(math.radians(abs(lat0) + spread))
        if lon0 - wide >= -180 and lon0 + wide <= 180:
            found.append(lon.between(lon0 - wide, lon0 + wide))
    cosine = func.sin(func.radians(lat0)) * func.sin(func.radians(lat)) + func.cos(
        func.radians(lat0)
    ) * func.cos(func.radians(lat)) * func.cos(func.radians(lon) - func.radians(lon0))
    # Rounding can push the cosine of a zero distance past 1, outside acos's domain.
    distance = _EARTH_RADIUS_KM * func.acos(case((cosine > 1.0, 1.0), else_=cosine))
    found.append(distance <= radius)
    return found


def _numbers(text: str, name: str, expected: int) -> list[float]:
    parts = text.split(",")
    # float() alone would take "٤٥", "1_0", "nan" and "inf": only plain ASCII decimals count.
    if not all(_DECIMAL.fullmatch(part.strip()) for part in parts):
        raise invalid(("query", name), "must be comma-separated numbers")
    values = [float(part) for part in parts]
    if len(values) != expected:
        raise invalid(("query", name), f"must have {expected} numbers")
    return values
