"""Choosing the format of a list: `format=` first, then the `Accept` header, else JSON."""

from dataclasses import dataclass

from app.errors import NotAcceptable, invalid
from app.formats.registry import JSON_MEDIA_TYPE, JSON_NAME, Kind, Writer, offered


@dataclass(frozen=True)
class MediaRange:
    """One entry of an `Accept` header, e.g. `text/*;q=0.5`."""

    type: str
    subtype: str
    quality: float

    def specificity(self, media_type: str) -> int | None:
        """How closely this range names `media_type` (2 exact, 1 `type/*`, 0 `*/*`); None if not."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else None


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an `Accept` header; malformed entries are skipped, as RFC 9110 allows."""
    ranges = []
    for entry in header.split(","):
        media, *params = (part.strip() for part in entry.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append(MediaRange(kind, sub, quality))
    return ranges


def _quality(ranges: list[MediaRange], media_type: str) -> float:
    # The most specific range that names the type decides (RFC 9110 section 12.5.1).
    best: tuple[int, float] | None = None
    for media_range in ranges:
        specificity = media_range.specificity(media_type)
        if specificity is not None and (best is None or specificity > best[0]):
            best = (specificity, media_range.quality)
    return 0.0 if best is None else best[1]


def choose(kind: Kind, format_name: str | None, accept: str | None) -> Writer | None:
    """The writer asked for, or None for JSON; a 422 or 406 listing what the list offers.

    `format` wins over `Accept`. Of equally acceptable types, JSON comes first, then the
    writers in the order they were registered.
    """
    writers = offered(kind)
    if format_name is not None:
        if format_name == JSON_NAME:
            return None
        for writer in writers:
            if writer.name == format_name:
                return writer
        names = ", ".join([JSON_NAME, *(w.name for w in writers)])
        raise invalid(("query", "format"), f"unknown format '{format_name}'; offered: {names}")
    if accept is None or not accept.strip():
        return None
    ranges = parse_accept(accept)
    candidates: list[tuple[str, Writer | None]] = [(JSON_MEDIA_TYPE, None)]
    candidates += [(w.media_type, w) for w in writers]
    scored = [(_quality(ranges, media), -n, w) for n, (media, w) in enumerate(candidates)]
    quality, _, chosen = max(scored, key=lambda s: (s[0], s[1]))
    if quality <= 0:
        types = ", ".join(media for media, _ in candidates)
        raise NotAcceptable(f"none of the types in Accept is offered here; offered: {types}")
    return chosen
