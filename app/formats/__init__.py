"""Lists in other formats than JSON: negotiation, streaming, and one writer per media type.

A writer registers itself on import (`register(Writer(...))`); importing it here offers it
on every list of the kinds it renders.
"""

from app.formats import csv_writer  # noqa: F401  (registers text/csv)
from app.formats.registry import KINDS, ExportContext, Kind, Render, Writer, register
from app.formats.stream import export, responses

__all__ = ["KINDS", "ExportContext", "Kind", "Render", "Writer", "export", "register", "responses"]
