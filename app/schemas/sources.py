"""Request and response models of sources."""

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator
from pydantic.json_schema import SkipJsonSchema

from app.models import SourceKind
from app.schemas.common import (
    DateValue,
    EDTFString,
    InputModel,
    LanguageTag,
    ListQuery,
    OptionalSlug,
    RecordMeta,
    Slug,
    Timestamp,
)

SHA256_DERIVED = "is derived from the text and cannot be set; send `text` instead"
# The text is what quotes and their offsets are checked against and what sha256 is taken of:
# it is stored exactly as sent, never trimmed like the other strings.
SourceText = Annotated[str, StringConstraints(strip_whitespace=False)]


class _SourceInput(InputModel):
    """A source's body: `sha256` is derived from `text`, so a write may not send one."""

    # Left out of the documented body (a generated client would offer it otherwise); a body that
    # sends it anyway is told why it cannot.
    sha256: SkipJsonSchema[None] = None

    @field_validator("sha256", mode="before")
    @classmethod
    def _refuse_sha256(cls, value: object) -> None:
        # A hash sent by hand would vouch for a text nobody can check.
        if value is not None:
            raise ValueError(SHA256_DERIVED)


class SourceCreate(_SourceInput):
    """Body of POST /sources. With `text`, quotes of claims are checked against it."""

    slug: OptionalSlug = None
    kind: SourceKind = Field(description="What sort of source this is.")
    title: str = Field(min_length=1, max_length=500, description="Headline or title.")
    author: str | None = Field(default=None, max_length=300, description="Who wrote it.")
    publisher: str | None = Field(default=None, max_length=300, description="Who published it.")
    url: str | None = Field(
        default=None,
        max_length=2000,
        pattern=r"^https?://\S+$",
        description="Where it is online: an http(s) URL without spaces (anything else is a "
        "`citation`).",
    )
    citation: str | None = Field(
        default=None,
        max_length=1000,
        description="How to find it without a URL, e.g. `BBC Monitoring, 12 Sep 2019`.",
    )
    published: EDTFString | None = Field(default=None, description="When it was published.")
    language: LanguageTag | None = None
    credits: str | None = Field(default=None, max_length=1000, description="e.g. a photo credit.")
    text: SourceText | None = Field(
        default=None, max_length=2_000_000, description="Full text; quotes are checked against it."
    )


class SourceUpdate(_SourceInput):
    """Body of PATCH /sources/{id}: only the fields sent change."""

    slug: Slug | None = None
    kind: SourceKind | None = None
    title: str | None = Field(default=None, min_length=1, max_length=500)
    author: str | None = Field(default=None, max_length=300)
    publisher: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")
    citation: str | None = Field(default=None, max_length=1000)
    published: EDTFString | None = None
    language: LanguageTag | None = None
    credits: str | None = Field(default=None, max_length=1000)
    text: SourceText | None = Field(default=None, max_length=2_000_000)


class SourcePublic(RecordMeta):
    """A source as the API returns it."""

    slug: str = Field(description="Unique human-readable id.")
    kind: SourceKind = Field(description="What sort of source this is.")
    title: str = Field(description="Headline or title.")
    author: str | None = Field(description="Who wrote it.")
    publisher: str | None = Field(description="Who published it.")
    url: str | None = Field(description="Where it is online.")
    citation: str | None = Field(description="How to find it without a URL.")
    published: DateValue | None = Field(description="When it was published.")
    language: str | None = Field(description="BCP 47 language tag.")
    credits: str | None = Field(description="e.g. a photo credit.")
    text: str | None = Field(description="Full text, when stored.")
    sha256: str | None = Field(
        description="SHA-256 of `text` (hex), computed by the server; null without a text."
    )


class SourceQuery(ListQuery):
    """Query of GET /sources: paging and shape."""

    updated_since: Timestamp | None = Field(
        default=None,
        description="Changed at or after this time (ISO 8601); deletions are in /changes.",
    )
