"""Request and response models of /keys."""

import datetime as dt
import enum
import uuid

from pydantic import Field

from app.schemas.common import InputModel, PublicModel, ShapeQuery


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
    prefix: str = Field(
        description="A few characters to recognise the key by: `ge_` and the next 4 "
        "(the first 4 of a key set by GEOEVENTS_ADMIN_KEY)."
    )
    scopes: list[KeyScope] = Field(description="The scopes granted, as given at creation.")
    created_at: dt.datetime = Field(description="When the key was created (UTC).")
    created_by: uuid.UUID | None = Field(
        description="The admin key that created it; null if made at startup or on the command line."
    )
    revoked_at: dt.datetime | None = Field(
        description="When the key was revoked (UTC); null while it works."
    )
    bootstrap: bool = Field(
        description="Made at startup from GEOEVENTS_ADMIN_KEY; revoked when that changes."
    )


class KeyCreated(KeyPublic):
    """A key just created: the only response that shows the key itself."""

    key: str = Field(
        description="The bearer key. Shown once: only its SHA-256 is stored, so keep it now."
    )


class KeyAction(enum.StrEnum):
    """What happened to a key."""

    created = "created"
    revoked = "revoked"


class KeyVia(enum.StrEnum):
    """Through what a key was changed."""

    api = "api"
    cli = "cli"
    startup = "startup"
    # Changes made before the audit trail existed, rebuilt from the keys themselves.
    unknown = "unknown"


class KeyEventQuery(ShapeQuery):
    """Filters of GET /keys/events."""

    key_id: uuid.UUID | None = Field(
        default=None, description="Only the events of this key (its UUID)."
    )


class KeyEventPublic(PublicModel):
    """One audited change to an API key."""

    id: uuid.UUID = Field(description="Stable UUID of the event.")
    key_id: uuid.UUID = Field(description="The key created or revoked.")
    action: KeyAction = Field(description="`created` or `revoked`.")
    actor_id: uuid.UUID | None = Field(
        description="The admin key that did it; null at startup, on the command line, or unknown."
    )
    via: KeyVia = Field(
        description="`api` (/keys), `cli` (python -m app.keys), `startup` "
        "(GEOEVENTS_ADMIN_KEY), or `unknown` (before the audit trail existed)."
    )
    created_at: dt.datetime = Field(description="When it happened (UTC).")
