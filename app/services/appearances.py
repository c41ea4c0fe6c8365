"""Appearances of claims in sources, with the quote checked against the source text."""

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.errors import NotFound, invalid
from app.models import Appearance, Claim, Source, Verification
from app.schemas.claims import AppearanceCreate, AppearancePublic, AppearanceUpdate
from app.schemas.common import ShapeQuery
from app.services import crud, summaries

Loc = tuple[str | int, ...]
_EXCERPT = 80
_PLACEMENT = {"source_id", "quote", "char_start", "char_end"}
# What an unverified quote's confidence is when none is sent: unknown either way.
UNVERIFIED_CONFIDENCE = 0.5


def create_appearance(session: Session, claim_ref: str, data: AppearanceCreate) -> AppearancePublic:
    """Record where a claim appears; the quote must be in the source text where it has one."""
    claim = crud.get_or_404(session, Claim, claim_ref)
    row = add_appearance(session, claim, data, ("body",))
    crud.touch(claim)
    crud.commit(session, f"appearance of claim '{claim.slug}'")
    return to_public(session, [row])[0]


def add_appearance(
    session: Session,
    claim: Claim,
    data: AppearanceCreate,
    loc: Loc,
    *,
    verified_sha256: str | None = None,
) -> Appearance:
    """Add a checked appearance to a claim; `loc` is where `data` is in the request.

    `verified_sha256`: the caller checked the quote against the source's text, which is not
    stored, and it has this sha256 (the seed, whose article is checked by the test suite).
    """
    source = crud.resolve_ref(session, Source, data.source_id, (*loc, "source_id"))
    start, end = place_quote(source, data.quote, data.char_start, data.char_end, loc)
    row = Appearance(
        claim_id=claim.id, source_id=source.id, quote=data.quote, char_start=start, char_end=end
    )
    _verify(row, source, verified_sha256, loc)
    row.confidence = _confidence(row, source, data.confidence, (*loc, "confidence"))
    session.add(row)
    return row


def _verify(row: Appearance, source: Source, checked: str | None, loc: Loc) -> None:
    # A quote placed in a stored text was found there; without one it is only as sure as the
    # caller who checked it against a text of the recorded sha256.
    if checked is not None and source.text is None and checked != source.sha256:
        raise invalid((*loc, "source_id"), f"source '{source.slug}' has another sha256")
    sha256 = source.sha256 if source.text is not None else checked
    row.verification = Verification.verified if sha256 else Verification.unverified
    row.verified_sha256 = sha256


def _confidence(row: Appearance, source: Source, sent: float | None, loc: Loc) -> float:
    if row.verification == Verification.verified:
        return 1.0 if sent is None else sent
    if sent is None:
        return UNVERIFIED_CONFIDENCE
    if sent >= 1.0:
        raise invalid(
            loc,
            f"only a quote verified against its source's text can have confidence 1.0; "
            f"source '{source.slug}' has no stored text to check this one against: send a "
            "lower confidence, or store the source's text first",
        )
    return sent


def list_appearances(
    session: Session, claim_ref: str, query: ShapeQuery
) -> crud.Listed[AppearancePublic]:
    """A page of a claim's appearances in the order they were recorded."""
    claim = crud.get_or_404(session, Claim, claim_ref)
    found, next_cursor, total = crud.paginate(
        session,
        select(Appearance).where(col(Appearance.claim_id) == claim.id),
        Appearance,
        query,
        crud.query_scope(f"claim-appearances:{claim.id}", {}),
    )
    return to_public(session, found), next_cursor, total


def read_appearance(session: Session, claim_ref: str, appearance_id: uuid.UUID) -> AppearancePublic:
    """One appearance of a claim."""
    return to_public(session, [_get(session, claim_ref, appearance_id)[1]])[0]


