"""Lines of the NDJSON import (and export) format, the import's options and its results."""

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models import ParticipantRole
from app.schemas.claims import ClaimCreate
from app.schemas.common import InputModel, Reference, RequestModel
from app.schemas.events import EventCreate
from app.schemas.participants import ParticipantCreate, RoleCreate
from app.schemas.sources import SourceCreate

RecordType = Literal["source", "participant", "event", "claim"]
LineStatus = Literal["created", "updated", "unchanged", "skipped", "error"]
_KEPT_ID = "The record's UUID, kept, so that a dump imports to the same ids."


class SourceLine(SourceCreate):
    """A source: the body of POST /sources, with `type` and optionally `id`."""

    type: Literal["source"] = Field(description="`source`.")
    id: uuid.UUID | None = Field(default=None, description=_KEPT_ID)


class ParticipantLine(ParticipantCreate):
    """A participant with its roles."""

    type: Literal["participant"] = Field(description="`participant`.")
    id: uuid.UUID | None = Field(default=None, description=_KEPT_ID)
    roles: list[RoleCreate] = Field(
        default_factory=list, max_length=200, description="Roles it held over time."
    )


class LinkIn(InputModel):
    """A participant of an event, with its role."""

    participant: Reference = Field(
        description="The participant: id, slug or identity identifier (`wikidata:Q7747`)."
    )
    role: ParticipantRole = Field(description="The participant's part in the event.")
    note: str | None = Field(default=None, max_length=1000, description="Free-text remark.")


class EventLine(EventCreate):
    """An event with its participants, identifiers, cited sources and relations."""

    type: Literal["event"] = Field(description="`event`.")
    id: uuid.UUID | None = Field(default=None, description=_KEPT_ID)
    participants: list[LinkIn] = Field(
        default_factory=list, max_length=500, description="Its participants and their roles."
    )


class ClaimLine(ClaimCreate):
    """A claim with its appearances, subjects and relations."""

    type: Literal["claim"] = Field(description="`claim`.")
    id: uuid.UUID | None = Field(default=None, description=_KEPT_ID)


ImportLine = SourceLine | ParticipantLine | EventLine | ClaimLine
LINE_MODELS: dict[str, type[ImportLine]] = {
    "source": SourceLine,
    "participant": ParticipantLine,
    "event": EventLine,
    "claim": ClaimLine,
}


class ImportQuery(RequestModel):
    """Options of POST /import."""

    model_config = ConfigDict(extra="forbid")

    on_conflict: Literal["skip", "update", "error"] = Field(
        default="skip",
        description="What a line naming an existing record (by id, slug or identity "
        "identifier) does when it differs: `skip` it, `update` the record to the line (the "
        "line replaces it whole), or report an `error`. An identical line is `unchanged`.",
    )
    format: Literal["ndjson", "gdelt"] = Field(
        default="ndjson",
        description="What the body is: `ndjson` (import lines) or `gdelt`, a GDELT 2.0 events "
        "file (the tab-separated export or its header CSV variant, plain or zipped), whose "
        "rows become events, participants and sources; a result's `line` is the file's line.",
    )
    dry_run: bool = Field(default=False, description="Validate and report only; write nothing.")
    atomic: bool = Field(
        default=False,
        description="One transaction for the whole file: any error line and nothing is "
        "written. By default each batch of lines is committed as it is done.",
    )


class LineProblem(BaseModel):
    """Why a line was not imported."""

    title: str = Field(description="Short summary: `Validation failed`, `Conflict`, ...")
    detail: str = Field(description="What is wrong with the line.")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Each invalid field, shaped like a 422's `errors`."
    )


class LineResult(BaseModel):
    """What became of one input line."""

    line: int = Field(description="The line number in the input, from 1.")
    status: LineStatus = Field(description="created, updated, unchanged, skipped or error.")
    type: RecordType | None = Field(default=None, description="The record type of the line.")
    id: uuid.UUID | None = Field(default=None, description="The record's id, when known.")
    problem: LineProblem | None = Field(default=None, description="Why, for `error` lines.")


class ImportSummary(BaseModel):
    """Counts of an import, sent as the last line of the answer."""

    created: int = Field(default=0, description="Lines that created a record.")
    updated: int = Field(default=0, description="Lines that updated a record.")
    unchanged: int = Field(default=0, description="Lines identical to the stored record.")
    skipped: int = Field(default=0, description="Lines naming a record that differs, skipped.")
    error: int = Field(default=0, description="Lines that failed.")
    committed: bool = Field(
        default=False,
        description="Whether the writes were kept: false for `dry_run`, and for an `atomic` "
        "import with an error line.",
    )

    def count(self, result: LineResult) -> None:
        """Add a line's result."""
        setattr(self, result.status, getattr(self, result.status) + 1)
