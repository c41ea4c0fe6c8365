"""Slugs made from a title or name when a record is created without one."""

import re
import unicodedata
import uuid
from typing import Any

from sqlmodel import Session, select

_BASE_LENGTH = 80
_SUFFIX_LENGTH = 8


def slugify(text: str) -> str:
    """Lowercase ASCII words of `text` joined by hyphens, at most 80 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[:_BASE_LENGTH].strip("-")
    return slug or "record"


def suffixed(base: str, record_id: uuid.UUID) -> str:
    """`base` made unique by the start of the record's id: stable for the record."""
    return f"{base}-{record_id.hex[:_SUFFIX_LENGTH]}"


def readable_as_uuid(slug: str) -> bool:
    """Whether `slug` would be looked up as an id (32 hex digits, say)."""
    try:
        uuid.UUID(slug)
    except ValueError:
        return False
    return True


def new_slug(session: Session, model: Any, text: str, record_id: uuid.UUID) -> str:
    """A free slug for a new record of `model` from its title or name."""
    base = slugify(text)
    taken = session.exec(select(model.id).where(model.slug == base)).first()
    if taken is not None or readable_as_uuid(base):
        return suffixed(base, record_id)
    return base
