"""Request and response models of /keys."""

import datetime as dt
import enum
import uuid

from pydantic import Field

from app.schemas.common import InputModel, PublicModel


class KeyScope(enum.StrEnum):
    """What a key may do; admin implies write, write implies read."""

    read = "read"
    write = "write"
    admin = "admin"


class KeyCreate(InputModel):
    """A new API key."""

    name: str = Field(
        min_length=1,
        max_length=100,
        description="Who or what uses the key, e.g. `newsroom importer`.",
        examples=["newsroom importer"],
    )
    scopes: list[KeyScope] = Field(
        min_length=1,
        description="read, write and/or admin; admin implies write, write implies read.",
        examples=[["write"]],
    )


class KeyPublic(PublicModel):
    """An API key as listed: never the key itself nor its hash."""

    id: uuid.UUID = Field(description="Stable UUID of the key; records name it as their author.")
    name: str = Field(description="Who or what uses the key.")
    prefix: str = Field(description="The key's first 10 characters, to recognise it.")
    scopes: list[KeyScope] = Field(description="The scopes granted, as given at creation.")
    created_at: dt.datetime = Field(description="When the key was created (UTC).")
    created_by: uuid.UUID | None = Field(
        description="The admin key that created it; null if made at startup or on the command line."
    )
    revoked_at: dt.datetime | None = Field(
        description="When the key was revoked (UTC); null while it works."
    )


class KeyCreated(KeyPublic):
    """A key just created: the only response that shows the key itself."""

    key: str | None = Field(
        description="The bearer key. Shown once: only its SHA-256 is stored, so keep it now. "
        "Null in the replay of a retried `Idempotency-Key` request: the key is not stored "
        "there either; revoke that key by `id` and create another if its answer was lost."
    )
