"""Lists in other formats than JSON: negotiation, streaming, and one writer per media type.

A writer registers itself on import (`register(Writer(...))`); importing it here offers it
on every list of the kinds it renders.
"""

# Each import registers a writer; the order is the order of preference among equals.
from app.formats import csv_writer, geojson, ical, jsonld, ndjson  # noqa: F401
from app.formats.registry import KINDS, ExportContext, Kind, Render, Writer, register
from app.formats.stream import export, responses, walk

__all__ = [
    "KINDS",
    "ExportContext",
    "Kind",
    "Render",
    "Writer",
    "export",
    "register",
    "responses",
    "walk",
]
