"""Export formats: the writers of each media type, and which records each can write."""

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session

# The kinds of record a list returns; a writer says which of them it can write.
Kind = Literal["event", "participant", "claim", "source"]
KINDS: tuple[Kind, ...] = ("event", "participant", "claim", "source")
JSON_NAME = "json"
JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True)
class ExportContext:
    """What a writer may need besides the records: which list, and where the API lives."""

    kind: Kind
    # Absolute URL of the API root (`https://host/api/v1`), for links and `@id`s.
    api_url: str
    # Sessions on the request's database, for a writer that reads more than the public
    # records hold (the import format reads each record's links).
    sessions: Callable[[], AbstractContextManager[Session]] | None = None


# Writes records (the list's public models, e.g. EventPublic) as text, piece by piece.
Render = Callable[[Iterable[Any], ExportContext], Iterator[str]]


@dataclass(frozen=True)
class Writer:
    """One export format: its `format=` name, media type, file extension and renderers."""

    name: str
    media_type: str
    extension: str
    renders: Mapping[Kind, Render]
    # Parameters sent with the media type in Content-Type, e.g. `; charset=utf-8`.
    parameters: str = ""
    description: str = ""

    @property
    def content_type(self) -> str:
        """The Content-Type header of an export in this format."""
        return self.media_type + self.parameters


WRITERS: dict[str, Writer] = {}


def register(writer: Writer) -> Writer:
    """Offer `writer` on every list of the kinds it renders; keyed by its media type."""
    taken = {w.name for w in WRITERS.values() if w.media_type != writer.media_type}
    if writer.name in taken | {JSON_NAME}:
        raise ValueError(f"format name '{writer.name}' is taken")
    WRITERS[writer.media_type] = writer
    return writer


def offered(kind: Kind) -> list[Writer]:
    """The writers of `kind`, in the order they were registered."""
    return [w for w in WRITERS.values() if kind in w.renders]
