"""Appearances of claims in sources, with the quote checked against the source text."""

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.errors import NotFound, invalid
from app.models import Appearance, Claim, Source
from app.schemas.claims import AppearanceCreate, AppearancePublic, AppearanceUpdate
from app.schemas.common import ShapeQuery
from app.services import crud, summaries

Loc = tuple[str | int, ...]
_EXCERPT = 80
_PLACEMENT = {"source_id", "quote", "char_start", "char_end"}


def create_appearance(session: Session, claim_ref: str, data: AppearanceCreate) -> AppearancePublic:
    """Record where a claim appears; the quote must be in the source text where it has one."""
    claim = crud.get_or_404(session, Claim, claim_ref)
    row = add_appearance(session, claim, data, ("body",))
    crud.touch(claim)
    crud.commit(session, f"appearance of claim '{claim.slug}'")
    return to_public(session, [row])[0]


def add_appearance(session: Session, claim: Claim, data: AppearanceCreate, loc: Loc) -> Appearance:
    """Add a checked appearance to a claim; `loc` is where `data` is in the request."""
    source = crud.resolve_ref(session, Source, data.source_id, (*loc, "source_id"))
    start, end = place_quote(source, data.quote, data.char_start, data.char_end, loc)
    row = Appearance(
        claim_id=claim.id,
        source_id=source.id,
        quote=data.quote,
        char_start=start,
        char_end=end,
        confidence=data.confidence,
    )
    session.add(row)
    return row


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
    if "confidence" in changes:
        row.confidence = changes["confidence"]
    if _PLACEMENT & changes.keys():
        if "source_id" in changes:
            loc = ("body", "source_id")
            source = crud.resolve_ref(session, Source, changes["source_id"], loc)
        else:
            source = crud.get_or_404(session, Source, row.source_id)
        row.source_id = source.id
        row.char_start, row.char_end = place_quote(
            source,
            row.quote,
            changes.get("char_start", row.char_start),
            changes.get("char_end", row.char_end),
            ("body",),
            search="char_start" not in changes and "char_end" not in changes,
        )
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
