"""Where a stored fact comes from: stated by its source, background knowledge, or an assessment."""

from pydantic import Field

from app.models import Provenance
from app.schemas.common import InputModel, PublicModel

PROVENANCE = (
    "Where the fact comes from: `stated` (its source states it), `background` (known, but "
    "no source here states it: it cites none), or `assessment` (the record's own inference; "
    "`provenance_basis` says from what)."
)
BASIS = "Why the fact is held: required for an `assessment`, e.g. what the source does say."


class ProvenanceIn(InputModel):
    """The provenance fields a write may send."""

    provenance: Provenance | None = Field(default=None, description=PROVENANCE)
    provenance_basis: str | None = Field(
        default=None, min_length=1, max_length=1000, description=BASIS
    )


class ProvenancePublic(PublicModel):
    """The provenance fields of a record as returned."""

    provenance: Provenance = Field(description=PROVENANCE)
    provenance_basis: str | None = Field(description=BASIS)