def update_appearance(
    session: Session,
    claim_ref: str,
    appearance_id: uuid.UUID,
    data: AppearanceUpdate,
    *,
    if_match: str | None = None,
) -> AppearancePublic:
    """Change the fields sent; a new quote, source or offsets are checked again."""
    claim, row = _get(session, claim_ref, appearance_id)
    crud.check_if_match(row, if_match)
    changes = data.model_dump(exclude_unset=True)
    crud.reject_nulls(changes, ("source_id", "quote", "confidence"))
    if "quote" in changes:
        row.quote = changes["quote"]
    if "source_id" in changes:
        loc = ("body", "source_id")
        source = crud.resolve_ref(session, Source, changes["source_id"], loc)
    else:
        source = crud.get_or_404(session, Source, row.source_id)
    if _PLACEMENT & changes.keys():
        row.source_id = source.id
        row.char_start, row.char_end = place_quote(
            source,
            row.quote,
            changes.get("char_start", row.char_start),
            changes.get("char_end", row.char_end),
            ("body",),
            search="char_start" not in changes and "char_end" not in changes,
        )
        # Placed anew: verified only where the text is stored now.
        _verify(row, source, None, ("body",))
    if "confidence" in changes or row.verification == Verification.unverified:
        sent = changes.get("confidence", row.confidence)
        row.confidence = _confidence(row, source, sent, ("body", "confidence"))
    crud.touch(row)
    crud.touch(claim)
    crud.commit(session, f"appearance of claim '{claim.slug}'")
    return to_public(session, [row])[0]


def delete_appearance(
    session: Session, claim_ref: str, appearance_id: uuid.UUID, *, if_match: str | None = None
) -> None:
    """Remove one appearance of a claim."""
    claim, row = _get(session, claim_ref, appearance_id)
    crud.check_if_match(row, if_match)
    session.delete(row)
    crud.touch(claim)
    crud.commit(session, f"appearance of claim '{claim.slug}'")


def place_quote(
    source: Source,
    quote: str,
    start: int | None,
    end: int | None,
    loc: Loc,
    *,
    search: bool = False,
) -> tuple[int | None, int | None]:
    """The checked offsets of `quote` in `source`; found in its text when not given.

    With `search`, offsets that do not hold the quote are found again instead of rejected.
    """
    if (start is None) != (end is None):
        missing = "char_end" if end is None else "char_start"
        raise invalid((*loc, missing), "char_start and char_end go together: send both or neither")
    text = source.text
    if start is not None and end is not None:
        if text is None:
            if end != start + len(quote):
                raise invalid(
                    (*loc, "char_end"),
                    f"must be char_start + the quote's length ({start + len(quote)})",
                )
            return start, end
        if text[start:end] == quote:
            return start, end
        if not search:
            raise invalid((*loc, "char_start"), _mismatch(source, text, quote, start, end))
    if text is None:
        return None, None
    found = text.find(quote)
    if found < 0:
        raise invalid((*loc, "quote"), f"the quote is not in the text of source '{source.slug}'")
    return found, found + len(quote)


def _mismatch(source: Source, text: str, quote: str, start: int, end: int) -> str:
    if start >= len(text):
        held = f"is past the end of the text of source '{source.slug}' ({len(text)} characters)"
    else:
        excerpt = text[start:end]
        if len(excerpt) > _EXCERPT:
            excerpt = excerpt[:_EXCERPT] + "..."
        held = (
            f"the text of source '{source.slug}' holds {excerpt!r} at {start}:{end}, not the quote"
        )
    found = text.find(quote)
    where = f"; the quote first occurs at {found}:{found + len(quote)}" if found >= 0 else ""
    return held + where


def _get(session: Session, claim_ref: str, appearance_id: uuid.UUID) -> tuple[Claim, Appearance]:
    claim = crud.get_or_404(session, Claim, claim_ref)
    row = session.get(Appearance, appearance_id)
    if row is None or row.claim_id != claim.id:
        raise NotFound(f"claim '{claim.slug}' has no appearance {appearance_id}")
    return claim, row


def to_public(session: Session, found: Sequence[Appearance]) -> list[AppearancePublic]:
    """Public form of appearances, their sources in brief read in one query."""
    named = summaries.sources(session, (row.source_id for row in found))
    return [AppearancePublic(**crud.columns_of(row), source=named[row.source_id]) for row in found]
