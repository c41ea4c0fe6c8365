"""iCalendar (RFC 5545): each dated event as an all-day VEVENT.

A day-precise event covers its days. A coarser date covers every day it can mean (a month,
the whole month) and says so: the DESCRIPTION states the dates as recorded with their
precision, and X-GEOEVENTS-START / -END / -PRECISION carry them for programs. An open start
(`../2019-09-12`) begins on the last day it can mean; without an end the entry lasts the start's
span (one day for a day). Undated events are left out: a calendar entry needs a day.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from app.dates import DateValue
from app.formats.registry import ExportContext, Writer, register

PRODID = "-//geoevents//geoevents export//EN"
_FOLD_AT = 75  # octets per line, before the CRLF (RFC 5545 section 3.1)
_TENTATIVE_STATUSES = {"planned", "postponed"}
_TENTATIVE_CERTAINTIES = {"alleged", "disputed"}


def escape(text: str) -> str:
    """A TEXT value escaped: backslash, semicolon, comma and newlines (section 3.3.11)."""
    escaped = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """One content line with its CRLF, folded at 75 octets without splitting a character."""
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > _FOLD_AT:
            pieces.append(current)
            current, size = " ", 1
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces) + "\r\n"


def span(start: DateValue | None, end: DateValue | None) -> tuple[dt.date, dt.date] | None:
    """The first day and the day after the last that an event's dates can cover; None undated."""
    if start is None:
        return None
    first = start.earliest or start.latest
    if first is None:
        return None
    last = (end.latest if end is not None else None) or start.latest or first
    if start.earliest is None:  # an open start: the end bound is when it had begun by
        last = (end.latest if end is not None else None) or first
    return first, max(first, last) + dt.timedelta(days=1)


def _stamp(moment: dt.datetime) -> str:
    moment = moment.replace(tzinfo=moment.tzinfo or dt.UTC).astimezone(dt.UTC)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _status(event: Any) -> str:
    if event.status == "cancelled":
        return "CANCELLED"
    if event.status in _TENTATIVE_STATUSES or event.certainty in _TENTATIVE_CERTAINTIES:
        return "TENTATIVE"
    return "CONFIRMED"


def _stated(name: str, value: DateValue | None) -> str:
    if value is None:
        return f"{name}: not recorded"
    return f"{name}: {value.edtf} ({value.precision} precision)"


def _description(event: Any) -> str:
    parts = [event.summary] if event.summary else []
    dates = [event.start, event.end]
    if any(d is not None and (d.precision != "day" or "/" in d.edtf) for d in dates) or (
        event.end is None
    ):
        parts.append(
            "Dates as recorded: "
            + "; ".join([_stated("start", event.start), _stated("end", event.end)])
            + ". This entry covers every day they can mean."
        )
    return "\n\n".join(parts)


def _place(event: Any) -> list[tuple[str, str]]:
    location = event.location
    if location is None:
        return []
    words = [w for w in (location.name, location.admin1, location.country) if w]
    lines = [("LOCATION", escape(", ".join(words)))] if words else []
    if location.lat is not None and location.lon is not None:
        lines.append(("GEO", f"{location.lat};{location.lon}"))
    return lines


def vevent(event: Any, context: ExportContext) -> list[tuple[str, str]] | None:
    """The properties of an event's VEVENT, in order; None for an undated event."""
    days = span(event.start, event.end)
    if days is None:
        return None
    first, after = days
    lines = [
        ("UID", str(event.id)),
        ("DTSTAMP", _stamp(event.updated_at)),
        ("DTSTART;VALUE=DATE", first.strftime("%Y%m%d")),
        ("DTEND;VALUE=DATE", after.strftime("%Y%m%d")),
        ("SUMMARY", escape(event.title)),
        ("DESCRIPTION", escape(_description(event))),
        *_place(event),
        ("STATUS", _status(event)),
        ("CATEGORIES", escape(str(event.event_type.value))),
        ("URL", f"{context.api_url}/events/{event.id}"),
        ("CREATED", _stamp(event.created_at)),
        ("LAST-MODIFIED", _stamp(event.updated_at)),
        ("SEQUENCE", str(event.version - 1)),
        ("X-GEOEVENTS-SLUG", escape(event.slug)),
        ("X-GEOEVENTS-START", escape(event.start.edtf)),
        ("X-GEOEVENTS-PRECISION", event.start.precision),
    ]
    if event.end is not None:
        lines.append(("X-GEOEVENTS-END", escape(event.end.edtf)))
        lines.append(("X-GEOEVENTS-END-PRECISION", event.end.precision))
    return [("BEGIN", "VEVENT"), *lines, ("END", "VEVENT")]


def _render(events: Iterable[Any], context: ExportContext) -> Iterator[str]:
    yield "".join(fold(f"{k}:{v}") for k, v in _HEAD)
    for event in events:
        properties = vevent(event, context)
        if properties is not None:
            yield "".join(fold(f"{name}:{value}") for name, value in properties)
    yield fold("END:VCALENDAR")


_HEAD = [
    ("BEGIN", "VCALENDAR"),
    ("VERSION", "2.0"),
    ("PRODID", PRODID),
    ("CALSCALE", "GREGORIAN"),
    ("X-WR-CALNAME", "geoevents"),
]

ICALENDAR = register(
    Writer(
        name="ics",
        media_type="text/calendar",
        extension="ics",
        renders={"event": _render},
        parameters="; charset=utf-8",
        description="iCalendar with an all-day VEVENT per dated event; coarse dates cover every "
        "day they can mean, stated in DESCRIPTION and X-GEOEVENTS-START/-END/-PRECISION.",
    )
)
