"""Revisions, the changes feed and their query models."""

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import InputModel


class ResourceType(StrEnum):
    event = "event"
    participant = "participant"
    claim = "claim"
    source = "source"


class Operation(StrEnum):
    create = "create"
    update = "update"
    delete = "delete"
    restore = "restore"
    merge = "merge"
    purge = "purge"


class RevisionPublic(BaseModel):
    """One committed change of a record."""

    resource: ResourceType = Field(description="The kind of record.")
    id: uuid.UUID = Field(description="The record's id.")
    version: int = Field(description="The record's version after this change (its ETag's).")
    operation: Operation = Field(description="What the change was.")
    recorded_at: dt.datetime = Field(description="When the change was committed (UTC).")
    key_id: uuid.UUID | None = Field(description="The API key that made it; null without one.")
    changes: dict[str, Any] | None = Field(
        description="What changed: `fields` maps each changed column to `[before, after]`; "
        "each sub-record table (e.g. `event_participant`) maps a sub-record's key to "
        "`[before, after]` (null before: added; null after: removed). Null once purged."
    )


class RevisionDetail(RevisionPublic):
    """One revision with the record as it stood after it."""

    record: dict[str, Any] | None = Field(
        description="The record after this change: `fields` (its stored columns) and "
        "`children` (its sub-records by table and key). For a delete, the record as deleted; "
        "null once purged."
    )


class Change(RevisionDetail):
    """One entry of the changes feed.

    To mirror: store `record` on create, update, restore and merge; remove the record on
    delete and purge, and on a merge whose `changes.merged_into` names the survivor.
    """

    seq: int = Field(description="Position in commit order; pass it as `since` to continue.")


class RevisionPage(BaseModel):
    """A record's revisions, oldest first."""

    items: list[RevisionPublic] = Field(description="Revisions in version order.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at end.")


class ChangesPage(BaseModel):
    """A page of the changes feed in commit order."""

    items: list[Change] = Field(description="Changes in commit order.")
    next_cursor: str = Field(
        description="Pass as `since` to read on; when the page is not full this is where to "
        "poll from later."
    )
    more: bool = Field(description="True if more changes are already waiting.")


class RevisionQuery(BaseModel):
    """Paging of a record's revisions."""

    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=500, description="Revisions per page (1-500).")


class ChangesQuery(BaseModel):
    """Where to read the changes feed from, and which resources."""

    model_config = ConfigDict(extra="forbid")

    since: str | None = Field(
        None, description="`next_cursor` of the previous page; omit to start from the first."
    )
    limit: int = Field(100, ge=1, le=1000, description="Changes per page (1-1000).")
    type: list[ResourceType] = Field(
        default_factory=list, description="Only these resources (repeat for several)."
    )


class MergeRequest(InputModel):
    """Body of POST /participants/{id}/merge and /events/{id}/merge."""

    into: str = Field(
        min_length=1,
        max_length=120,
        description="The surviving record's UUID or slug; the addressed one is merged into it.",
        examples=["vladimir-putin"],
    )


class MergeReport(BaseModel):
    """What a merge did."""

    survivor_id: uuid.UUID = Field(description="The record everything moved to.")
    merged_id: uuid.UUID = Field(
        description="The merged record; its id and slug now answer 308 to the survivor."
    )
    combined: list[str] = Field(
        description="Conflicts combined rather than duplicated, e.g. the same participant "
        "twice in one event with one role."
    )
