"""Reads served as JSON bytes: driver rows encoded straight into the API's public records.

The hot GETs skip ORM instances and pydantic models on the way out. Each record is read in a
few statements built once per dialect, and encoded with orjson into the same bytes FastAPI
would send for the `*Public` model (tests compare both paths on both engines).
"""
