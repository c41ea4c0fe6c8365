"""Readers that turn other formats into the project's NDJSON import records."""
